/**
 * Protocol fuzzing through the real server and a real engine in its sandbox: thousands of
 * generated and mutated frames, each answered with a structured error (or, for a frame that
 * is not UTF-8 or is over the size limit, a clean close), none of them starting a single child
 * process, and the agent still up and no bigger at the end.
 *
 * How "no child process" is measured: every process the engine starts goes through its runner
 * (runner.processCount counts them all), so the test wraps the runner's run and spawn and
 * records each call. The observer also reads a namespace by itself when the kernel reports a
 * change (IPv6 router solicitations and neighbour entries keep coming for a minute after a lab
 * is built), so those reads are told apart, soundly, by their flags: a read the observer makes
 * for a kernel event of a namespace without NAT rules (the lab here has none) does not read
 * NAT, while every read a client can cause (refresh, and the refresh after an apply or a ping)
 * does. Any other process, or a read with NAT, fails the test; the runner's count must equal
 * the event reads seen.
 */
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import fc from 'fast-check';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleLab, MAX_MESSAGE_BYTES, type ServerMessage } from '@netns-lab/model';
import { READ_SCRIPT } from '../../src/kernel/read-namespace';
import { startAgentServer, type AgentServer } from './support/agent-server';
import { hostileFrame, verdict, type Frame } from './support/fuzz-messages';

const FRAMES = 4000;
const OVERSIZED = 3;
const SEED = 424_242;
/** Heap growth allowed over the whole fuzz (after a full GC). */
const HEAP_MARGIN_BYTES = 24 * 1024 * 1024;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let agent: AgentServer;
/** Processes started for any reason but an observer's read on a kernel event. */
const spawned: string[] = [];
let eventReads = 0;

/** The observer's read of a namespace, made for a kernel event (it does not read NAT). */
function isEventRead(argv: readonly string[]): boolean {
  return argv[0] === 'sh' && argv[2] === READ_SCRIPT && !(argv[4] ?? '').split(' ').includes('nat');
}

beforeAll(async () => {
  // The rate limit is proven in messages.test.ts; here every frame must reach the parser.
  agent = await startAgentServer({ rateLimit: { perSecond: 1_000_000, burst: 1_000_000 } });
  const runner = agent.engine.runner as {
    run: typeof agent.engine.runner.run;
    spawn: typeof agent.engine.runner.spawn;
  };
  const { run, spawn } = runner;
  runner.run = (ns, argv, options) => {
    if (isEventRead(argv)) eventReads += 1;
    else spawned.push(`${ns}: ${argv[0] === 'sh' ? `read ${argv[4] ?? ''}` : argv.join(' ')}`);
    return run(ns, argv, options);
  };
  runner.spawn = (ns, argv, options) => {
    spawned.push(`${ns}: ${argv.join(' ')}`);
    return spawn(ns, argv, options);
  };
});

afterAll(async () => {
  await agent?.close();
});

/** A raw WebSocket client that sends one frame and waits for its answer. */
class FuzzClient {
  private waiter: ((outcome: Outcome) => void) | undefined;
  closed: number | undefined;
  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString('utf8')) as ServerMessage;
      // Broadcasts (kernel changes) are not answers.
      if (message.type === 'error') this.settle({ kind: 'error', message });
    });
    socket.on('close', (code) => {
      this.closed = code;
      this.settle({ kind: 'close', code });
    });
    socket.on('error', () => {});
  }

  static open(): Promise<FuzzClient> {
    const socket = new WebSocket(`ws://127.0.0.1:${agent.server.port}/ws`, {
      headers: {
        Host: `127.0.0.1:${agent.server.port}`,
        Authorization: `Bearer ${agent.server.token}`,
      },
      maxPayload: 64 * 1024 * 1024,
    });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new FuzzClient(socket)));
      socket.once('error', reject);
    });
  }

  private settle(outcome: Outcome): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.(outcome);
  }

  send(frame: Frame, timeoutMs = 5000): Promise<Outcome> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.settle({ kind: 'silence' }), timeoutMs);
      this.waiter = (outcome) => {
        clearTimeout(timer);
        resolve(outcome);
      };
      if (frame.kind === 'text') this.socket.send(frame.data);
      else this.socket.send(frame.data, { binary: frame.kind === 'binary' });
    });
  }

  close(): void {
    this.socket.terminate();
  }
}

type Outcome =
  | { kind: 'error'; message: Extract<ServerMessage, { type: 'error' }> }
  | { kind: 'close'; code: number }
  | { kind: 'silence' };

/** Waits until the engine has started no process for `quietMs` (bounded by `limitMs`). */
async function waitForQuiet(quietMs: number, limitMs: number): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  let count = agent.engine.runner.processCount;
  let since = Date.now();
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = agent.engine.runner.processCount;
    if (now !== count) {
      count = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return true;
  }
  return false;
}

describe('protocol fuzzing', () => {
  it(`${FRAMES} hostile frames and ${OVERSIZED} oversized ones: structured errors or clean closes, no process, agent up, memory bounded`, async () => {
    // A lab without NAT, so that namespaces that exist are named in the frames.
    let client = await FuzzClient.open();
    client.socket.send(
      JSON.stringify({ type: 'apply', requestId: 'lab', lab: exampleLab('seed-bridge') }),
    );
    await expect
      .poll(() => agent.engine.appliedLab()?.name, { timeout: 30_000 })
      .toBe(exampleLab('seed-bridge').name);
    // Let the burst of reads after the apply pass (best effort: later kernel events are told
    // apart anyway).
    await waitForQuiet(1500, 10_000);

    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const processesBefore = agent.engine.runner.processCount;
    spawned.length = 0;
    eventReads = 0;
    const counts = { frames: 0, errors: 0, closes: 0, skippedValid: 0 };
    const started = Date.now();

    await fc.assert(
      fc.asyncProperty(hostileFrame, async (frame) => {
        const expected = verdict(frame);
        if (expected.answer === 'runs') {
          counts.skippedValid += 1;
          return;
        }
        if (client.closed !== undefined) client = await FuzzClient.open();
        const outcome = await client.send(frame);
        counts.frames += 1;
        if (expected.answer === 'close') {
          expect(outcome, frame.what).toEqual({ kind: 'close', code: expected.code });
          counts.closes += 1;
          return;
        }
        expect(
          outcome.kind,
          `${frame.what}: ${frame.kind === 'text' ? frame.data.slice(0, 200) : ''}`,
        ).toBe('error');
        if (outcome.kind !== 'error') return;
        counts.errors += 1;
        expect(outcome.message.code, frame.what).toBe(expected.code);
        expect(typeof outcome.message.message).toBe('string');
        expect(outcome.message.message.length).toBeGreaterThan(0);
        expect(spawned, frame.what).toEqual([]);
      }),
      { numRuns: FRAMES, seed: SEED, endOnFailure: true },
    );

    // Frames over the size limit: the connection is closed with 1009 (message too big).
    for (let i = 0; i < OVERSIZED; i += 1) {
      if (client.closed !== undefined) client = await FuzzClient.open();
      const payload = JSON.stringify({
        type: 'refresh',
        ns: 'x'.repeat(MAX_MESSAGE_BYTES + i * 1024),
      });
      const outcome = await client.send({ kind: 'text', data: payload, what: 'oversized' });
      expect(outcome).toEqual({ kind: 'close', code: 1009 });
      counts.frames += 1;
      counts.closes += 1;
    }
    const durationMs = Date.now() - started;

    expect(spawned).toEqual([]);
    expect(agent.engine.runner.processCount - processesBefore).toBe(eventReads);
    const readsOnEvents = eventReads;
    client.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    gc();
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore;

    // The agent is still up: a valid message works (and is the first to start a process).
    const last = await FuzzClient.open();
    last.socket.send(
      JSON.stringify({
        type: 'ping',
        requestId: 'alive',
        ns: 'red',
        target: '192.168.15.2',
        count: 1,
        intervalMs: 200,
      }),
    );
    const done = await new Promise<Extract<ServerMessage, { type: 'ping-done' }>>((resolve) =>
      last.socket.on('message', (data: Buffer) => {
        const message = JSON.parse(data.toString('utf8')) as ServerMessage;
        if (message.type === 'ping-done') resolve(message);
      }),
    );
    expect(done.received).toBe(1);
    expect(spawned.length).toBeGreaterThan(0);
    last.close();

    console.info(
      `protocol fuzzing: ${counts.frames} frames (${counts.errors} structured errors, ${counts.closes} clean closes, ` +
        `${counts.skippedValid} generated valid ones skipped) in ${durationMs} ms; 0 processes for them (${readsOnEvents} observer reads on kernel events meanwhile); heap ${(heapGrowth / 1024 / 1024).toFixed(1)} MiB after vs before`,
    );
    expect(counts.frames).toBeGreaterThan(FRAMES * 0.9);
    expect(heapGrowth).toBeLessThan(HEAP_MARGIN_BYTES);
  }, 120_000);
});
