/**
 * The WebSocket handshake check. It runs in the HTTP server's `upgrade` handler, before `ws`
 * sees the request, so a refused client never gets a WebSocket at all.
 *
 * Rules, in order:
 * - Host must be exactly this agent (DNS rebinding).
 * - The path must be /ws.
 * - Origin must be exactly one of this agent's own origins. A missing Origin is only accepted
 *   from a non-browser client that sends the token as `Authorization: Bearer` (the CLI, a
 *   grader): browsers always send Origin on a WebSocket and cannot set Authorization, so this
 *   opens nothing to web pages. `null` (sandboxed frames, file:// pages) is refused.
 * - The token: the cookie (browsers) or the bearer header.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { hasValidToken, hostAllowed, originAllowed, type AccessPolicy } from './access-policy';
import { readBearer } from './token';

export const WEBSOCKET_PATH = '/ws';

export type UpgradeVerdict =
  { ok: true } | { ok: false; status: 400 | 401 | 403 | 404; reason: string };

export function checkUpgrade(req: IncomingMessage, policy: AccessPolicy): UpgradeVerdict {
  if (!hostAllowed(policy, req.headers.host)) {
    return { ok: false, status: 403, reason: 'host not allowed' };
  }
  let pathname: string;
  try {
    pathname = new URL(req.url ?? '/', 'http://agent.invalid').pathname;
  } catch {
    return { ok: false, status: 400, reason: 'bad request' };
  }
  if (pathname !== WEBSOCKET_PATH) return { ok: false, status: 404, reason: 'not found' };
  const origin = req.headers.origin;
  if (origin === undefined) {
    if (readBearer(req.headers.authorization) === undefined) {
      return { ok: false, status: 403, reason: 'origin missing' };
    }
  } else if (!originAllowed(policy, origin)) {
    return { ok: false, status: 403, reason: 'origin not allowed' };
  }
  if (!hasValidToken(policy, req.headers)) {
    return {
      ok: false,
      status: 401,
      reason: 'token missing or wrong: open the URL the agent printed',
    };
  }
  return { ok: true };
}

/** Answers a refused handshake with a plain HTTP response, then closes the socket. */
export function rejectUpgrade(socket: Duplex, status: number, reason: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = `netns-lab: ${reason}\n`;
  const response = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'Connection: close',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Cache-Control: no-store',
    '',
    body,
  ].join('\r\n');
  // A peer that never reads must not keep the socket open.
  const timer = setTimeout(() => socket.destroy(), 1000);
  timer.unref();
  socket.once('finish', () => {
    clearTimeout(timer);
    socket.destroy();
  });
  socket.end(response);
}
