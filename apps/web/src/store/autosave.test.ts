import { exampleLab } from '@netns-lab/model';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AUTOSAVE_KEY, restoreLab, startAutosave } from './autosave';
import { createAppStore } from './store';

class MemoryStorage {
  data = new Map<string, string>();
  getItem(key: string): string | null {
    return this.data.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.data.set(key, value);
  }
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('autosave', () => {
  it('saves the lab shortly after it changes and restores it on reload', () => {
    const storage = new MemoryStorage();
    const store = createAppStore();
    const stop = startAutosave(store, storage);
    store.getState().openLab(exampleLab('router'));
    expect(storage.getItem(AUTOSAVE_KEY)).toBeNull();
    vi.advanceTimersByTime(300);
    stop();
    const reloaded = createAppStore();
    expect(restoreLab(reloaded, storage)).toBe(true);
    expect(reloaded.getState().lab).toEqual(store.getState().lab);
    expect(reloaded.getState().past).toEqual([]);
  });

  it('ignores a saved lab that no longer parses', () => {
    const storage = new MemoryStorage();
    storage.setItem(AUTOSAVE_KEY, '{"version": 7}');
    const store = createAppStore();
    expect(restoreLab(store, storage)).toBe(false);
    expect(store.getState().lab.nodes.map((n) => n.kind)).toEqual(['host']);
  });
});
