/**
 * Pings every client at an interval and drops the ones that did not answer the previous ping
 * (a closed laptop lid or a dead network leaves sockets that TCP alone keeps for hours).
 */
import type { WebSocket } from 'ws';

export interface Heartbeat {
  track(socket: WebSocket): void;
  stop(): void;
}

export function startHeartbeat(clients: ReadonlySet<WebSocket>, intervalMs: number): Heartbeat {
  const answered = new WeakSet<WebSocket>();
  const timer = setInterval(() => {
    for (const socket of clients) {
      if (!answered.has(socket)) {
        socket.terminate();
        continue;
      }
      answered.delete(socket);
      socket.ping();
    }
  }, intervalMs);
  timer.unref();
  return {
    track(socket) {
      answered.add(socket);
      socket.on('pong', () => answered.add(socket));
    },
    stop() {
      clearInterval(timer);
    },
  };
}
