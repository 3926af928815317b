/**
 * One WebSocket client. It gets hello, the applied lab and every namespace's tables, then the
 * engine's broadcasts; each of its messages is rate-limited, parsed with the shared schema and
 * guarded before the engine sees it. Nothing a client sends can end the connection of another
 * client or the agent: a bad message gets a structured error, an engine failure an `internal`
 * error, and only abuse (flooding, oversized frames) closes this one connection.
 */
import { WebSocket, type RawData } from 'ws';
import {
  parseClientMessage,
  PROTOCOL_VERSION,
  type ClientMessage,
  type ServerMessageInput,
} from '@netns-lab/model';
import { noteArrival } from '../engine/timing';
import type { Engine, Send } from '../engine/types';
import { guardClientMessage } from './message-guard';
import { TokenBucket, type RateLimitOptions } from './rate-limit';

/** WebSocket close codes used here (RFC 6455, section 7.4.1). */
export const CLOSE_CODES = {
  goingAway: 1001,
  policyViolation: 1008,
  messageTooBig: 1009,
  tryAgainLater: 1013,
} as const;

export interface ConnectionOptions {
  engine: Engine;
  agentVersion: string;
  rateLimit: RateLimitOptions;
  /** A client that lets this much unsent data pile up is dropped (memory stays bounded). */
  maxBufferedBytes: number;
  log: (line: string) => void;
}

/** Messages held back while the first `state` is being read (broadcasts, early replies). */
const MAX_PENDING = 10_000;

type ErrorMessage = Extract<ServerMessageInput, { type: 'error' }>;

function requestIdOf(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null || !('requestId' in json)) return undefined;
  const id = (json as { requestId: unknown }).requestId;
  return typeof id === 'string' && id.length >= 1 && id.length <= 64 ? id : undefined;
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

const describe = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

export function serveConnection(socket: WebSocket, options: ConnectionOptions): void {
  const { engine, log } = options;
  let ready = false;
  const pending: ServerMessageInput[] = [];
  /** Pings and tracepaths still running for this client, cancelled when it goes away. */
  const running = new Set<string>();

  const write = (message: ServerMessageInput): void => {
    if (socket.readyState !== WebSocket.OPEN) return;
    if (socket.bufferedAmount > options.maxBufferedBytes) {
      log('netns-lab: dropping a client that does not read its messages');
      socket.terminate();
      return;
    }
    socket.send(JSON.stringify(message));
  };
  const send: Send = (message) => {
    if ((message.type === 'ping-done' || message.type === 'tracepath-done') && message.requestId) {
      running.delete(message.requestId);
    }
    if (ready) {
      write(message);
      return;
    }
    pending.push(message);
    if (pending.length > MAX_PENDING) socket.terminate();
  };
  const sendError = (error: Omit<ErrorMessage, 'type'>): void => send({ type: 'error', ...error });

  // Subscribed before hello, so that no broadcast falls between the snapshot and the stream;
  // broadcasts wait in `pending` until the snapshot has been sent.
  const unsubscribe = engine.subscribe(send);
  write({
    type: 'hello',
    protocol: PROTOCOL_VERSION,
    agentVersion: options.agentVersion,
    mode: engine.info.mode,
    rootless: engine.info.rootless,
    tools: engine.info.tools,
  });
  write({ type: 'lab', ...engine.shownLab() });
  void engine
    .snapshot()
    .then(
      (namespaces) => write({ type: 'state', namespaces }),
      (error: unknown) =>
        write({
          type: 'error',
          code: 'internal',
          message: `could not read the kernel's tables: ${describe(error)}`,
        }),
    )
    .finally(() => {
      ready = true;
      for (const message of pending.splice(0)) write(message);
    });

  const handle = async (message: ClientMessage): Promise<void> => {
    const requestId = 'requestId' in message ? message.requestId : undefined;
    if ((message.type === 'ping' || message.type === 'tracepath') && requestId !== undefined) {
      running.add(requestId);
    }
    try {
      await engine.handle(message, send);
    } catch (error) {
      log(`netns-lab: handling a ${message.type} message failed: ${describe(error)}`);
      sendError({
        code: 'internal',
        message: `the agent failed to handle this ${message.type}: ${describe(error)}`,
        ...(requestId === undefined ? {} : { requestId }),
      });
    }
  };

  const bucket = new TokenBucket(options.rateLimit);
  let dropped = 0;
  socket.on('message', (data, isBinary) => {
    if (socket.readyState !== WebSocket.OPEN) return;
    if (!bucket.take()) {
      dropped += 1;
      if (dropped === 1) {
        sendError({
          code: 'rate-limited',
          message: `too many messages: at most ${options.rateLimit.perSecond} per second; messages are dropped until the rate falls`,
        });
      }
      if (dropped >= options.rateLimit.burst) {
        socket.close(CLOSE_CODES.policyViolation, 'rate limit exceeded');
      }
      return;
    }
    dropped = 0;
    if (isBinary) {
      sendError({ code: 'bad-message', message: 'messages are JSON text frames, not binary' });
      return;
    }
    const received = performance.now();
    const text = rawText(data);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      sendError({ code: 'bad-message', message: `not valid JSON: ${describe(error)}` });
      return;
    }
    const parsedAt = performance.now();
    const requestId = requestIdOf(json);
    const withId = requestId === undefined ? {} : { requestId };
    const parsed = parseClientMessage(json);
    if (!parsed.ok) {
      sendError({ ...withId, ...parsed.error });
      return;
    }
    const guarded = guardClientMessage(parsed.message);
    if (!guarded.ok) {
      sendError({ code: 'bad-message', ...withId, message: guarded.message, path: guarded.path });
      return;
    }
    noteArrival(guarded.message, received, parsedAt);
    void handle(guarded.message);
  });

  // ws reports protocol errors (a frame over maxPayload, invalid UTF-8) here and closes the
  // socket itself; without a listener the error would crash the agent.
  socket.on('error', () => {});
  socket.on('close', () => {
    unsubscribe();
    pending.length = 0;
    for (const requestId of running) {
      void engine.handle({ type: 'cancel', requestId }, send).catch(() => {});
    }
    running.clear();
  });
}
