/**
 * The agent as the page sees it: the connection, what the agent said about itself (hello), the
 * lab the kernel holds, and the progress of an apply. `receive` routes every parsed message to
 * the slice it concerns.
 */
import type { ApplyFailure, Lab, PlannedStep, ServerMessage } from '@netns-lab/model';
import type { SliceCreator } from './types';

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'unreachable';

export interface Connection {
  status: ConnectionStatus;
  /** Reconnection attempts since the last success (1 for the first retry). */
  attempt: number;
  /** When the next attempt starts (ms since the epoch), while waiting. */
  retryAt: number | null;
  everConnected: boolean;
}

export type Hello = Extract<ServerMessage, { type: 'hello' }>;

export type StepStatus = 'pending' | 'ok' | 'failed';

/** What an apply-step message says: the step with this `index` ran, with this outcome. */
export interface StepUpdate {
  index: number;
  status: 'ok' | 'failed';
}

const positionCache = new WeakMap<readonly PlannedStep[], ReadonlyMap<number, number>>();

/**
 * Where each step index sits in `steps` (built once per apply: a big one has thousands of steps
 * and a message for each, so no message may search the list).
 */
export function stepPositions(steps: readonly PlannedStep[]): ReadonlyMap<number, number> {
  let positions = positionCache.get(steps);
  if (positions === undefined) {
    const map = new Map<number, number>();
    steps.forEach((step, position) => {
      if (!map.has(step.index)) map.set(step.index, position);
    });
    positions = map;
    positionCache.set(steps, positions);
  }
  return positions;
}

export interface ApplyProgress {
  applyId: string;
  kind: 'apply' | 'destroy';
  steps: PlannedStep[];
  statuses: StepStatus[];
  done: {
    ok: boolean;
    commandsRun: number;
    durationMs: number;
    failure?: ApplyFailure;
    rolledBack?: boolean;
    /** The connection dropped before the agent said how it ended. */
    interrupted?: boolean;
  } | null;
}

export interface AgentError {
  code: string;
  message: string;
  issues: { code: string; path: string; message: string }[];
}

export interface AgentSlice {
  connection: Connection;
  hello: Hello | null;
  /** The lab the kernel holds, as the agent last said (null: nothing applied). */
  appliedLab: Lab | null;
  /** Its revision (the base of the next patch); null until the agent said. */
  appliedRevision: number | null;
  /** A request sent and not yet answered with apply-started. */
  pendingRequest: { requestId: string; kind: 'apply' | 'destroy' } | null;
  applyProgress: ApplyProgress | null;
  agentError: AgentError | null;
  setConnection: (connection: Partial<Connection>) => void;
  requestSent: (requestId: string, kind: 'apply' | 'destroy') => void;
  dismissAgentError: () => void;
  receive: (message: ServerMessage) => void;
  /**
   * Marks steps of the apply `applyId` as run, in order (a later update of a step wins): one
   * store update for many apply-step messages, which the client gathers (see agent/client.ts).
   */
  stepsRan: (applyId: string, updates: readonly StepUpdate[]) => void;
}

/** Whether a lab has nothing but the host: an untouched canvas. */
function isBlank(lab: Lab): boolean {
  return lab.links.length === 0 && lab.nodes.every((n) => n.kind === 'host');
}

export const createAgentSlice: SliceCreator<AgentSlice> = (set, get) => ({
  connection: { status: 'connecting', attempt: 0, retryAt: null, everConnected: false },
  hello: null,
  appliedLab: null,
  appliedRevision: null,
  pendingRequest: null,
  applyProgress: null,
  agentError: null,

  setConnection: (patch) => {
    const connection = { ...get().connection, ...patch };
    if (connection.status === 'connected') connection.everConnected = true;
    set({ connection });
    if (patch.status !== undefined && patch.status !== 'connected') {
      // Whatever was pending will not be answered on this connection.
      const { applyProgress, ping, routeGet } = get();
      set({
        pendingRequest: null,
        applyProgress:
          applyProgress && applyProgress.done === null
            ? {
                ...applyProgress,
                done: { ok: false, commandsRun: 0, durationMs: 0, interrupted: true },
              }
            : applyProgress,
        ping: ping.running
          ? { ...ping, running: false, error: 'The connection to the agent was lost.' }
          : ping,
        routeGet: routeGet.running ? { ...routeGet, running: false } : routeGet,
      });
    }
  },

  requestSent: (requestId, kind) => set({ pendingRequest: { requestId, kind }, agentError: null }),

  dismissAgentError: () => set({ agentError: null }),

  receive: (message) => {
    const state = get();
    switch (message.type) {
      case 'hello':
        set({ hello: message });
        return;
      case 'lab':
        set({ appliedLab: message.lab, appliedRevision: message.revision });
        // A fresh page (nothing drawn) shows what the kernel holds.
        if (message.lab !== null && isBlank(state.lab) && state.past.length === 0)
          state.adoptLab(message.lab);
        return;
      case 'state':
        state.setLiveState(message.namespaces);
        return;
      case 'ns-state':
        state.setNamespaceState(message.state);
        return;
      case 'ns-gone':
        state.removeNamespace(message.ns);
        return;
      case 'apply-started':
        stepPositions(message.steps);
        set({
          pendingRequest: null,
          applyProgress: {
            applyId: message.applyId,
            kind: message.kind,
            steps: message.steps,
            statuses: message.steps.map(() => 'pending'),
            done: null,
          },
        });
        return;
      case 'apply-step':
        state.stepsRan(message.applyId, [message]);
        return;
      case 'apply-done': {
        const progress = state.applyProgress;
        const done: NonNullable<ApplyProgress['done']> = {
          ok: message.ok,
          commandsRun: message.commandsRun,
          durationMs: message.durationMs,
        };
        if (message.failure !== undefined) done.failure = message.failure;
        if (message.rolledBack !== undefined) done.rolledBack = message.rolledBack;
        state.awaitTables(message.reading ?? []);
        set({
          pendingRequest: null,
          applyProgress:
            progress !== null && progress.applyId === message.applyId
              ? { ...progress, done }
              : { applyId: message.applyId, kind: 'apply', steps: [], statuses: [], done },
        });
        return;
      }
      case 'ping-reply':
      case 'ping-loss':
      case 'ping-done':
        state.pingEvent(message);
        return;
      case 'route-get-result':
        state.routeGetResult(message);
        return;
      case 'tracepath-hop':
      case 'tracepath-done':
        return;
      case 'error': {
        if (message.requestId !== undefined && message.requestId === state.ping.requestId)
          state.pingEvent({
            type: 'ping-done',
            requestId: message.requestId,
            transmitted: 0,
            received: 0,
            error: message.message,
          });
        if (message.requestId !== undefined && message.requestId === state.routeGet.requestId)
          state.routeGetResult({
            type: 'route-get-result',
            requestId: message.requestId,
            ns: state.routeGet.ns,
            address: state.routeGet.address,
            error: message.message,
          });
        set({
          pendingRequest:
            state.pendingRequest?.requestId === message.requestId ? null : state.pendingRequest,
          agentError: {
            code: message.code,
            message: message.message,
            issues: message.issues ?? [],
          },
        });
        return;
      }
    }
  },

  stepsRan: (applyId, updates) => {
    const progress = get().applyProgress;
    if (progress === null || progress.applyId !== applyId || updates.length === 0) return;
    const positions = stepPositions(progress.steps);
    const statuses = progress.statuses.slice();
    let changed = false;
    for (const update of updates) {
      const position = positions.get(update.index);
      if (position === undefined || statuses[position] === update.status) continue;
      statuses[position] = update.status;
      changed = true;
    }
    if (changed) set({ applyProgress: { ...progress, statuses } });
  },
});
