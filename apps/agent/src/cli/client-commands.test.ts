import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_LABS, type ClientMessage, type NamespaceState } from '@netns-lab/model';
import type { Send } from '../engine/types';
import {
  fakeEngine,
  startTestServer,
  type FakeEngine,
  type TestServer,
} from '../server/test-support';
import type { Io } from './io';
import { runCli } from './run';

let dir = '';
let test: TestServer | undefined;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'netns-lab-client-'));
  writeFileSync(path.join(dir, 'seed-veth.json'), JSON.stringify(EXAMPLE_LABS[0]!.lab));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await test?.close();
  test = undefined;
});

function capture(env: NodeJS.ProcessEnv = {}): Io & { out: string[]; errors: string[] } {
  const out: string[] = [];
  const errors: string[] = [];
  return {
    out,
    errors,
    print: (line) => out.push(line),
    warn: (line) => errors.push(line),
    write: (text) => out.push(text),
    env: { XDG_RUNTIME_DIR: dir, ...env },
  };
}

const redState: NamespaceState = {
  ns: 'red',
  links: [
    {
      ifname: 'veth-red',
      ifindex: 2,
      state: 'UP',
      adminUp: true,
      mac: '02:00:00:00:00:01',
      kind: 'veth',
    },
  ],
  addresses: [{ ifname: 'veth-red', cidr: '192.168.15.1/24', family: 4 }],
  routes: [{ to: '192.168.15.0/24', dev: 'veth-red', family: 4, protocol: 'kernel' }],
  neighbours: [
    { address: '192.168.15.2', dev: 'veth-red', mac: '02:00:00:00:00:02', state: 'REACHABLE' },
  ],
  fdb: [],
  ipForward: false,
  nat: [],
  readAt: 0,
};

/** An engine that answers like the real one, without a kernel. */
function scriptedEngine(applyOk = true): FakeEngine {
  const engine: FakeEngine = fakeEngine((message: ClientMessage, reply: Send) => {
    if (message.type === 'apply') {
      const argv = ['ip', 'netns', 'add', 'red'];
      engine.broadcast({
        type: 'apply-started',
        applyId: 'A',
        requestId: message.requestId,
        kind: 'apply',
        steps: [{ index: 0, argv, target: { nodeId: 'red' } }],
      });
      engine.broadcast({
        type: 'apply-step',
        applyId: 'A',
        index: 0,
        total: 1,
        status: applyOk ? 'ok' : 'failed',
        argv,
      });
      engine.broadcast({
        type: 'apply-done',
        applyId: 'A',
        requestId: message.requestId,
        ok: applyOk,
        commandsRun: 1,
        processes: 1,
        durationMs: 3,
        ...(applyOk
          ? {}
          : {
              failure: {
                index: 0,
                argv,
                stderr: 'File exists',
                message: 'red already exists',
                target: { path: 'nodes[1]' },
              },
              rolledBack: true,
            }),
      });
    }
    if (message.type === 'ping') {
      reply({
        type: 'ping-reply',
        requestId: message.requestId,
        seq: 1,
        ttl: 64,
        timeMs: 0.05,
        from: message.target,
      });
      reply({
        type: 'ping-done',
        requestId: message.requestId,
        transmitted: 1,
        received: 1,
        rtt: { min: 0.05, avg: 0.05, max: 0.05 },
      });
    }
  });
  engine.snapshot = () => Promise.resolve([redState]);
  return engine;
}

async function start(engine: FakeEngine): Promise<TestServer> {
  test = await startTestServer({ engine });
  return test;
}

describe('client commands against a running agent', () => {
  it('apply prints each step and the summary, and exits 0', async () => {
    const t = await start(scriptedEngine());
    const io = capture();
    const code = await runCli(
      ['apply', path.join(dir, 'seed-veth.json'), '--url', t.server.url],
      io,
    );
    expect(code).toBe(0);
    expect(io.out).toEqual([
      'applying: 1 step',
      '[1/1] ok     ip netns add red',
      'applied: 1 command in 1 process, 3 ms',
    ]);
    expect(t.engine.handled[0]).toMatchObject({
      type: 'apply',
      lab: { name: EXAMPLE_LABS[0]!.lab.name },
    });
  });

  it('apply prints the failed command, why, and the rollback, and exits 1', async () => {
    const t = await start(scriptedEngine(false));
    const io = capture();
    const code = await runCli(
      ['apply', path.join(dir, 'seed-veth.json'), '--url', t.server.url],
      io,
    );
    expect(code).toBe(1);
    expect(io.out).toContain('apply failed at step 1: red already exists');
    expect(io.out).toContain('  stderr:  File exists');
    expect(io.out).toContain('  element: nodes[1]');
    expect(io.out).toContain('the agent rolled back to the last good lab');
  });

  it('status and tables read the agent found through $NETNS_LAB_URL', async () => {
    const t = await start(scriptedEngine());
    const io = capture({ NETNS_LAB_URL: t.server.url });
    expect(await runCli(['status'], io)).toBe(0);
    expect(io.out.join('\n')).toMatch(/mode {8}sandbox \(rootless\)/);
    expect(io.out.join('\n')).toMatch(/red +1 +1 +1 +1 +off/);
    expect(io.out.join('\n')).not.toContain(t.token);
    const tables = capture({ NETNS_LAB_URL: t.server.url });
    expect(await runCli(['tables', 'red'], tables)).toBe(0);
    expect(tables.out.join('\n')).toMatch(
      /192\.168\.15\.2 +veth-red +02:00:00:00:00:02 +REACHABLE/,
    );
    const unknown = capture({ NETNS_LAB_URL: t.server.url });
    expect(await runCli(['tables', 'blue'], unknown)).toBe(1);
    expect(unknown.errors.join('\n')).toContain('no namespace "blue"');
  });

  it('ping streams the replies and the summary', async () => {
    const t = await start(scriptedEngine());
    const io = capture({ NETNS_LAB_URL: t.server.url });
    expect(await runCli(['ping', 'red', '192.168.15.2', '-c', '1'], io)).toBe(0);
    expect(io.out).toContain('reply from 192.168.15.2: seq=1 ttl=64 time=0.05 ms');
    expect(io.out).toContain('1 transmitted, 1 received, 0% packet loss');
  });

  it('a stale token is refused with a message that says to use the new URL', async () => {
    const t = await start(scriptedEngine());
    const io = capture({ NETNS_LAB_URL: `http://127.0.0.1:${t.port}/?token=${'D'.repeat(43)}` });
    expect(await runCli(['status'], io)).toBe(1);
    expect(io.errors.join('\n')).toContain('earlier run of the agent');
  });

  it('a stopped agent is reported as not running', async () => {
    const t = await start(scriptedEngine());
    const url = t.server.url;
    await t.close();
    test = undefined;
    const io = capture({ NETNS_LAB_URL: url });
    expect(await runCli(['status'], io)).toBe(1);
    expect(io.errors.join('\n')).toContain('no agent is running at');
  });
});
