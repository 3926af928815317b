import { exampleLab } from '@netns-lab/model';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAppStore, type AppStore } from '../store/store';
import {
  AgentClient,
  backoffDelay,
  DEFAULT_BACKOFF,
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
    socket.receive({ type: 'lab', lab: exampleLab('seed-veth') });
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
    first.receive({ type: 'lab', lab });
    expect(store.getState().appliedLab).not.toBeNull();

    first.drop();
    vi.advanceTimersByTime(500);
    const second = FakeSocket.latest();
    expect(second).not.toBe(first);
    second.accept();
    second.receive(HELLO);
    second.receive({ type: 'lab', lab: null });
    const sent = second.sent.map((m) => JSON.parse(m) as { type: string; lab?: unknown });
    expect(sent).toContainEqual(expect.objectContaining({ type: 'apply', lab }));
  });

  it('does not rebuild anything on the first connection', () => {
    client.start();
    const socket = FakeSocket.latest();
    socket.accept();
    socket.receive(HELLO);
    socket.receive({ type: 'lab', lab: null });
    expect(socket.sent).toEqual([]);
  });
});
