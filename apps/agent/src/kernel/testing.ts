/**
 * Helpers for the kernel tests: the seed's labs built inside a sandbox, and a snapshot of this
 * machine's own network to prove a test left it untouched. Tests never build anything outside
 * a sandbox, and only send traffic to addresses of namespaces they created.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { Endpoint } from '@netns-lab/model';
import { LINK_UP, waitForLinks, watchLinks } from '../apply/link-waits';
import { createRunner, type Runner } from './runner';
import { createSandbox, type Sandbox } from './sandbox';

export interface TestLab {
  sandbox: Sandbox;
  runner: Runner;
  close(): Promise<void>;
}

/**
 * Closes after each test the test labs passed through the returned function (which returns
 * them): `const lab = closing(await createTestLab());`.
 */
export function closedAfterEach(): <T extends TestLab>(lab: T) => T {
  const open: TestLab[] = [];
  afterEach(async () => {
    for (const lab of open.splice(0)) await lab.close();
  });
  return (lab) => {
    open.push(lab);
    return lab;
  };
}

export async function createTestLab(options: { launcher?: boolean } = {}): Promise<TestLab> {
  const sandbox = await createSandbox({ mode: 'sandbox' });
  const runner = createRunner(sandbox, { timeoutMs: 10_000, ...options });
  return {
    sandbox,
    runner,
    async close() {
      await runner.close();
      await sandbox.close();
    },
  };
}

/** [namespace, command] pairs; the commands are the seed's, split on spaces. */
export type Script = readonly (readonly [string, string])[];

/** Runs each command and fails loudly on the first that does not succeed. */
export async function runScript(runner: Runner, script: Script): Promise<void> {
  const setUp: Endpoint[] = [];
  for (const [ns, command] of script) {
    const result = await runner.run(ns, command.split(' '));
    if (result.exitCode !== 0) {
      throw new Error(`${ns}: ${command} failed (${result.exitCode}): ${result.stderr.trim()}`);
    }
    const up = /^ip link set (?:dev )?(\S+) up$/.exec(command);
    if (up) setUp.push({ ns, ifname: up[1]! });
  }
  // As the applier does: the lab carries traffic once the kernel has brought those links up
  // (in the background, a moment after the command), not before.
  const watch = watchLinks(undefined, LINK_UP);
  const { left } = await waitForLinks(
    runner,
    setUp.map((end) => [end]),
    watch,
    LINK_UP,
    {
      timeoutMs: 15_000,
      firstLookMs: 0,
    },
  );
  if (left.length > 0) throw new Error(`links not up after 15 s: ${JSON.stringify(left)}`);
}

/** Seed section 4: red and blue joined by one veth pair. */
export const VETH_LAB: Script = [
  ['host', 'ip netns add red'],
  ['host', 'ip netns add blue'],
  ['host', 'ip link add veth-red type veth peer name veth-blue'],
  ['host', 'ip link set veth-red netns red'],
  ['host', 'ip link set veth-blue netns blue'],
  ['red', 'ip addr add 192.168.15.1/24 dev veth-red'],
  ['blue', 'ip addr add 192.168.15.2/24 dev veth-blue'],
  ['red', 'ip link set veth-red up'],
  ['blue', 'ip link set veth-blue up'],
];

/** Seed section 5: red and blue on the bridge v-net-0 in the lab's host. */
export const BRIDGE_LAB: Script = [
  ['host', 'ip netns add red'],
  ['host', 'ip netns add blue'],
  ['host', 'ip link add v-net-0 type bridge'],
  ['host', 'ip link set dev v-net-0 up'],
  ['host', 'ip link add veth-red type veth peer name veth-red-br'],
  ['host', 'ip link add veth-blue type veth peer name veth-blue-br'],
  ['host', 'ip link set veth-red netns red'],
  ['host', 'ip link set veth-red-br master v-net-0'],
  ['host', 'ip link set veth-blue netns blue'],
  ['host', 'ip link set veth-blue-br master v-net-0'],
  ['red', 'ip addr add 192.168.15.1/24 dev veth-red'],
  ['blue', 'ip addr add 192.168.15.2/24 dev veth-blue'],
  ['red', 'ip link set veth-red up'],
  ['blue', 'ip link set veth-blue up'],
  ['host', 'ip link set veth-red-br up'],
  ['host', 'ip link set veth-blue-br up'],
];

/**
 * Seed section 6 on top of the bridge lab: the lab's host is blue's gateway to 192.168.1.0/24
 * and masquerades. The "LAN" is one more namespace of the test's own (lan, 192.168.1.1), so
 * every packet stays inside the sandbox.
 */
export const GATEWAY_LAB: Script = [
  ...BRIDGE_LAB,
  ['host', 'ip addr add 192.168.15.5/24 dev v-net-0'],
  ['host', 'ip netns add lan'],
  ['host', 'ip link add veth-lan type veth peer name veth-lan-gw'],
  ['host', 'ip link set veth-lan netns lan'],
  ['lan', 'ip addr add 192.168.1.1/24 dev veth-lan'],
  ['lan', 'ip link set veth-lan up'],
  ['host', 'ip addr add 192.168.1.5/24 dev veth-lan-gw'],
  ['host', 'ip link set veth-lan-gw up'],
  ['blue', 'ip route add 192.168.1.0/24 via 192.168.15.5'],
  ['host', 'sysctl -w net.ipv4.ip_forward=1'],
  ['host', 'iptables -t nat -A POSTROUTING -s 192.168.15.0/24 -j MASQUERADE'],
];

/** What a test must leave exactly as it found it on this machine. */
export interface HostSnapshot {
  netns: string;
  links: string;
  iptables: string;
  ipForward: string;
  runNetns: boolean;
  jobFiles: string[];
}

/** Read-only look at this machine's own network (never changes anything). */
export function hostSnapshot(): HostSnapshot {
  const read = (file: string, args: string[]) => {
    try {
      return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      return '(unavailable)';
    }
  };
  return {
    netns: read('ip', ['netns', 'list']),
    links: read('ip', ['-o', 'link', 'show'])
      .split('\n')
      // Traffic counters and timers change by themselves: compare names, flags and addresses.
      .map((line) => line.replace(/\\\s+/g, ' ').trim())
      .join('\n'),
    iptables: read('iptables-save', [])
      .split('\n')
      .filter((line) => !line.startsWith('#'))
      .map((line) => line.replace(/\[\d+:\d+\]/g, ''))
      .join('\n'),
    ipForward: readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8'),
    runNetns: existsSync('/run/netns'),
    // The launcher's job files (host mode keeps them here while it runs).
    jobFiles: existsSync('/dev/shm')
      ? readdirSync('/dev/shm').filter((name) => name.startsWith('netns-lab-'))
      : [],
  };
}

/**
 * Proves that a test file leaves this machine's own network as it found it: a snapshot before
 * its first test, compared after its last. Call it before the hooks that make or close the
 * file's labs (after-hooks run in reverse order), at the top of the file.
 */
export function expectHostUntouched(): void {
  let before: HostSnapshot | undefined;
  beforeAll(() => {
    before = hostSnapshot();
  });
  afterAll(() => {
    expect(hostSnapshot()).toEqual(before);
  });
}

/** True while a process with this PID exists (zombies count as gone). */
export function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Polls `check` until it is true or `timeoutMs` passes; returns its last answer. */
export async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

/** Processes whose command line is exactly `commandLine` (arguments joined by spaces). */
export function pidsOf(commandLine: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
      if (argv.join(' ') === commandLine && processAlive(Number(entry))) pids.push(Number(entry));
    } catch {
      // It ended while we looked.
    }
  }
  return pids;
}
