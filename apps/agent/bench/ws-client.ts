/**
 * A client of the agent's WebSocket protocol that behaves like the browser (cookie, Origin,
 * reads and parses every message) and timestamps what arrives, so that the bench can time an
 * apply from the moment it is sent to the moment apply-done arrives.
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import {
  labPatch,
  type ClientMessageInput,
  type Lab,
  type NamespaceState,
  type ServerMessage,
} from '@netns-lab/model';

type Done = Extract<ServerMessage, { type: 'apply-done' }>;

export interface ApplyTiming {
  /** When it was sent (performance.now()). */
  sentAt: number;
  /** From sending `apply` (or `destroy`) to receiving apply-done (ms). */
  totalMs: number;
  /** From sending to apply-started: parse, validate, diff and plan in the agent. */
  planMs: number;
  /** From apply-started to the first apply-step. */
  firstStepMs: number;
  /** From the last apply-step to apply-done. */
  afterLastStepMs: number;
  steps: number;
  done: Done;
}

interface Waiter {
  match(message: ServerMessage, at: number): boolean;
  resolve(): void;
}

export class BenchClient {
  private readonly waiters = new Set<Waiter>();
  /** Listeners for ns-state messages (live latency). */
  readonly onState = new Set<(state: NamespaceState, at: number) => void>();
  messagesReceived = 0;
  bytesReceived = 0;
  /** When the last message arrived (performance.now()). */
  lastMessageAt = 0;
  /** The agent's lab as it last said, with its revision: the base of an edit's patch. */
  private shown: { revision: number; lab: Lab | null } | null = null;

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      const at = performance.now();
      this.lastMessageAt = at;
      this.messagesReceived += 1;
      this.bytesReceived += data.length;
      const message = JSON.parse(data.toString('utf8')) as ServerMessage;
      if (message.type === 'ns-state')
        for (const listener of this.onState) listener(message.state, at);
      if (message.type === 'lab') this.shown = { revision: message.revision, lab: message.lab };
      for (const waiter of this.waiters) {
        if (waiter.match(message, at)) {
          this.waiters.delete(waiter);
          waiter.resolve();
        }
      }
    });
  }

  /** Connects as the browser does: the token cookie and the agent's own Origin. */
  static async connect(port: number, token: string): Promise<BenchClient> {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, {
      headers: {
        Cookie: `netns_lab_token_${port}=${token}`,
        Origin: `http://127.0.0.1:${port}`,
      },
      perMessageDeflate: false,
    });
    const client = new BenchClient(socket);
    const state = client.waitFor((m) => m.type === 'state', 60_000);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    await state;
    return client;
  }

  /** Resolves at the first message (from now on) that `match` accepts. */
  waitFor(
    match: (message: ServerMessage, at: number) => boolean,
    timeoutMs: number,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter = {
        match,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.waiters.add(waiter);
    });
  }

  send(message: ClientMessageInput): void {
    this.socket.send(JSON.stringify(message));
  }

  /** Sends the message `make` gives (made inside the timing, as the browser's is) and times it. */
  private async timed(make: () => ClientMessageInput, requestId: string, timeoutMs: number) {
    let startedAt = Number.NaN;
    let firstStepAt = Number.NaN;
    let lastStepAt = Number.NaN;
    let steps = 0;
    let applyId: string | undefined;
    let done: Done | undefined;
    let doneAt = Number.NaN;
    let error: string | undefined;
    const finished = this.waitFor((m, at) => {
      if (m.type === 'apply-started' && m.requestId === requestId) {
        startedAt = at;
        applyId = m.applyId;
      } else if (m.type === 'apply-step' && m.applyId === applyId) {
        if (steps === 0) firstStepAt = at;
        lastStepAt = at;
        steps += 1;
      } else if (m.type === 'apply-done' && m.requestId === requestId) {
        done = m;
        doneAt = at;
        return true;
      } else if (m.type === 'error' && m.requestId === requestId) {
        error = `${m.code}: ${m.message}`;
        return true;
      }
      return false;
    }, timeoutMs);
    const sentAt = performance.now();
    this.send(make());
    await finished;
    if (error !== undefined) throw new Error(error);
    if (done === undefined) throw new Error('no apply-done');
    if (!done.ok) {
      const f = done.failure;
      throw new Error(
        `failed after ${((doneAt - sentAt) / 1000).toFixed(1)} s at step ${f?.index ?? '?'}: ` +
          `${f?.message ?? 'no reason given'}` +
          (done.rolledBack === true ? ' (rolled back)' : ''),
      );
    }
    const timing: ApplyTiming = {
      sentAt,
      totalMs: doneAt - sentAt,
      planMs: startedAt - sentAt,
      firstStepMs: steps > 0 ? firstStepAt - startedAt : Number.NaN,
      afterLastStepMs: steps > 0 ? doneAt - lastStepAt : Number.NaN,
      steps,
      done,
    };
    return timing;
  }

  /** Applies `lab` as the web app does: what changed (a patch) when the agent's lab is known. */
  apply(lab: Lab, timeoutMs = 300_000): Promise<ApplyTiming> {
    const requestId = randomUUID();
    const shown = this.shown;
    return this.timed(
      () => {
        const patch = shown?.lab ? labPatch(shown.lab, lab) : null;
        return patch === null || shown === null
          ? { type: 'apply', requestId, lab }
          : { type: 'apply-patch', requestId, base: shown.revision, patch };
      },
      requestId,
      timeoutMs,
    );
  }

  destroy(timeoutMs = 300_000): Promise<ApplyTiming> {
    const requestId = randomUUID();
    return this.timed(() => ({ type: 'destroy', requestId }), requestId, timeoutMs);
  }

  close(): void {
    this.socket.close();
  }
}
