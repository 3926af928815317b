/**
 * Runs a bash script inside a throwaway network + mount (+ PID) namespace with a private, empty
 * /run/netns, as ../../../shared/guide/testing.md asks: nothing it builds touches this
 * machine's network, and everything it leaves vanishes when it ends. Lines the script prints
 * as `BENCH key value` are collected.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Mounts a private tmpfs on /run/netns (and creates it when missing). */
export const PRIVATE_NETNS = `mount -t tmpfs none /run/netns 2>/dev/null || { mkdir -p /run/netns && mount -t tmpfs none /run/netns; } || exit 97
ip link set lo up
`;

export interface ThrowawayResult {
  values: Map<string, number>;
  timedOut: boolean;
  exitCode: number | null;
  /** The last lines of stderr, to say why something failed. */
  stderrTail: string;
}

/** unshare: a fresh network, mount and PID namespace; everything in it dies with the script. */
const THROWAWAY = [
  'unshare',
  '--net',
  '--mount',
  '--propagation',
  'private',
  '--pid',
  '--fork',
  '--kill-child',
  '--mount-proc',
  '--',
];

export function runThrowaway(
  script: string,
  options: { timeoutMs: number; onLine?: (line: string) => void },
): Promise<ThrowawayResult> {
  return runScript(THROWAWAY, PRIVATE_NETNS + script, options);
}

/** Runs `bash FILE` with `prefix` (e.g. an nsenter into the agent's sandbox). */
export function runScript(
  prefix: readonly string[],
  script: string,
  options: { timeoutMs: number; onLine?: (line: string) => void },
): Promise<ThrowawayResult> {
  // A file, not `bash -c`: a 1000-namespace script is larger than one argument may be.
  const dir = mkdtempSync(path.join(tmpdir(), 'netns-lab-bench-'));
  const file = path.join(dir, 'script.sh');
  writeFileSync(file, script);
  return new Promise((resolve) => {
    const [command = 'bash', ...args] = [...prefix, 'bash', file];
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C' },
    });
    const values = new Map<string, number>();
    let stderr = '';
    let out = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      let nl: number;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        const match = /^BENCH (\S+) (\S+)/.exec(line);
        if (match) values.set(match[1]!, Number(match[2]));
        options.onLine?.(line);
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      resolve({
        values,
        timedOut,
        exitCode: code,
        stderrTail: stderr.trim().split('\n').slice(-5).join('\n'),
      });
    });
  });
}
