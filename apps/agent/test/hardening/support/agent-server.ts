/**
 * The real agent server (startServer) over a real engine in its sandbox, on a free loopback
 * port, and WebSocket clients that connect the way a script does (bearer token, no Origin).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type KernelEngine } from '../../../src/engine/engine';
import { startServer, type RunningServer, type ServerOptions } from '../../../src/server';
import { handshake, type TestClient } from '../../../src/server/test-support';

export interface AgentServer {
  engine: KernelEngine;
  server: RunningServer;
  connect(): Promise<TestClient>;
  close(): Promise<void>;
}

export async function startAgentServer(
  options: Partial<Pick<ServerOptions, 'rateLimit'>> = {},
): Promise<AgentServer> {
  const webRoot = mkdtempSync(join(tmpdir(), 'netns-lab-hardening-web-'));
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>netns-lab app</title>');
  const engine = await createEngine({ mode: 'sandbox' });
  const logs: string[] = [];
  const server = await startServer({
    engine,
    port: 0,
    webRoot,
    log: (line) => logs.push(line),
    ...options,
  });
  return {
    engine,
    server,
    async connect() {
      const result = await handshake(server.port, {
        Host: `127.0.0.1:${server.port}`,
        Authorization: `Bearer ${server.token}`,
      });
      if (!result.opened) throw new Error(`refused: ${result.status} ${result.body}`);
      await result.client.next('state', () => true, 10_000);
      return result.client;
    },
    async close() {
      await server.close();
      await engine.close();
      rmSync(webRoot, { recursive: true, force: true });
    },
  };
}
