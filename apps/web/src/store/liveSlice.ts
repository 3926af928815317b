/**
 * What the kernel holds, namespace by namespace, as the agent streams it; and which rows just
 * appeared or changed (highlighted for a moment).
 */
import type { NamespaceState } from '@netns-lab/model';
import { changedRows } from '../live/rows';
import type { SliceCreator } from './types';

/** How long a new or changed row stays highlighted. */
export const HIGHLIGHT_MS = 1500;

export interface LiveSlice {
  namespaces: Record<string, NamespaceState>;
  /** A full snapshot arrived (after hello): namespaces missing from it do not exist. */
  liveLoaded: boolean;
  /** Row key -> when it appeared or changed (ms since the epoch). */
  recent: Record<string, number>;
  setLiveState: (states: readonly NamespaceState[]) => void;
  setNamespaceState: (state: NamespaceState) => void;
  removeNamespace: (ns: string) => void;
  /** Drops highlights older than HIGHLIGHT_MS. */
  expireRecent: (now?: number) => void;
}

let expiryTimer: ReturnType<typeof setTimeout> | null = null;

export const createLiveSlice: SliceCreator<LiveSlice> = (set, get) => {
  const highlight = (keys: string[]): void => {
    if (keys.length === 0) return;
    const now = Date.now();
    const recent = { ...get().recent };
    for (const key of keys) recent[key] = now;
    set({ recent });
    if (expiryTimer !== null) clearTimeout(expiryTimer);
    expiryTimer = setTimeout(() => {
      expiryTimer = null;
      get().expireRecent();
    }, HIGHLIGHT_MS + 50);
  };

  return {
    namespaces: {},
    liveLoaded: false,
    recent: {},

    setLiveState: (states) => {
      const { namespaces: before, liveLoaded } = get();
      const namespaces: Record<string, NamespaceState> = {};
      const changed: string[] = [];
      for (const state of states) {
        namespaces[state.ns] = state;
        // The first snapshot is not news; later ones (after a reconnect) are compared.
        if (liveLoaded) changed.push(...changedRows(before[state.ns], state));
      }
      set({ namespaces, liveLoaded: true });
      highlight(changed);
    },

    setNamespaceState: (state) => {
      const before = get().namespaces[state.ns];
      set({ namespaces: { ...get().namespaces, [state.ns]: state } });
      highlight(changedRows(before, state));
    },

    removeNamespace: (ns) => {
      if (!(ns in get().namespaces)) return;
      const namespaces = { ...get().namespaces };
      delete namespaces[ns];
      set({ namespaces });
    },

    expireRecent: (now = Date.now()) => {
      const recent: Record<string, number> = {};
      let dropped = false;
      for (const [key, at] of Object.entries(get().recent)) {
        if (now - at < HIGHLIGHT_MS) recent[key] = at;
        else dropped = true;
      }
      if (dropped) set({ recent });
    },
  };
};
