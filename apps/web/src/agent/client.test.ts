import { emptyNamespaceState, exampleLab, type NamespaceState } from '@netns-lab/model';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAppStore, type AppStore } from '../store/store';
import {
  AgentClient,
  backoffDelay,
  DEFAULT_BACKOFF,
  FLUSH_MS,
  UNREACHABLE_AFTER,
  type SocketLike,
} from './client';

/** A WebSocket stand-in the test opens, closes and talks through by hand. */
class FakeSocket implements SocketLike {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  onopen: ((event: unknown) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  closed = false;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string): void {
    this.sent.push(data);
  }
  close(): void {
    this.closed = true;
    this.readyState = 3;
  }
  /** The server accepts the connection. */
  accept(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  /** The connection fails or drops. */
  drop(): void {
    this.readyState = 3;
    this.onerror?.({});
    this.onclose?.({});
  }
  receive(message: unknown): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  static latest(): FakeSocket {
    const socket = FakeSocket.all[FakeSocket.all.length - 1];
    if (!socket) throw new Error('no socket opened');
    return socket;
  }
}

const HELLO = {
  type: 'hello',
  protocol: 1,
  agentVersion: '0.1.0',
  mode: 'sandbox',
  rootless: true,
  tools: { conntrack: { available: false, install: 'apt install conntrack' } },
};

let store: AppStore;
let client: AgentClient;

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.all = [];
  store = createAppStore();
  client = new AgentClient({
    url: 'ws://127.0.0.1:7878/ws',
    store,
    createSocket: (url) => new FakeSocket(url),
    backoff: { baseMs: 500, maxMs: 4000, jitter: 0 },
  });
});

afterEach(() => {
  client.stop();
  vi.useRealTimers();
});

describe('the agent client', () => {
  it('connects to the agent and says so', () => {
    client.start();
    expect(store.getState().connection.status).toBe('connecting');
    expect(FakeSocket.latest().url).toBe('ws://127.0.0.1:7878/ws');
    FakeSocket.latest().accept();
    expect(store.getState().connection).toMatchObject({ status: 'connected', attempt: 0 });
  });

  it('reconnects with exponential backoff after the connection drops, up to the cap', () => {
    client.start();
    FakeSocket.latest().accept();
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 5; attempt++) {
      const opened = FakeSocket.all.length;
      FakeSocket.latest().drop();
      const connection = store.getState().connection;
      expect(connection.attempt).toBe(attempt);
      expect(connection.status).toBe('reconnecting');
      const wait = (connection.retryAt ?? 0) - Date.now();
      waits.push(wait);
      vi.advanceTimersByTime(wait - 1);
      expect(FakeSocket.all.length).toBe(opened);
      vi.advanceTimersByTime(1);
      expect(FakeSocket.all.length).toBe(opened + 1);
    }
    expect(waits).toEqual([500, 1000, 2000, 4000, 4000]);
  });

  it('calls the agent unreachable after too many failed attempts, and keeps trying', () => {
    client.start();
    FakeSocket.latest().accept();
    for (let i = 0; i <= UNREACHABLE_AFTER; i++) {
      FakeSocket.latest().drop();
      vi.advanceTimersByTime(10_000);
    }
    expect(store.getState().connection.status).toBe('unreachable');
    const opened = FakeSocket.all.length;
    FakeSocket.latest().drop();
    vi.advanceTimersByTime(10_000);
    expect(FakeSocket.all.length).toBe(opened + 1);
  });

  it('says unreachable at once when the page never reached the agent', () => {
    client.start();
    FakeSocket.latest().drop();
    expect(store.getState().connection).toMatchObject({ status: 'unreachable', attempt: 1 });
  });

  it('starts counting again after a successful reconnection', () => {
    client.start();
    FakeSocket.latest().accept();
    FakeSocket.latest().drop();
    vi.advanceTimersByTime(500);
    FakeSocket.latest().drop();
    vi.advanceTimersByTime(1000);
    FakeSocket.latest().accept();
    expect(store.getState().connection).toMatchObject({ status: 'connected', attempt: 0 });
    FakeSocket.latest().drop();
    expect(store.getState().connection.attempt).toBe(1);
    expect((store.getState().connection.retryAt ?? 0) - Date.now()).toBe(500);
  });

  it('stops reconnecting once stopped', () => {
    client.start();
    FakeSocket.latest().accept();
    FakeSocket.latest().drop();
    client.stop();
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all.length).toBe(1);
  });

  it('hands every valid message to the store and ignores malformed ones', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    client.start();
    const socket = FakeSocket.latest();
    socket.accept();
    socket.receive(HELLO);
    expect(store.getState().hello).toMatchObject({ mode: 'sandbox', rootless: true });
    socket.receive({ type: 'hello', protocol: 99 });
    socket.onmessage?.({ data: 'not json' });
    expect(store.getState().hello?.protocol).toBe(1);
    expect(warn).toHaveBeenCalledTimes(2);
    socket.receive({ type: 'lab', revision: 1, lab: exampleLab('seed-veth') });
    expect(store.getState().appliedLab?.name).toBe('Two namespaces, one veth');
    warn.mockRestore();
  });

  it('sends an apply with the lab and a request id, and nothing while disconnected', () => {
    client.start();
    expect(client.apply(exampleLab('seed-veth'))).toBeNull();
    FakeSocket.latest().accept();
    const requestId = client.apply(exampleLab('seed-veth'));
    expect(requestId).not.toBeNull();
    const sent = JSON.parse(FakeSocket.latest().sent[0] ?? '{}');
    expect(sent).toMatchObject({ type: 'apply', requestId, lab: { version: 1 } });
    expect(store.getState().pendingRequest).toEqual({ requestId, kind: 'apply' });
  });

  it('sends only what changed once the agent has said its lab, and the whole lab if that base is stale', () => {
    client.start();
    const socket = FakeSocket.latest();
    socket.accept();
    socket.receive({ type: 'lab', revision: 4, lab: exampleLab('seed-bridge') });
    const edited = exampleLab('seed-bridge');
    edited.links[0]!.a.addresses = ['192.168.15.9/24'];
    const requestId = client.apply(edited);
    const patch = JSON.parse(socket.sent[0] ?? '{}');
    expect(patch).toEqual({
      type: 'apply-patch',
      requestId,
      base: 4,
      patch: {
        nodes: [],
        removeNodes: [],
        links: [edited.links[0]],
        removeLinks: [],
        layout: {},
        removeLayout: [],
      },
    });
    expect(store.getState().pendingRequest).toEqual({ requestId, kind: 'apply' });

    // Another client applied first: the same request goes again, whole, and no error shows.
    socket.receive({
      type: 'error',
      requestId,
      code: 'stale-base',
      message: 'The lab changed since revision 4',
    });
    expect(JSON.parse(socket.sent[1] ?? '{}')).toEqual({ type: 'apply', requestId, lab: edited });
    expect(store.getState().agentError).toBeNull();
    // A second stale-base for it is an error like any other (it was not a patch).
    socket.receive({ type: 'error', requestId, code: 'stale-base', message: 'stale again' });
    expect(socket.sent).toHaveLength(2);
    expect(store.getState().agentError?.code).toBe('stale-base');
  });

  it('sends pings, route lookups and cancels in the protocol shape', () => {
    client.start();
    FakeSocket.latest().accept();
    const ping = client.ping('red', '192.168.15.2', 3);
    client.routeGet('blue', '192.168.1.3');
    client.cancel(ping ?? '');
    const sent = FakeSocket.latest().sent.map((s) => JSON.parse(s));
    expect(sent).toEqual([
      { type: 'ping', requestId: ping, ns: 'red', target: '192.168.15.2', count: 3 },
      { type: 'route-get', requestId: expect.any(String), ns: 'blue', address: '192.168.1.3' },
      { type: 'cancel', requestId: ping },
    ]);
    expect(store.getState().ping.running).toBe(true);
  });
});

describe('backoff delays', () => {
  it('doubles from the base and stays within the jitter', () => {
    expect(backoffDelay(1, DEFAULT_BACKOFF, () => 0.5)).toBe(500);
    expect(backoffDelay(3, DEFAULT_BACKOFF, () => 0.5)).toBe(2000);
    expect(backoffDelay(30, DEFAULT_BACKOFF, () => 0.5)).toBe(10_000);
    expect(backoffDelay(2, DEFAULT_BACKOFF, () => 1)).toBe(1200);
    expect(backoffDelay(2, DEFAULT_BACKOFF, () => 0)).toBe(800);
  });
});

describe('after the agent restarts', () => {
  it('rebuilds the lab the page had applied when a sandbox agent comes back empty', () => {
    client.start();
    const first = FakeSocket.latest();
    first.accept();
    const lab = exampleLab('seed-bridge');
    first.receive(HELLO);
    first.receive({ type: 'lab', revision: 1, lab });
    expect(store.getState().appliedLab).not.toBeNull();

    first.drop();
    vi.advanceTimersByTime(500);
    const second = FakeSocket.latest();
    expect(second).not.toBe(first);
    second.accept();
    second.receive(HELLO);
    second.receive({ type: 'lab', revision: 1, lab: null });
    const sent = second.sent.map((m) => JSON.parse(m) as { type: string; lab?: unknown });
    expect(sent).toContainEqual(expect.objectContaining({ type: 'apply', lab }));
  });

  it('does not rebuild anything on the first connection', () => {
    client.start();
    const socket = FakeSocket.latest();
    socket.accept();
    socket.receive(HELLO);
    socket.receive({ type: 'lab', revision: 1, lab: null });
    expect(socket.sent).toEqual([]);
  });
});

describe('a big apply', () => {
  const TOTAL = 6002;
  const FAILED = 3001;
  const steps = Array.from({ length: TOTAL }, (_, index) => ({
    index,
    argv: ['ip', 'netns', 'add', `ns${index}`],
    target: { nodeId: `ns${index}` },
  }));

  /**
   * The agent's order: 16 batches at a time, each running its own steps in order, their
   * messages interleaved; the batch that hits the failure stops there.
   */
  function agentOrder(): { index: number; status: 'ok' | 'failed' }[] {
    const batches: number[][] = Array.from({ length: 16 }, () => []);
    for (let i = 0; i < TOTAL; i++) batches[i % 16]!.push(i);
    const order: { index: number; status: 'ok' | 'failed' }[] = [];
    const stopped = new Set<number>();
    for (let round = 0; order.length < TOTAL; round++) {
      let any = false;
      batches.forEach((batch, b) => {
        const index = batch[round];
        if (index === undefined || stopped.has(b)) return;
        any = true;
        order.push({ index, status: index === FAILED ? 'failed' : 'ok' });
        if (index === FAILED) stopped.add(b);
      });
      if (!any) break;
    }
    return order;
  }

  it('marks every step exactly, the failure included, in far fewer store updates', () => {
    client.start();
    const socket = FakeSocket.latest();
    socket.accept();
    socket.receive({ type: 'apply-started', applyId: 'big', kind: 'apply', steps });
    const order = agentOrder();
    const expected: string[] = steps.map(() => 'pending');
    for (const { index, status } of order) expected[index] = status;
    expect(expected.filter((s) => s === 'pending').length).toBeGreaterThan(0);

    let updates = 0;
    const unsubscribe = store.subscribe(() => (updates += 1));
    let seenMidway = false;
    order.forEach(({ index, status }, n) => {
      socket.receive({
        type: 'apply-step',
        applyId: 'big',
        index,
        total: TOTAL,
        status,
        argv: steps[index]!.argv,
      });
      // About 1 ms apart, as the agent sends them.
      vi.advanceTimersByTime(1);
      if (n === 3000) {
        const done = store.getState().applyProgress!.statuses.filter((s) => s !== 'pending');
        seenMidway = done.length > 2900 && done.length <= 3001;
      }
    });
    socket.receive({
      type: 'apply-done',
      applyId: 'big',
      ok: false,
      commandsRun: order.length - 1,
      processes: 16,
      durationMs: 6000,
      failure: {
        index: FAILED,
        argv: steps[FAILED]!.argv,
        stderr: 'RTNETLINK answers: File exists',
        message: 'ns3001 already exists',
        target: { nodeId: 'ns3001' },
      },
    });
    unsubscribe();

    const progress = store.getState().applyProgress!;
    expect(progress.statuses).toEqual(expected);
    expect(progress.statuses[FAILED]).toBe('failed');
    expect(progress.done?.failure?.index).toBe(FAILED);
    expect(seenMidway).toBe(true);
    // One update per 50 ms of steps (and one for the end), not one per step.
    expect(updates).toBeGreaterThan(10);
    expect(updates).toBeLessThanOrEqual(Math.ceil(order.length / 50) + 2);
  });

  /** A connected client whose agent has started apply "a" of the first three steps. */
  function connectedWithApplyOfThree(): FakeSocket {
    client.start();
    const socket = FakeSocket.latest();
    socket.accept();
    socket.receive({
      type: 'apply-started',
      applyId: 'a',
      kind: 'apply',
      steps: steps.slice(0, 3),
    });
    return socket;
  }

  it('hands the gathered steps over before the end, without waiting for the timer', () => {
    const socket = connectedWithApplyOfThree();
    let updates = 0;
    const unsubscribe = store.subscribe(() => (updates += 1));
    for (const index of [0, 1, 2])
      socket.receive({ type: 'apply-step', applyId: 'a', index, total: 3, status: 'ok', argv: [] });
    expect(updates).toBe(0);
    expect(store.getState().applyProgress?.statuses).toEqual(['pending', 'pending', 'pending']);
    socket.receive({
      type: 'apply-done',
      applyId: 'a',
      ok: true,
      commandsRun: 3,
      processes: 1,
      durationMs: 5,
    });
    unsubscribe();
    expect(store.getState().applyProgress?.statuses).toEqual(['ok', 'ok', 'ok']);
    expect(store.getState().applyProgress?.done?.ok).toBe(true);
    expect(updates).toBe(2);
    // Nothing is left to flush later.
    vi.advanceTimersByTime(1000);
    expect(store.getState().applyProgress?.statuses).toEqual(['ok', 'ok', 'ok']);
  });

  it('keeps the steps that arrived when the connection drops mid-apply', () => {
    const socket = connectedWithApplyOfThree();
    socket.receive({
      type: 'apply-step',
      applyId: 'a',
      index: 0,
      total: 3,
      status: 'ok',
      argv: [],
    });
    socket.drop();
    const progress = store.getState().applyProgress;
    expect(progress?.statuses).toEqual(['ok', 'pending', 'pending']);
    expect(progress?.done?.interrupted).toBe(true);
  });
});

describe('the live tables during a big apply', () => {
  const state = (name: string, address: string): NamespaceState =>
    emptyNamespaceState(name, {
      addresses: [{ ifname: `veth-${name}`, family: 4, cidr: address, scope: 'global' }],
    });

  it('hands a burst of namespace states to the store as one update, in order', () => {
    client.start();
    const socket = FakeSocket.latest();
    socket.accept();
    let updates = 0;
    const unsubscribe = store.subscribe(() => (updates += 1));
    for (let i = 0; i < 200; i++)
      socket.receive({ type: 'ns-state', state: state(`ns${i}`, `10.0.0.${i % 250}/16`) });
    // A later state of one namespace wins; a namespace gone is gone.
    socket.receive({ type: 'ns-state', state: state('ns7', '10.0.9.9/16') });
    socket.receive({ type: 'ns-gone', ns: 'ns8' });
    expect(updates).toBe(0);
    vi.advanceTimersByTime(FLUSH_MS);
    unsubscribe();
    expect(updates).toBe(1);
    const namespaces = store.getState().namespaces;
    expect(Object.keys(namespaces)).toHaveLength(199);
    expect(namespaces['ns7']?.addresses[0]?.cidr).toBe('10.0.9.9/16');
    expect(namespaces['ns8']).toBeUndefined();
    // Their rows are news for the tables' highlight.
    expect(Object.keys(store.getState().recent).length).toBeGreaterThanOrEqual(200);
  });

  it('hands the states over before a message that follows them, without waiting', () => {
    client.start();
    const socket = FakeSocket.latest();
    socket.accept();
    socket.receive({ type: 'ns-state', state: state('red', '192.168.15.1/24') });
    expect(store.getState().namespaces['red']).toBeUndefined();
    socket.receive({ type: 'lab', revision: 1, lab: null });
    expect(store.getState().namespaces['red']?.addresses[0]?.cidr).toBe('192.168.15.1/24');
  });
});
