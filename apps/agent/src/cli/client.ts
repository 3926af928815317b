/**
 * A client of a running agent, over the same WebSocket protocol as the web app. It is not a
 * browser: it sends no Origin and authenticates with `Authorization: Bearer TOKEN`.
 */
import WebSocket from 'ws';
import {
  parseServerMessage,
  type ClientMessageInput,
  type Lab,
  type NamespaceState,
  type ServerMessage,
} from '@netns-lab/model';
import { CliError } from './io';

export type Hello = Extract<ServerMessage, { type: 'hello' }>;

export interface AgentSession {
  hello: Hello;
  lab: Lab | null;
  namespaces: NamespaceState[];
  /** The agent's address, without the token (safe to print). */
  address: string;
  send(message: ClientMessageInput): void;
  /** Every message after the first state; returns a function that stops listening. */
  onMessage(listener: (message: ServerMessage) => void): () => void;
  /** Resolves when the connection closes, for whatever reason. */
  closed: Promise<{ code: number; reason: string }>;
  /**
   * Runs `until` over the messages until it returns an exit code; fails with `goneMessage` if
   * the agent goes away first.
   */
  follow(
    until: (message: ServerMessage) => number | undefined,
    goneMessage: string,
  ): Promise<number>;
  close(): void;
}

interface Target {
  socketUrl: string;
  address: string;
  token: string;
}

export function parseAgentUrl(text: string, source: string): Target {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CliError(`the agent URL from ${source} is not a URL`);
  }
  const token = url.searchParams.get('token');
  if (url.protocol !== 'http:' || token === null || token === '') {
    throw new CliError(
      `the agent URL from ${source} should be the one the agent printed: http://127.0.0.1:PORT/?token=...`,
    );
  }
  return { socketUrl: `ws://${url.host}/ws`, address: `http://${url.host}/`, token };
}

const describe = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

export async function connectAgent(
  agentUrl: string,
  source: string,
  timeoutMs = 10_000,
): Promise<AgentSession> {
  const target = parseAgentUrl(agentUrl, source);
  const socket = new WebSocket(target.socketUrl, {
    headers: { Authorization: `Bearer ${target.token}` },
    handshakeTimeout: timeoutMs,
    perMessageDeflate: false,
  });
  const listeners = new Set<(message: ServerMessage) => void>();
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') }));
  });

  return new Promise<AgentSession>((resolve, reject) => {
    let hello: Hello | undefined;
    let lab: Lab | null | undefined;
    let ready = false;
    const fail = (message: string): void => {
      socket.terminate();
      reject(new CliError(message));
    };
    const timer = setTimeout(
      () => fail(`the agent at ${target.address} did not answer within ${timeoutMs / 1000} s`),
      timeoutMs,
    );

    socket.on('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      const status = res.statusCode ?? 0;
      res.resume();
      if (status === 401) {
        fail(
          `the agent at ${target.address} refused the token from ${source}: it belongs to an ` +
            'earlier run of the agent; use the URL the agent printed this time',
        );
      } else {
        fail(`the agent at ${target.address} refused this client (HTTP ${status})`);
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (ready) return;
      if (error.code === 'ECONNREFUSED') {
        fail(
          `no agent is running at ${target.address} (URL from ${source}): start one with ` +
            '`netns-lab serve`',
        );
      } else {
        fail(`cannot reach the agent at ${target.address}: ${describe(error)}`);
      }
    });
    socket.on('close', (code, reason) => {
      clearTimeout(timer);
      if (!ready) {
        fail(
          `the agent closed the connection (${code}${reason.length > 0 ? `: ${reason.toString('utf8')}` : ''})`,
        );
      }
    });
    socket.on('message', (data: Buffer) => {
      let json: unknown;
      try {
        json = JSON.parse(data.toString('utf8'));
      } catch {
        return;
      }
      const parsed = parseServerMessage(json);
      if (!parsed.ok) {
        if (hello === undefined) {
          fail(
            `the agent at ${target.address} speaks another protocol version ` +
              `(${parsed.error.message}); use the netns-lab command of the same version`,
          );
        }
        return;
      }
      const message = parsed.message;
      if (ready) {
        for (const listener of listeners) listener(message);
        return;
      }
      if (message.type === 'hello') hello = message;
      else if (message.type === 'lab') lab = message.lab;
      else if (message.type === 'error' && message.requestId === undefined) {
        clearTimeout(timer);
        fail(`the agent reported: ${message.message}`);
      } else if (message.type === 'state' && hello !== undefined && lab !== undefined) {
        ready = true;
        clearTimeout(timer);
        const session: AgentSession = {
          hello,
          lab,
          namespaces: message.namespaces,
          address: target.address,
          send: (m) => socket.send(JSON.stringify(m)),
          onMessage(listener) {
            listeners.add(listener);
            return () => listeners.delete(listener);
          },
          closed,
          follow: (until, goneMessage) => follow(session, until, goneMessage),
          close: () => socket.close(1000),
        };
        resolve(session);
      }
    });
  });
}

function follow(
  session: AgentSession,
  until: (message: ServerMessage) => number | undefined,
  goneMessage: string,
): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let done = false;
    const stop = session.onMessage((message) => {
      if (done) return;
      const code = until(message);
      if (code === undefined) return;
      done = true;
      stop();
      resolve(code);
    });
    void session.closed.then(({ code, reason }) => {
      if (done) return;
      done = true;
      stop();
      reject(
        new CliError(`${goneMessage} (connection closed: ${code}${reason ? ` ${reason}` : ''})`),
      );
    });
  });
}
