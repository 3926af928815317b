/**
 * The launcher: one long-lived bash inside the lab (the sandbox, or the host in host mode) that
 * starts the agent's short commands for it.
 *
 * Why: Node starts a child with fork + exec from its own (large) process, which blocks the event
 * loop for 3-12 ms per child; a lab of 1000 namespaces needs thousands of children (one batch
 * and one read per namespace), so the agent spent seconds doing nothing but starting processes.
 * bash forks cheaply, and Node only writes a line per command.
 *
 * How, without ever building shell code from data:
 * - the agent writes a job's argv (NUL-separated) and its input to files in a private directory
 *   (mode 0700), then sends the launcher `j ID` on its stdin: a number, nothing else;
 * - the launcher's fixed script reads the argv with `mapfile` into an array and runs
 *   "${argv[@]}" in a background job of its own process group (`set -m`), stdout and stderr to
 *   files, and prints `s ID PGID` when started and `d ID STATUS` when done;
 * - to stop a job (timeout, close), the agent sends `k PGID`: the launcher kills the group.
 * When the agent dies, the launcher's stdin closes and it exits; in the sandbox the sandbox's
 * PID 1 inherits what still runs and dies with it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { Socket } from 'node:net';

/** Job directories of launchers still open, removed when this process exits. */
const openDirs = new Set<() => void>();
process.on('exit', () => {
  for (const remove of [...openDirs]) remove();
});

/** Fixed text; $1 is the job directory the agent made. */
const LAUNCHER_SCRIPT = `set -m
D=$1
j() {
  local -a argv
  if ! mapfile -d '' -t argv < "$D/$1.a"; then printf 'd %s 126\\n' "$1"; exit; fi
  if [ -e "$D/$1.i" ]; then exec 0< "$D/$1.i"; else exec 0< /dev/null; fi
  "\${argv[@]}" > "$D/$1.o" 2> "$D/$1.e"
  printf 'd %s %s\\n' "$1" "$?"
}
printf 'ready\\n'
while read -r op id; do
  case $op in
    j) j "$id" & printf 's %s %s\\n' "$id" "$!"; disown ;;
    k) kill -KILL -- "-$id" 2>/dev/null ;;
  esac
done
rm -rf -- "$D"
`;

export interface LaunchOptions {
  input?: string;
  timeoutMs: number;
  /** Largest stdout or stderr kept (bytes); the rest is cut. */
  maxBuffer: number;
}

export interface LaunchResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
  /** True when the launcher stopped before it started the command (safe to run it again). */
  notStarted?: boolean;
}

export interface Launcher {
  /** Runs argv (already placed in its namespace) and collects its output. Never rejects. */
  run(argv: readonly string[], options: LaunchOptions): Promise<LaunchResult>;
  /** False once the launcher has exited (a new one must be started). */
  readonly alive: boolean;
  /** Kills every running job and ends the launcher. Idempotent. */
  close(): Promise<void>;
}

interface Job {
  id: number;
  started: number;
  pgid?: number;
  killRequested: boolean;
  timer?: NodeJS.Timeout;
  settle(result: LaunchResult): void;
  maxBuffer: number;
  hasInput: boolean;
}

/**
 * Starts a launcher with `prefix` (the sandbox's nsenter into its root, or nothing in host
 * mode). Resolves once it is ready; rejects when it cannot start.
 */
export async function startLauncher(
  prefix: readonly string[],
  env: Record<string, string>,
  jobRoot: { outside: string; inside: string },
  startTimeoutMs = 10_000,
): Promise<Launcher> {
  // The same directory, as this process and as the launcher see it.
  const dir = mkdtempSync(join(jobRoot.outside, 'netns-lab-jobs-'));
  const insideDir = join(jobRoot.inside, basename(dir));
  // If this process ends without closing the launcher, the launcher removes it on EOF (and
  // in the sandbox it is on a tmpfs that goes with the sandbox); also remove it on exit.
  const removeDir = (): void => {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // The sandbox (and its /tmp) is gone already.
    }
    openDirs.delete(removeDir);
  };
  openDirs.add(removeDir);
  const argv = [...prefix, 'bash', '-c', LAUNCHER_SCRIPT, 'netns-lab-launcher', insideDir];
  const child: ChildProcess = spawn(argv[0]!, argv.slice(1), {
    stdio: ['pipe', 'pipe', 'pipe'],
    env,
  });
  const jobs = new Map<number, Job>();
  let nextId = 1;
  let alive = true;
  let closing: Promise<void> | undefined;
  let stderr = '';
  child.stdin?.on('error', () => undefined);
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    if (stderr.length < 4096) stderr += chunk;
  });

  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the launcher did not start within ${startTimeoutMs} ms`)),
      startTimeoutMs,
    );
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the launcher exited (${signal ?? `code ${code}`}): ${stderr.trim()}`));
    });
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (line === 'ready') {
        clearTimeout(timer);
        resolve();
        return;
      }
      onLine(line);
    });
  });

  function send(line: string): void {
    if (alive) child.stdin?.write(`${line}\n`);
  }

  function onLine(line: string): void {
    const match = /^([sd]) (\d+) (\d+)$/.exec(line);
    if (!match) return;
    const job = jobs.get(Number(match[2]));
    if (job === undefined) return;
    const value = Number(match[3]);
    if (match[1] === 's') {
      job.pgid = value;
      if (job.killRequested) send(`k ${value}`);
      return;
    }
    finish(job, value, false);
  }

  function finish(job: Job, exitCode: number, timedOut: boolean): void {
    if (!jobs.delete(job.id)) return;
    if (job.timer) clearTimeout(job.timer);
    const base = join(dir, String(job.id));
    // Synchronous on purpose: a few tiny files, ~20 µs each, where the promise API's
    // round trips through the thread pool cost the main thread ten times more per job.
    const stdout = timedOut ? '' : readOutput(`${base}.o`, job.maxBuffer);
    const errText = timedOut ? '' : readOutput(`${base}.e`, job.maxBuffer);
    job.settle({
      exitCode: timedOut ? -1 : exitCode,
      stdout,
      stderr: errText,
      timedOut,
      durationMs: performance.now() - job.started,
    });
    // A killed job may still hold its files for a moment: removing them is best effort.
    for (const ext of job.hasInput ? ['a', 'i', 'o', 'e'] : ['a', 'o', 'e'])
      removeFile(`${base}.${ext}`);
  }

  function stopJob(job: Job): void {
    job.killRequested = true;
    if (job.pgid !== undefined) send(`k ${job.pgid}`);
  }

  child.once('exit', () => {
    alive = false;
    // In the sandbox the child is nsenter: a launcher it leaves behind ends on EOF.
    child.stdin?.destroy();
    for (const job of [...jobs.values()]) {
      job.killRequested = true;
      if (jobs.delete(job.id)) {
        if (job.timer) clearTimeout(job.timer);
        job.settle({
          exitCode: -1,
          stdout: '',
          stderr: `the command launcher stopped${stderr.trim() ? `: ${stderr.trim()}` : ''}`,
          timedOut: false,
          durationMs: performance.now() - job.started,
          ...(job.pgid === undefined ? { notStarted: true } : {}),
        });
      }
    }
    removeDir();
  });

  try {
    await ready;
  } catch (error) {
    child.kill('SIGKILL');
    removeDir();
    throw error;
  }
  // The launcher must not keep the agent's event loop alive on its own.
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr])
    if (stream instanceof Socket) stream.unref();

  function run(argv: readonly string[], options: LaunchOptions): Promise<LaunchResult> {
    const id = nextId++;
    const started = performance.now();
    const failed = (stderr: string, notStarted = false): Promise<LaunchResult> =>
      Promise.resolve({
        exitCode: -1,
        stdout: '',
        stderr,
        timedOut: false,
        durationMs: performance.now() - started,
        ...(notStarted ? { notStarted } : {}),
      });
    if (!alive) return failed('the command launcher stopped', true);
    const base = join(dir, String(id));
    try {
      writeFileSync(`${base}.a`, argv.map((word) => `${word}\0`).join(''), { mode: 0o600 });
      if (options.input !== undefined) writeFileSync(`${base}.i`, options.input, { mode: 0o600 });
    } catch (error) {
      return failed(`cannot hand the command to the launcher: ${(error as Error).message}`);
    }
    return new Promise<LaunchResult>((resolve) => {
      const job: Job = {
        hasInput: options.input !== undefined,
        id,
        started,
        killRequested: false,
        settle: resolve,
        maxBuffer: options.maxBuffer,
      };
      jobs.set(id, job);
      job.timer = setTimeout(() => {
        stopJob(job);
        finish(job, -1, true);
      }, options.timeoutMs);
      send(`j ${id}`);
    });
  }

  function close(): Promise<void> {
    closing ??= (async () => {
      for (const job of jobs.values()) stopJob(job);
      if (!alive) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.stdin?.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(timer);
    })();
    return closing;
  }

  return {
    run,
    get alive() {
      return alive;
    },
    close,
  };
}

function readOutput(path: string, maxBuffer: number): string {
  try {
    const text = readFileSync(path, 'utf8');
    return text.length > maxBuffer ? text.slice(0, maxBuffer) : text;
  } catch {
    return '';
  }
}

function removeFile(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Not made (no input) or already gone.
  }
}
