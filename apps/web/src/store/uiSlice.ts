/**
 * What the student has selected and open: the selection on the canvas, the live-table panels,
 * the ping and "Which way?" tools, and a problem with a file just opened.
 */
import type { ServerMessage } from '@netns-lab/model';
import type { SliceCreator } from './types';

export interface Selection {
  nodes: string[];
  links: string[];
}

export type PingEvent =
  | { kind: 'reply'; seq: number; ttl: number; timeMs: number; from: string }
  | { kind: 'loss'; seq: number; message?: string };

export interface PingSummary {
  transmitted: number;
  received: number;
  lossPercent: number;
  rtt?: { min: number; avg: number; max: number };
  cancelled?: boolean;
}

export interface PingState {
  ns: string;
  target: string;
  count: number;
  requestId: string | null;
  running: boolean;
  /** The namespace and target of the ping the events belong to. */
  ran: { ns: string; target: string } | null;
  events: PingEvent[];
  summary: PingSummary | null;
  error: string | null;
}

export interface RouteGetState {
  ns: string;
  address: string;
  requestId: string | null;
  running: boolean;
  result: NonNullable<Extract<ServerMessage, { type: 'route-get-result' }>['result']> | null;
  error: string | null;
}

/** Open live-table panels at most; opening another closes the oldest. */
export const MAX_TABLE_PANELS = 4;

export interface UiSlice {
  selection: Selection;
  openTables: string[];
  ping: PingState;
  routeGet: RouteGetState;
  fileProblem: { title: string; messages: string[] } | null;
  setSelection: (selection: Selection) => void;
  openTable: (nodeId: string) => void;
  closeTable: (nodeId: string) => void;
  setPingForm: (patch: Partial<Pick<PingState, 'ns' | 'target' | 'count'>>) => void;
  pingStarted: (requestId: string) => void;
  pingEvent: (
    message: Extract<ServerMessage, { type: 'ping-reply' | 'ping-loss' | 'ping-done' }>,
  ) => void;
  clearPing: () => void;
  setRouteGetForm: (patch: Partial<Pick<RouteGetState, 'ns' | 'address'>>) => void;
  routeGetStarted: (requestId: string) => void;
  routeGetResult: (message: Extract<ServerMessage, { type: 'route-get-result' }>) => void;
  setFileProblem: (problem: { title: string; messages: string[] } | null) => void;
}

export const createUiSlice: SliceCreator<UiSlice> = (set, get) => ({
  selection: { nodes: [], links: [] },
  openTables: [],
  ping: {
    ns: '',
    target: '',
    count: 4,
    requestId: null,
    running: false,
    ran: null,
    events: [],
    summary: null,
    error: null,
  },
  routeGet: { ns: '', address: '', requestId: null, running: false, result: null, error: null },
  fileProblem: null,

  setSelection: (selection) => {
    const current = get().selection;
    const same = (a: string[], b: string[]): boolean =>
      a.length === b.length && a.every((id, i) => id === b[i]);
    if (same(current.nodes, selection.nodes) && same(current.links, selection.links)) return;
    set({ selection });
  },

  openTable: (nodeId) => {
    const open = get().openTables;
    if (open.includes(nodeId)) return;
    set({ openTables: [...open, nodeId].slice(-MAX_TABLE_PANELS) });
  },

  closeTable: (nodeId) => set({ openTables: get().openTables.filter((id) => id !== nodeId) }),

  setPingForm: (patch) => set({ ping: { ...get().ping, ...patch } }),

  pingStarted: (requestId) => {
    const ping = get().ping;
    set({
      ping: {
        ...ping,
        requestId,
        running: true,
        ran: { ns: ping.ns, target: ping.target.trim() },
        events: [],
        summary: null,
        error: null,
      },
    });
  },

  pingEvent: (message) => {
    const ping = get().ping;
    if (message.requestId !== ping.requestId) return;
    switch (message.type) {
      case 'ping-reply':
        set({
          ping: {
            ...ping,
            events: [
              ...ping.events,
              {
                kind: 'reply',
                seq: message.seq,
                ttl: message.ttl,
                timeMs: message.timeMs,
                from: message.from,
              },
            ],
          },
        });
        return;
      case 'ping-loss': {
        const event: PingEvent = { kind: 'loss', seq: message.seq };
        if (message.message !== undefined) event.message = message.message;
        set({ ping: { ...ping, events: [...ping.events, event] } });
        return;
      }
      case 'ping-done': {
        const summary: PingSummary = {
          transmitted: message.transmitted,
          received: message.received,
          lossPercent:
            message.transmitted === 0
              ? 0
              : Math.round((100 * (message.transmitted - message.received)) / message.transmitted),
        };
        if (message.rtt !== undefined) summary.rtt = message.rtt;
        if (message.cancelled) summary.cancelled = true;
        set({
          ping: {
            ...ping,
            running: false,
            summary: message.error === undefined || message.transmitted > 0 ? summary : null,
            error: message.error ?? null,
          },
        });
        return;
      }
    }
  },

  clearPing: () =>
    set({
      ping: { ...get().ping, running: false, ran: null, events: [], summary: null, error: null },
    }),

  setRouteGetForm: (patch) => set({ routeGet: { ...get().routeGet, ...patch } }),

  routeGetStarted: (requestId) =>
    set({ routeGet: { ...get().routeGet, requestId, running: true, result: null, error: null } }),

  routeGetResult: (message) => {
    const routeGet = get().routeGet;
    if (message.requestId !== routeGet.requestId) return;
    set({
      routeGet: {
        ...routeGet,
        running: false,
        result: message.result ?? null,
        error: message.error ?? null,
      },
    });
  },

  setFileProblem: (fileProblem) => set({ fileProblem }),
});
