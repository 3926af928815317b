/**
 * Finds the processes a test started, and only those: other test runs may share this machine,
 * with agents, sandboxes and `ip monitor`s of their own. Every process the test starts inherits
 * an environment variable with a random value (execa and child_process pass the environment on,
 * and nsenter and unshare keep it), so /proc/PID/environ names exactly the test's processes.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

export const MARKER_VARIABLE = 'NETNS_LAB_HARDENING_RUN';

export interface Marker {
  /** Environment for processes the test starts. */
  env: NodeJS.ProcessEnv;
  /** Live (non-zombie) processes carrying the marker, other than this process. */
  processes(): { pid: number; command: string }[];
}

/**
 * A fresh marker. A fixture that marks its own children passes another `variable`, so that they
 * carry both its marker and the test's.
 */
export function createMarker(variable: string = MARKER_VARIABLE): Marker {
  const value = randomUUID();
  const needle = `${variable}=${value}\0`;
  return {
    env: { ...process.env, [variable]: value },
    processes() {
      const found: { pid: number; command: string }[] = [];
      for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
        try {
          const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
          if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
          if (!readFileSync(`/proc/${entry}/environ`, 'utf8').includes(needle)) continue;
          const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
          found.push({ pid: Number(entry), command: command.trim() });
        } catch {
          // It ended while we looked, or is not ours to read.
        }
      }
      return found;
    },
  };
}

/** Polls until no marked process is left, or the time is up; returns what is left. */
export async function waitForNoProcesses(
  marker: Marker,
  timeoutMs: number,
): Promise<{ pid: number; command: string }[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = marker.processes();
    if (left.length === 0 || Date.now() >= deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
