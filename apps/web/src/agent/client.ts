/**
 * The WebSocket client for the agent, outside React. It connects to /ws on the page's origin
 * (the agent's cookie authenticates it), reconnects with exponential backoff, parses every
 * message with the model's protocol schema, and hands it to the store. Components call its
 * small typed API (apply, destroy, ping, routeGet, cancel, refresh).
 */
import {
  labPatch,
  parseServerMessage,
  type ClientMessageInput,
  type Lab,
  type ServerMessage,
} from '@netns-lab/model';
import type { NamespaceUpdate } from '../store/liveSlice';
import type { AppStore } from '../store/store';

/** What the client needs of a WebSocket (the browser's, or a fake one in tests). */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type SocketFactory = (url: string) => SocketLike;

export interface Backoff {
  /** The first retry's delay. */
  baseMs: number;
  /** No retry waits longer. */
  maxMs: number;
  /** Random spread, as a fraction of the delay (0: none). */
  jitter: number;
}

export const DEFAULT_BACKOFF: Backoff = { baseMs: 500, maxMs: 10_000, jitter: 0.2 };
/** After this many failed attempts in a row the agent is called unreachable (retries go on). */
export const UNREACHABLE_AFTER = 5;

const OPEN = 1;

type HeldMessage = Extract<ServerMessage, { type: 'apply-step' | 'ns-state' | 'ns-gone' }>;

/**
 * How long apply-step, ns-state and ns-gone messages gather before the store hears of them. A
 * big apply sends thousands of steps in a few seconds, and then a state for each of its
 * namespaces; one store update (and one render of the plan, the canvas and the tables) each
 * would freeze the page, so the client hands them over at most this often, and at once before
 * any other message (apply-done above all), so the store sees them all, in order, before it.
 */
export const FLUSH_MS = 50;

export interface AgentClientOptions {
  url: string;
  store: AppStore;
  createSocket?: SocketFactory;
  backoff?: Partial<Backoff>;
  random?: () => number;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  /** How long apply-step, ns-state and ns-gone messages gather (FLUSH_MS). */
  flushMs?: number;
}

/** The delay before retry number `attempt` (1, 2, ...): base * 2^(attempt-1), capped, spread. */
export function backoffDelay(attempt: number, backoff: Backoff, random: () => number): number {
  const raw = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, attempt - 1));
  const spread = raw * backoff.jitter * (random() * 2 - 1);
  return Math.max(0, Math.round(raw + spread));
}

let counter = 0;
function newRequestId(): string {
  counter += 1;
  return `web-${Date.now().toString(36)}-${counter}`;
}

export class AgentClient {
  private socket: SocketLike | null = null;
  private timer: unknown = null;
  private attempt = 0;
  private stopped = true;
  /** This connection follows an earlier one (the agent may have restarted in between). */
  private reconnected = false;
  private sandboxRestarted = false;
  /** Patches sent and not yet started, with their whole lab (sent instead if the base is stale). */
  private patched = new Map<string, Lab>();
  /** apply-step, ns-state and ns-gone messages not yet handed to the store, in arrival order. */
  private held: HeldMessage[] = [];
  private heldTimer: unknown = null;
  private readonly backoff: Backoff;
  private readonly createSocket: SocketFactory;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(private readonly options: AgentClientOptions) {
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.createSocket =
      options.createSocket ?? ((url) => new WebSocket(url) as unknown as SocketLike);
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer =
      options.clearTimer ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));
  }

  private get store(): AppStore {
    return this.options.store;
  }

  /** Starts connecting (and reconnecting whenever the connection drops). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.attempt = 0;
    this.store.getState().setConnection({ status: 'connecting', attempt: 0, retryAt: null });
    this.open();
  }

  /** Closes the connection and stops reconnecting. Safe to call more than once. */
  stop(): void {
    this.flushHeld();
    this.stopped = true;
    if (this.timer !== null) {
      this.clearTimer(this.timer);
      this.timer = null;
    }
    const socket = this.socket;
    this.socket = null;
    if (socket !== null) {
      socket.onopen = socket.onclose = socket.onerror = null;
      socket.onmessage = null;
      socket.close(1000, 'page closed');
    }
  }

  get connected(): boolean {
    return this.socket !== null && this.socket.readyState === OPEN;
  }

  private open(): void {
    let socket: SocketLike;
    try {
      socket = this.createSocket(this.options.url);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.reconnected = this.store.getState().connection.everConnected;
      this.attempt = 0;
      this.store.getState().setConnection({ status: 'connected', attempt: 0, retryAt: null });
    };
    socket.onmessage = (event) => {
      if (this.socket !== socket) return;
      this.handle(event.data);
    };
    socket.onerror = () => {
      // A close event follows; retrying is decided there.
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      // What arrived counts before the apply is called interrupted.
      this.flushHeld();
      this.socket = null;
      // Their answers will not come on this connection.
      this.patched.clear();
      if (!this.stopped) this.scheduleRetry();
    };
  }

  private scheduleRetry(): void {
    this.attempt += 1;
    const delay = backoffDelay(this.attempt, this.backoff, this.random);
    const everConnected = this.store.getState().connection.everConnected;
    // A page that never reached the agent says so at once: there is nothing to get back to.
    const unreachable = !everConnected || this.attempt > UNREACHABLE_AFTER;
    this.store.getState().setConnection({
      status: unreachable ? 'unreachable' : 'reconnecting',
      attempt: this.attempt,
      retryAt: this.now() + delay,
    });
    this.timer = this.setTimer(() => {
      this.timer = null;
      if (!this.stopped) this.open();
    }, delay);
  }

  /** Retries now instead of waiting (the status bar's "Retry now"). */
  retryNow(): void {
    if (this.stopped || this.socket !== null) return;
    if (this.timer !== null) {
      this.clearTimer(this.timer);
      this.timer = null;
    }
    this.open();
  }

  private handle(data: unknown): void {
    if (typeof data !== 'string') return;
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      console.warn('netns-lab: the agent sent something that is not JSON');
      return;
    }
    const parsed = parseServerMessage(json);
    if (!parsed.ok) {
      console.warn(`netns-lab: ignored a message from the agent: ${parsed.error.message}`);
      return;
    }
    const message = parsed.message;
    if (message.type === 'error' && message.requestId !== undefined) {
      const lab = this.patched.get(message.requestId);
      this.patched.delete(message.requestId);
      // Another client applied meanwhile: the same request again, with the whole lab.
      if (lab !== undefined && message.code === 'stale-base') {
        if (!this.send({ type: 'apply', requestId: message.requestId, lab }))
          this.store.getState().receive(message);
        return;
      }
    }
    if (message.type === 'apply-started' && message.requestId !== undefined)
      this.patched.delete(message.requestId);
    if (
      message.type === 'apply-step' ||
      message.type === 'ns-state' ||
      message.type === 'ns-gone'
    ) {
      this.held.push(message);
      if (this.heldTimer === null)
        this.heldTimer = this.setTimer(() => {
          this.heldTimer = null;
          this.flushHeld();
        }, this.options.flushMs ?? FLUSH_MS);
      return;
    }
    // Whatever follows them (apply-done, a new apply...) finds them in the store.
    this.flushHeld();
    const before = this.store.getState();
    const lostLab =
      message.type === 'lab' &&
      message.lab === null &&
      before.appliedLab !== null &&
      before.hello?.mode === 'sandbox' &&
      this.sandboxRestarted;
    this.store.getState().receive(message);
    if (message.type === 'hello') this.sandboxRestarted = this.reconnected;
    // A restarted sandbox agent starts empty (its lab vanished with it): build the lab the
    // page had applied again, so the student gets back the same lab and live tables.
    if (lostLab && before.appliedLab !== null) this.apply(before.appliedLab);
  }

  /**
   * Hands the gathered messages to the store, in order: one update per run of steps of one
   * apply, one per run of namespace states.
   */
  private flushHeld(): void {
    if (this.heldTimer !== null) {
      this.clearTimer(this.heldTimer);
      this.heldTimer = null;
    }
    const held = this.held;
    if (held.length === 0) return;
    this.held = [];
    const runKey = (m: HeldMessage): string => (m.type === 'apply-step' ? m.applyId : '');
    let start = 0;
    for (let i = 1; i <= held.length; i++) {
      if (i < held.length && runKey(held[i]!) === runKey(held[start]!)) continue;
      const run = held.slice(start, i);
      const first = run[0]!;
      if (first.type === 'apply-step')
        this.store.getState().stepsRan(
          first.applyId,
          run.flatMap((m) =>
            m.type === 'apply-step' ? [{ index: m.index, status: m.status }] : [],
          ),
        );
      else
        this.store
          .getState()
          .namespacesChanged(
            run.flatMap((m): NamespaceUpdate[] =>
              m.type === 'ns-state'
                ? [{ state: m.state }]
                : m.type === 'ns-gone'
                  ? [{ gone: m.ns }]
                  : [],
            ),
          );
      start = i;
    }
  }

  private send(message: ClientMessageInput): boolean {
    const socket = this.socket;
    if (socket === null || socket.readyState !== OPEN) return false;
    socket.send(JSON.stringify(message));
    return true;
  }

  /**
   * Asks the agent to build `lab`; the request id, or null when not connected. When the agent's
   * lab is known, only what changed goes (a patch on its revision): an edit of a big lab then
   * sends one node or link, not the whole lab.
   */
  apply(lab: Lab): string | null {
    const requestId = newRequestId();
    const { appliedLab, appliedRevision } = this.store.getState();
    const patch =
      appliedLab !== null && appliedRevision !== null ? labPatch(appliedLab, lab) : null;
    const message: ClientMessageInput =
      patch === null || appliedRevision === null
        ? { type: 'apply', requestId, lab }
        : { type: 'apply-patch', requestId, base: appliedRevision, patch };
    if (!this.send(message)) return null;
    if (message.type === 'apply-patch') this.patched.set(requestId, lab);
    this.store.getState().requestSent(requestId, 'apply');
    return requestId;
  }

  destroy(): string | null {
    const requestId = newRequestId();
    if (!this.send({ type: 'destroy', requestId })) return null;
    this.store.getState().requestSent(requestId, 'destroy');
    return requestId;
  }

  ping(ns: string, target: string, count: number): string | null {
    const requestId = newRequestId();
    if (!this.send({ type: 'ping', requestId, ns, target, count })) return null;
    this.store.getState().pingStarted(requestId);
    return requestId;
  }

  routeGet(ns: string, address: string): string | null {
    const requestId = newRequestId();
    if (!this.send({ type: 'route-get', requestId, ns, address })) return null;
    this.store.getState().routeGetStarted(requestId);
    return requestId;
  }

  cancel(requestId: string): boolean {
    return this.send({ type: 'cancel', requestId });
  }

  refresh(ns?: string): boolean {
    return this.send(ns === undefined ? { type: 'refresh' } : { type: 'refresh', ns });
  }
}

/** The page's agent URL: /ws on the page's own origin. */
export function agentUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

let current: AgentClient | null = null;

/** The page's client, once main.tsx has made it (null in component tests). */
export function agentClient(): AgentClient | null {
  return current;
}

export function setAgentClient(client: AgentClient | null): void {
  current = client;
}
