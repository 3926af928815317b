/**
 * Live latency: from a change in the kernel to the `ns-state` that reports it arriving at a
 * WebSocket client. The changes are made from outside the agent, inside its sandbox:
 * - an address: written to an `ip -batch -` that already runs in the namespace, so the change
 *   happens when the line is written (no process start in the measurement);
 * - a neighbour learned by ping: the moment the kernel learns it is taken from our own
 *   `ip monitor neigh` in that namespace, so the ping's own start-up is not counted.
 * Every trial waits for its own ns-state (bounded), then the next one starts.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { NamespaceState } from '@netns-lab/model';
import type { AgentProcess } from './agent-process';
import { addressOf } from './labs';
import type { BenchClient } from './ws-client';

export interface LiveResult {
  addressAdded: number[];
  addressRemoved: number[];
  neighbourLearned: number[];
  /** Trials whose ns-state did not arrive within the per-trial bound. */
  missed: number;
}

const TRIAL_TIMEOUT_MS = 3000;
const PAUSE_MS = 60;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with the arrival time of the first ns-state of `ns` that satisfies `test`. */
function nextState(
  client: BenchClient,
  ns: string,
  test: (state: NamespaceState) => boolean,
): Promise<number | undefined> {
  return new Promise((resolve) => {
    const listener = (state: NamespaceState, at: number): void => {
      if (state.ns !== ns || !test(state)) return;
      finish(at);
    };
    const timer = setTimeout(() => finish(undefined), TRIAL_TIMEOUT_MS);
    function finish(at: number | undefined): void {
      clearTimeout(timer);
      client.onState.delete(listener);
      resolve(at);
    }
    client.onState.add(listener);
  });
}

function start(agent: AgentProcess, ns: string, argv: string[]): ChildProcessWithoutNullStreams {
  const [file, ...args] = [...agent.nsPrefix(ns), ...argv] as [string, ...string[]];
  return spawn(file, args, { stdio: 'pipe', env: { ...process.env, LC_ALL: 'C' } });
}

/**
 * `count` trials of each kind on a lab of at least 25 namespaces (bridgeLab): addresses are
 * added and removed on ns0..ns4, and ns0..ns4 ping ns5..ns{5+count/5}.
 */
export async function measureLiveLatency(
  agent: AgentProcess,
  client: BenchClient,
  count: number,
  progress: (line: string) => void,
): Promise<LiveResult> {
  const sources = [0, 1, 2, 3, 4];
  const children: ChildProcessWithoutNullStreams[] = [];
  const result: LiveResult = {
    addressAdded: [],
    addressRemoved: [],
    neighbourLearned: [],
    missed: 0,
  };
  try {
    const batches = sources.map((i) => {
      const child = start(agent, `ns${i}`, ['ip', '-force', '-batch', '-']);
      children.push(child);
      return child;
    });
    for (let k = 0; k < count; k++) {
      const i = sources[k % sources.length]!;
      const cidr = `10.200.${k >> 8}.${k & 255}/32`;
      const hasIt = (s: NamespaceState) => s.addresses.some((a) => a.cidr === cidr);
      const added = nextState(client, `ns${i}`, hasIt);
      const t0 = performance.now();
      batches[k % sources.length]!.stdin.write(`addr add ${cidr} dev veth${i}\n`);
      const t1 = await added;
      if (t1 === undefined) result.missed += 1;
      else result.addressAdded.push(t1 - t0);
      await sleep(PAUSE_MS);
      const removed = nextState(client, `ns${i}`, (s) => !hasIt(s));
      const t2 = performance.now();
      batches[k % sources.length]!.stdin.write(`addr del ${cidr} dev veth${i}\n`);
      const t3 = await removed;
      if (t3 === undefined) result.missed += 1;
      else result.addressRemoved.push(t3 - t2);
      await sleep(PAUSE_MS);
      if ((k + 1) % 25 === 0) progress(`    address changes: ${k + 1}/${count}`);
    }

    // Our own monitor in each source namespace says when the kernel learned each neighbour.
    const learnedAt = new Map<string, number>();
    for (const i of sources) {
      const monitor = start(agent, `ns${i}`, ['ip', 'monitor', 'neigh']);
      children.push(monitor);
      createInterface({ input: monitor.stdout }).on('line', (line) => {
        const match = /^(\S+) dev (\S+) lladdr \S+ (REACHABLE|STALE|DELAY)/.exec(line);
        if (match && !learnedAt.has(`${match[2]} ${match[1]}`))
          learnedAt.set(`${match[2]} ${match[1]}`, performance.now());
      });
    }
    await sleep(300);
    for (let k = 0; k < count; k++) {
      const i = sources[k % sources.length]!;
      const target = addressOf(sources.length + Math.floor(k / sources.length));
      const key = `veth${i} ${target}`;
      const learned = (s: NamespaceState) =>
        s.neighbours.some((n) => n.address === target && n.mac !== undefined);
      const arrived = nextState(client, `ns${i}`, learned);
      const ping = start(agent, `ns${i}`, ['ping', '-c', '1', '-W', '1', target]);
      children.push(ping);
      const t1 = await arrived;
      const t0 = learnedAt.get(key);
      if (t1 === undefined || t0 === undefined) result.missed += 1;
      else result.neighbourLearned.push(t1 - t0);
      await new Promise((resolve) =>
        ping.exitCode !== null ? resolve(null) : ping.once('exit', resolve),
      );
      await sleep(PAUSE_MS);
      if ((k + 1) % 25 === 0) progress(`    neighbours learned: ${k + 1}/${count}`);
    }
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  }
  return result;
}
