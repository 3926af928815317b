/**
 * The lab is saved in the browser as it changes and restored on reload. What is restored goes
 * through the model's schema like any file.
 */
import { LabSchema } from '@netns-lab/model';
import { withLayout } from '../lab/layout';
import type { AppStore } from './store';

export const AUTOSAVE_KEY = 'netns-lab.lab.v1';

type Storage = Pick<globalThis.Storage, 'getItem' | 'setItem'>;

/** Puts the saved lab (if any, and if it parses) into the store; true when it did. */
export function restoreLab(store: AppStore, storage: Storage): boolean {
  let text: string | null;
  try {
    text = storage.getItem(AUTOSAVE_KEY);
  } catch {
    return false;
  }
  if (text === null) return false;
  try {
    const parsed = LabSchema.safeParse(JSON.parse(text));
    if (!parsed.success) return false;
    store.setState({ lab: withLayout(parsed.data), past: [], future: [] });
    return true;
  } catch {
    return false;
  }
}

/** Saves the lab a moment after each change; returns a function that stops it. */
export function startAutosave(store: AppStore, storage: Storage, delayMs = 250): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const save = (): void => {
    timer = null;
    try {
      storage.setItem(AUTOSAVE_KEY, JSON.stringify(store.getState().lab));
    } catch {
      // A full or disabled storage only loses the autosave, never the lab on screen.
    }
  };
  const unsubscribe = store.subscribe((state, previous) => {
    if (state.lab === previous.lab) return;
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(save, delayMs);
  });
  const flush = (): void => {
    if (timer !== null) {
      clearTimeout(timer);
      save();
    }
  };
  globalThis.addEventListener?.('pagehide', flush);
  return () => {
    flush();
    unsubscribe();
    globalThis.removeEventListener?.('pagehide', flush);
  };
}
