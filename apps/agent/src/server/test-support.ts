/**
 * Helpers for the server's tests: a minimal in-memory Engine, a real server on a free port, raw
 * HTTP requests (fetch cannot set Host), and a WebSocket client that records what it receives.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import WebSocket from 'ws';
import type { ClientMessage, ServerMessage } from '@netns-lab/model';
import type { Engine, Send } from '../engine/types';
import { startServer, type RunningServer, type ServerOptions } from './server';

export interface FakeEngine extends Engine {
  readonly handled: ClientMessage[];
  readonly subscribers: Set<Send>;
  broadcast(message: Parameters<Send>[0]): void;
}

export function fakeEngine(
  onHandle: (message: ClientMessage, reply: Send) => Promise<void> | void = () => {},
): FakeEngine {
  const handled: ClientMessage[] = [];
  const subscribers = new Set<Send>();
  return {
    info: { mode: 'sandbox', rootless: true, tools: {} },
    handled,
    subscribers,
    appliedLab: () => null,
    shownLab: () => ({ revision: 0, lab: null }),
    snapshot: () => Promise.resolve([]),
    subscribe(send) {
      subscribers.add(send);
      return () => subscribers.delete(send);
    },
    async handle(message, reply) {
      handled.push(message);
      await onHandle(message, reply);
    },
    broadcast(message) {
      for (const send of subscribers) send(message);
    },
    close: () => Promise.resolve(),
  };
}

export interface TestServer {
  server: RunningServer;
  engine: FakeEngine;
  port: number;
  token: string;
  webRoot: string;
  logs: string[];
  close(): Promise<void>;
}

export async function startTestServer(
  options: Partial<ServerOptions> & { engine?: FakeEngine; withWebApp?: boolean } = {},
): Promise<TestServer> {
  const webRoot = mkdtempSync(path.join(tmpdir(), 'netns-lab-web-'));
  if (options.withWebApp !== false) {
    writeFileSync(path.join(webRoot, 'index.html'), '<!doctype html><title>netns-lab app</title>');
    writeFileSync(path.join(webRoot, 'app.js'), 'console.log("app");');
  }
  const engine = options.engine ?? fakeEngine();
  const logs: string[] = [];
  const server = await startServer({
    port: 0,
    webRoot,
    log: (line) => logs.push(line),
    ...options,
    engine,
  });
  return {
    server,
    engine,
    port: server.port,
    token: server.token,
    webRoot,
    logs,
    async close() {
      await server.close();
      rmSync(webRoot, { recursive: true, force: true });
    },
  };
}

/**
 * For a test file whose tests start one server each: the function that starts it, and an
 * afterEach hook that closes it.
 */
export function serverPerTest(): (
  options?: Parameters<typeof startTestServer>[0],
) => Promise<TestServer> {
  let current: TestServer | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async (options = {}) => (current = await startTestServer(options));
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A GET (or other) request to 127.0.0.1:port with exactly the headers given. */
export function httpRequest(
  port: number,
  urlPath: string,
  headers: OutgoingHttpHeaders = {},
  method = 'GET',
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: urlPath, method, headers, setHost: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The headers of a request that passes every check. */
export function goodHeaders(test: TestServer): Record<string, string> {
  return {
    Host: `127.0.0.1:${test.port}`,
    Cookie: `netns_lab_token_${test.port}=${test.token}`,
  };
}

export type HandshakeResult =
  { opened: true; client: TestClient } | { opened: false; status: number; body: string };

/** Attempts a WebSocket handshake with exactly the given headers (no Origin unless given). */
export function handshake(
  port: number,
  headers: Record<string, string>,
  urlPath = '/ws',
  options: WebSocket.ClientOptions = {},
): Promise<HandshakeResult> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}${urlPath}`, { ...options, headers });
    const client = new TestClient(socket);
    socket.once('open', () => resolve({ opened: true, client }));
    socket.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ opened: false, status: res.statusCode ?? 0, body }));
    });
    socket.once('error', reject);
  });
}

export function browserHeaders(test: TestServer): Record<string, string> {
  return { ...goodHeaders(test), Origin: `http://127.0.0.1:${test.port}` };
}

export async function connect(test: TestServer): Promise<TestClient> {
  const result = await handshake(test.port, browserHeaders(test));
  if (!result.opened) throw new Error(`handshake refused: ${result.status} ${result.body}`);
  return result.client;
}

/** Records a socket's messages and close, and lets a test wait for them. */
export class TestClient {
  readonly received: ServerMessage[] = [];
  closed: { code: number; reason: string } | undefined;
  private waiters: Array<() => void> = [];

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      this.received.push(JSON.parse(data.toString('utf8')) as ServerMessage);
      this.wake();
    });
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString('utf8') };
      this.wake();
    });
    socket.on('error', () => {});
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  private async until<T>(check: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = check();
      if (value !== undefined) return value;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The first message received so far or later that satisfies `match`. */
  next<T extends ServerMessage['type']>(
    type: T,
    match: (message: Extract<ServerMessage, { type: T }>) => boolean = () => true,
    timeoutMs = 2000,
  ): Promise<Extract<ServerMessage, { type: T }>> {
    return this.until(
      () =>
        this.received.find(
          (m): m is Extract<ServerMessage, { type: T }> =>
            m.type === type && match(m as Extract<ServerMessage, { type: T }>),
        ),
      `a ${type} message`,
      timeoutMs,
    );
  }

  waitForClose(timeoutMs = 2000): Promise<{ code: number; reason: string }> {
    return this.until(() => this.closed, 'the connection to close', timeoutMs);
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  close(): void {
    this.socket.terminate();
  }
}
