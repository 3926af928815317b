/**
 * What the kernel holds, namespace by namespace, as the agent streams it; and which rows just
 * appeared or changed (highlighted for a moment).
 */
import type { NamespaceState } from '@netns-lab/model';
import { changedRows } from '../live/rows';
import type { SliceCreator } from './types';

/** How long a new or changed row stays highlighted. */
export const HIGHLIGHT_MS = 1500;

/** A namespace's new state, or its deletion. */
export type NamespaceUpdate = { state: NamespaceState } | { gone: string };

export interface LiveSlice {
  namespaces: Record<string, NamespaceState>;
  /** A full snapshot arrived (after hello): namespaces missing from it do not exist. */
  liveLoaded: boolean;
  /** Row key -> when it appeared or changed (ms since the epoch). */
  recent: Record<string, number>;
  setLiveState: (states: readonly NamespaceState[]) => void;
  setNamespaceState: (state: NamespaceState) => void;
  removeNamespace: (ns: string) => void;
  /** Several namespaces' new states and deletions, in order, as one update of the store. */
  namespacesChanged: (updates: readonly NamespaceUpdate[]) => void;
  /** Drops highlights older than HIGHLIGHT_MS. */
  expireRecent: (now?: number) => void;
}

let expiryTimer: ReturnType<typeof setTimeout> | null = null;

export const createLiveSlice: SliceCreator<LiveSlice> = (set, get) => {
  /** The recent rows with `keys` added (or the same object when there are none). */
  const highlighted = (keys: readonly string[]): Record<string, number> => {
    const before = get().recent;
    if (keys.length === 0) return before;
    const now = Date.now();
    const recent = { ...before };
    for (const key of keys) recent[key] = now;
    if (expiryTimer !== null) clearTimeout(expiryTimer);
    expiryTimer = setTimeout(() => {
      expiryTimer = null;
      get().expireRecent();
    }, HIGHLIGHT_MS + 50);
    return recent;
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
      set({ namespaces, liveLoaded: true, recent: highlighted(changed) });
    },

    setNamespaceState: (state) => get().namespacesChanged([{ state }]),

    removeNamespace: (ns) => get().namespacesChanged([{ gone: ns }]),

    namespacesChanged: (updates) => {
      const before = get().namespaces;
      let namespaces = before;
      const changed: string[] = [];
      for (const update of updates) {
        if ('gone' in update) {
          if (!(update.gone in namespaces)) continue;
          if (namespaces === before) namespaces = { ...before };
          delete namespaces[update.gone];
        } else {
          const { state } = update;
          changed.push(...changedRows(namespaces[state.ns], state));
          if (namespaces === before) namespaces = { ...before };
          namespaces[state.ns] = state;
        }
      }
      if (namespaces === before) return;
      set({ namespaces, recent: highlighted(changed) });
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
