/**
 * What /proc says about a process tree (CPU time, resident memory) and about the whole machine
 * (how busy it is), so the agent can be measured as a separate process, children included.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of the CPU times in /proc/PID/stat. */
export const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Direct children of `pid` (every thread's). */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const task of tasks) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      for (const child of text.split(/\s+/)) if (child !== '') out.push(Number(child));
    } catch {
      // The thread ended while we looked.
    }
  }
  return out;
}

/** `pid` and all its descendants. */
export function processTree(pid: number): number[] {
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0 && out.length < 100_000) {
    const next = queue.shift()!;
    out.push(next);
    queue.push(...childrenOf(next));
  }
  return out;
}

export function commandName(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/**
 * CPU seconds used by the tree under `pid`: each live member's own time plus the time of its
 * children that have ended and been reaped (cutime, cstime), so nothing that ran is missed.
 */
export function treeCpuSeconds(pid: number): number {
  let ticks = 0;
  for (const member of processTree(pid)) {
    const f = statFields(member);
    if (f === undefined) continue;
    // After the name: state(0) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
    // utime(11) stime(12) cutime(13) cstime(14).
    ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  }
  return ticks / CLOCK_TICKS;
}

/** Resident memory of one process (bytes). */
export function rssBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Resident memory of the whole tree (bytes; shared pages counted once per process). */
export function treeRssBytes(pid: number): number {
  return processTree(pid).reduce((sum, member) => sum + rssBytes(member), 0);
}

/** Busy and total jiffies of the whole machine since boot. */
function cpuJiffies(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal ...
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  const total = values.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/**
 * Waits until the machine is quiet (the kernel tears namespaces down in the background after
 * they are deleted, which would slow the next measurement): busy below `threshold` of all
 * cores over a 500 ms window, at most `timeoutMs` (other work may keep it busy for good).
 * Returns how long it waited.
 */
export async function settle(threshold = 0.15, timeoutMs = 8000): Promise<number> {
  const started = Date.now();
  let before = cpuJiffies();
  while (Date.now() - started < timeoutMs) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = cpuJiffies();
    const busy = (now.busy - before.busy) / Math.max(1, now.total - before.total);
    before = now;
    if (busy < threshold) break;
  }
  return Date.now() - started;
}

/** CPU seconds of process `pid` itself (its threads), without any child. */
export function ownCpuSeconds(pid: number): number {
  const f = statFields(pid);
  return f === undefined ? 0 : (Number(f[11]) + Number(f[12])) / CLOCK_TICKS;
}

/** Processes started on the whole machine since boot (/proc/stat). */
export function machineForks(): number {
  const match = /^processes (\d+)/m.exec(readFileSync('/proc/stat', 'utf8'));
  return match ? Number(match[1]) : 0;
}

/**
 * The last PID handed out in the PID namespace of process `pid` (the agent's sandbox): every
 * command the agent runs is forked into that namespace, so the difference between two reads
 * counts them all, with whatever they start themselves (minus the one `cat` that reads it).
 */
export function lastPidIn(pid: number): number {
  const out = execFileSync(
    'nsenter',
    [`--target=${pid}`, '--pid', '--', 'cat', '/proc/sys/kernel/ns_last_pid'],
    { encoding: 'utf8' },
  );
  return Number(out.trim());
}
