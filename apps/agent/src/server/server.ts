/**
 * The agent's HTTP + WebSocket server: the web app, a health endpoint and the protocol, behind
 * a per-start token, a Host allowlist and, for the WebSocket, an Origin allowlist.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { WebSocketServer } from 'ws';
import { MAX_MESSAGE_BYTES } from '@netns-lab/model';
import type { Engine } from '../engine/types';
import { createAccessPolicy } from './access-policy';
import { serveConnection } from './connection';
import { errorHandler, notFound } from './error-handler';
import { healthRoute } from './health';
import { startHeartbeat } from './heartbeat';
import { hostCheck } from './host-check';
import { closeServer, listen, planBind } from './listen';
import { DEFAULT_RATE_LIMIT, type RateLimitOptions } from './rate-limit';
import { securityHeaders } from './security-headers';
import { createToken, isWellFormedToken } from './token';
import { tokenAuth } from './token-auth';
import { checkUpgrade, rejectUpgrade } from './upgrade';
import { AGENT_VERSION } from './version';
import { webApp } from './web-app';

export interface ServerOptions {
  engine: Engine;
  /** 0: any free port. */
  port: number;
  /** Default 127.0.0.1 (which also listens on ::1 when it can). */
  host?: string;
  /** Required to listen on anything but loopback; a warning is printed then. */
  allowRemote?: boolean;
  /** The built web app (apps/web/dist). */
  webRoot: string;
  /** Default: 32 fresh random bytes, base64url. */
  token?: string;
  /** Per-connection message rate limit; default 50 per second, bursts of 100. */
  rateLimit?: RateLimitOptions;
  /** Ping interval for dead-socket detection; default 30 s. */
  heartbeatMs?: number;
  /** Where warnings go; default stderr. */
  log?: (line: string) => void;
}

export interface RunningServer {
  /** The URL to open, carrying the token once: http://127.0.0.1:PORT/?token=... */
  url: string;
  port: number;
  token: string;
  /** Every address the server listens on. */
  addresses: AddressInfo[];
  /** Closes every client and stops listening. Idempotent. */
  close(): Promise<void>;
}

const DEFAULT_HEARTBEAT_MS = 30_000;
/** Unsent data per client before it is dropped: a few full-size messages. */
const MAX_BUFFERED_BYTES = 8 * MAX_MESSAGE_BYTES;
/** How long clients get to answer a close frame before they are cut off. */
const CLOSE_GRACE_MS = 1000;

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const bind = planBind(options.host ?? '127.0.0.1', options.allowRemote ?? false);
  const token = options.token ?? createToken();
  if (!isWellFormedToken(token)) {
    throw new Error('the token must be at least 22 base64url characters (128 bits)');
  }

  // The app needs the port (for the allowlists), which is only known after listening.
  const handler: { app?: RequestListener } = {};
  const newHttpServer = (): Server =>
    createServer((req, res) => {
      if (handler.app === undefined) {
        res.writeHead(503).end();
        return;
      }
      handler.app(req, res);
    });

  const [first, ...others] = bind.addresses;
  if (first === undefined) throw new Error('nowhere to listen');
  const primary = newHttpServer();
  await listen(primary, options.port, first);
  const port = (primary.address() as AddressInfo).port;
  const servers = [primary];
  for (const address of others) {
    const server = newHttpServer();
    try {
      await listen(server, port, address);
      servers.push(server);
    } catch {
      // No IPv6 loopback here, or something else holds [::1]:PORT: 127.0.0.1 is enough.
    }
  }

  const policy = createAccessPolicy(port, token, bind.extraHostnames);
  const expressApp = express();
  expressApp.disable('x-powered-by');
  expressApp.use(securityHeaders(policy));
  expressApp.use(hostCheck(policy));
  expressApp.use(tokenAuth(policy));
  expressApp.get('/api/health', healthRoute(options.engine));
  expressApp.use(webApp(options.webRoot));
  expressApp.use(notFound());
  expressApp.use(errorHandler(log));
  handler.app = expressApp;

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    // Compression invites decompression bombs and costs CPU on a loopback link.
    perMessageDeflate: false,
    clientTracking: true,
  });
  const heartbeat = startHeartbeat(wss.clients, options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
  wss.on('connection', (socket) => {
    heartbeat.track(socket);
    serveConnection(socket, {
      engine: options.engine,
      agentVersion: AGENT_VERSION,
      rateLimit: options.rateLimit ?? DEFAULT_RATE_LIMIT,
      maxBufferedBytes: MAX_BUFFERED_BYTES,
      log,
    });
  });

  let closing: Promise<void> | undefined;
  for (const server of servers) {
    server.on('upgrade', (req, socket, head) => {
      socket.on('error', () => socket.destroy());
      if (closing !== undefined) {
        rejectUpgrade(socket, 503, 'the agent is stopping');
        return;
      }
      const verdict = checkUpgrade(req, policy);
      if (!verdict.ok) {
        rejectUpgrade(socket, verdict.status, verdict.reason);
        return;
      }
      wss.handleUpgrade(req, socket, head, (client) => wss.emit('connection', client, req));
    });
  }

  if (bind.remote) {
    log(
      `WARNING: netns-lab is listening on ${first}, beyond this machine's loopback. Anyone who ` +
        'can reach it and learns the token controls the lab, and the traffic is not encrypted.',
    );
  }

  const shutdown = async (): Promise<void> => {
    heartbeat.stop();
    const wssClosed = new Promise<void>((resolve) => wss.close(() => resolve()));
    for (const client of wss.clients) client.close(1001, 'netns-lab is stopping');
    const cutOff = setTimeout(() => {
      for (const client of wss.clients) client.terminate();
    }, CLOSE_GRACE_MS);
    await Promise.all(servers.map(closeServer));
    await wssClosed;
    clearTimeout(cutOff);
  };

  return {
    url: `http://${bind.urlHost}:${port}/?token=${token}`,
    port,
    token,
    addresses: servers.map((server) => server.address() as AddressInfo),
    close: () => (closing ??= shutdown()),
  };
}
