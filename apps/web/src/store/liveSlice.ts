/**
 * What the kernel holds, namespace by namespace, as the agent streams it; and which rows just
 * appeared or changed (highlighted for a moment).
 */
import type { NamespaceState } from '@netns-lab/model';
import { changedRows } from '../live/rows';
import type { SliceCreator } from './types';

/** How long a new or changed row stays highlighted. */
export const HIGHLIGHT_MS = 1500;
/**
 * How long the page waits for the tables of the namespaces an apply changed, from the apply's
 * end or the last of them that came, before it judges the rest as they are (a namespace whose
 * tables did not change gets none; after a 1000-namespace apply they come over many seconds).
 */
export const READING_GRACE_MS = 10_000;

/** A namespace's new state, or its deletion. */
export type NamespaceUpdate = { state: NamespaceState } | { gone: string };

export interface LiveSlice {
  namespaces: Record<string, NamespaceState>;
  /** A full snapshot arrived (after hello): namespaces missing from it do not exist. */
  liveLoaded: boolean;
  /** Row key -> when it appeared or changed (ms since the epoch). */
  recent: Record<string, number>;
  /**
   * Namespaces an apply just changed whose new tables have not arrived yet: what the page holds
   * of them is from before the apply (not a sign that the kernel differs from the lab).
   */
  reading: ReadonlySet<string>;
  /** An apply changed these namespaces: wait for their tables (see READING_GRACE_MS). */
  awaitTables: (namespaces: readonly string[]) => void;
  setLiveState: (states: readonly NamespaceState[]) => void;
  setNamespaceState: (state: NamespaceState) => void;
  removeNamespace: (ns: string) => void;
  /** Several namespaces' new states and deletions, in order, as one update of the store. */
  namespacesChanged: (updates: readonly NamespaceUpdate[]) => void;
  /** Drops highlights older than HIGHLIGHT_MS. */
  expireRecent: (now?: number) => void;
}

let expiryTimer: ReturnType<typeof setTimeout> | null = null;
const NONE: ReadonlySet<string> = new Set();

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

  /** This store's wait for the tables still awaited. */
  let readingTimer: ReturnType<typeof setTimeout> | null = null;
  /** (Re)starts the wait for the tables still awaited. */
  const waitForTables = (): void => {
    if (readingTimer !== null) clearTimeout(readingTimer);
    readingTimer = setTimeout(() => {
      readingTimer = null;
      if (get().reading.size > 0) set({ reading: NONE });
    }, READING_GRACE_MS);
  };

  return {
    namespaces: {},
    liveLoaded: false,
    recent: {},
    reading: NONE,

    awaitTables: (namespaces) => {
      if (readingTimer !== null) clearTimeout(readingTimer);
      readingTimer = null;
      if (namespaces.length === 0) {
        if (get().reading.size > 0) set({ reading: NONE });
        return;
      }
      set({ reading: new Set(namespaces) });
      waitForTables();
    },

    setLiveState: (states) => {
      const { namespaces: before, liveLoaded } = get();
      const namespaces: Record<string, NamespaceState> = {};
      const changed: string[] = [];
      for (const state of states) {
        namespaces[state.ns] = state;
        // The first snapshot is not news; later ones (after a reconnect) are compared.
        if (liveLoaded) changed.push(...changedRows(before[state.ns], state));
      }
      // A full snapshot: nothing is awaited any more.
      set({ namespaces, liveLoaded: true, recent: highlighted(changed), reading: NONE });
    },

    setNamespaceState: (state) => get().namespacesChanged([{ state }]),

    removeNamespace: (ns) => get().namespacesChanged([{ gone: ns }]),

    namespacesChanged: (updates) => {
      const before = get().namespaces;
      let namespaces = before;
      const changed: string[] = [];
      let reading = get().reading;
      for (const update of updates) {
        const ns = 'gone' in update ? update.gone : update.state.ns;
        if (reading.has(ns)) {
          if (reading === get().reading) reading = new Set(reading);
          (reading as Set<string>).delete(ns);
        }
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
      if (reading !== get().reading) {
        set({ reading });
        // They are coming: wait on for the others.
        if (reading.size > 0) waitForTables();
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
