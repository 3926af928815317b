/**
 * Runs commands in the lab's namespaces: argv arrays only (never a shell string built from data),
 * a timeout on every child, a count of processes started, and no child left behind on close.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { execa } from 'execa';
import { createGate } from './gate';
import { LAUNCHER_ENTERS_NAMESPACES, startLauncher, type Launcher } from './launcher';
import type { Sandbox } from './sandbox';
import { toolPath } from './tools';

/**
 * Every child gets the sbin directories on PATH (rootless users often lack them) and the C
 * locale, so that tools print the messages the parsers expect ("no answer yet", ...).
 */
const CHILD_ENV = { PATH: toolPath(), LC_ALL: 'C' };

export interface RunResult {
  /** The command's exit code; -1 when it was killed (timeout, close) or could not start. */
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

export interface RunOptions {
  /** Written to the command's stdin (e.g. for `ip -batch -`). */
  input?: string;
  timeoutMs?: number;
  /** Added to the timeout for each line of input: a long batch gets longer (default 0). */
  timeoutPerInputLineMs?: number;
  /** 'high': waits ahead of the others for a free slot (the applier's commands). */
  priority?: 'high';
}

export interface SpawnOptions {
  /** Default: none, for a monitor that runs until stopped. */
  timeoutMs?: number;
}

/** How a streaming child ended. */
export interface StreamingResult {
  exitCode: number;
  timedOut: boolean;
  /** True when kill() (or the runner's close) stopped it. */
  killed: boolean;
}

/** A long-running child (ping, ip monitor, tracepath) whose output streams. */
export interface StreamingProcess {
  readonly pid: number | undefined;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Settles when the child has ended; never rejects. */
  readonly done: Promise<StreamingResult>;
  /** Stops the command and everything it started. */
  kill(): void;
}

export interface Runner {
  readonly sandbox: Sandbox;
  /** The PATH every child gets (see detectTools). */
  readonly path: string;
  /** Processes started so far (each run or spawn starts exactly one). */
  readonly processCount: number;
  /** Runs argv in namespace `ns` ("host": the lab's root). Never throws on a non-zero exit. */
  run(ns: string, argv: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** Starts a long-running command in `ns`; its output streams. */
  spawn(ns: string, argv: readonly string[], options?: SpawnOptions): StreamingProcess;
  /** The full argv that run(ns, argv) executes (prefix + argv), e.g. for logs. */
  commandLine(ns: string, argv: readonly string[]): string[];
  /** Kills every running child and refuses new ones. Idempotent. */
  close(): Promise<void>;
}

export interface RunnerOptions {
  /** Default timeout for run() (ms). */
  timeoutMs?: number;
  /** At most this many run() children at once; the rest wait (spawn() is not limited). */
  maxConcurrent?: number;
  /** Largest stdout or stderr kept per run (bytes). */
  maxBuffer?: number;
  /**
   * Start run() commands through a launcher in the lab (default true; see launcher.ts) rather
   * than one Node child each. When the launcher cannot start, Node starts them itself.
   */
  launcher?: boolean;
}

export class RunnerClosedError extends Error {
  override readonly name = 'RunnerClosedError';
  constructor() {
    super('The command runner is closed');
  }
}

interface Live {
  stop(): void;
  ended: Promise<unknown>;
}

export function createRunner(sandbox: Sandbox, options: RunnerOptions = {}): Runner {
  const defaultTimeoutMs = options.timeoutMs ?? 10_000;
  const maxBuffer = options.maxBuffer ?? 64 * 1024 * 1024;
  const gate = createGate(options.maxConcurrent ?? 32);
  // In the sandbox, nsenter --pid forks the command into the sandbox's PID namespace and waits
  // for it; in host mode the command is the child itself.
  const nsenterForks = sandbox.mode === 'sandbox';
  const live = new Set<Live>();
  let processCount = 0;
  let closed = false;
  let launcher: Launcher | undefined;
  let launcherStart: Promise<Launcher | undefined> | undefined;
  let launcherBroken = options.launcher === false;

  /** The running launcher, started on first use (and again if it died); undefined: none. */
  function useLauncher(): Promise<Launcher | undefined> | Launcher | undefined {
    if (launcher?.alive) return launcher;
    if (launcherBroken || closed) return undefined;
    launcherStart ??= startLauncher(sandbox.launcherPrefix, CHILD_ENV, sandbox.jobRoot)
      .then(
        (started) => {
          if (closed) {
            void started.close();
            return undefined;
          }
          return (launcher = started);
        },
        () => {
          launcherBroken = true;
          return undefined;
        },
      )
      .finally(() => {
        launcherStart = undefined;
      });
    return launcherStart;
  }

  function commandLine(ns: string, argv: readonly string[]): string[] {
    if (argv.length === 0) throw new Error('empty argv');
    return [...sandbox.nsPrefix(ns), ...argv];
  }

  /**
   * Keeps track of a child (in its own process group) until it ends; `counted`: it was counted
   * already (a launcher that died before it started the command was given it first).
   */
  function start<T extends { pid?: number | undefined } & PromiseLike<unknown>>(
    child: T,
    counted = false,
  ) {
    if (!counted) processCount += 1;
    let exited = false;
    const entry: Live = {
      stop: () => {
        if (!exited) stopTree(child.pid, nsenterForks, () => exited);
      },
      ended: Promise.resolve(child).then(
        () => undefined,
        () => undefined,
      ),
    };
    live.add(entry);
    void entry.ended.then(() => {
      exited = true;
      live.delete(entry);
    });
    return entry;
  }

  async function run(
    ns: string,
    argv: readonly string[],
    runOptions: RunOptions = {},
  ): Promise<RunResult> {
    const full = commandLine(ns, argv);
    await gate.enter(runOptions.priority === 'high');
    try {
      if (closed) throw new RunnerClosedError();
      const lines = runOptions.input?.split('\n').length ?? 0;
      const timeoutMs =
        (runOptions.timeoutMs ?? defaultTimeoutMs) +
        lines * (runOptions.timeoutPerInputLineMs ?? 0);
      // A launcher that died before it started the command (killed, crashed) gets one
      // successor, which runs it.
      let counted = false;
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const viaLauncher = await useLauncher();
        if (viaLauncher === undefined) break;
        if (!counted) processCount += 1;
        counted = true;
        const { notStarted, ...result } = await viaLauncher.run(
          LAUNCHER_ENTERS_NAMESPACES
            ? { netns: sandbox.innerNetns(ns), argv }
            : { netns: null, argv: [...sandbox.innerPrefix(ns), ...argv] },
          {
            timeoutMs,
            maxBuffer,
            ...(runOptions.input === undefined ? {} : { input: runOptions.input }),
          },
        );
        if (notStarted !== true || attempt === 1 || closed) return result;
      }
      if (closed) throw new RunnerClosedError();
      const [file, ...args] = full as [string, ...string[]];
      const child = execa(file, args, {
        reject: false,
        // Its own process group, so the whole tree can be found and stopped (see stopTree).
        detached: true,
        env: CHILD_ENV,
        maxBuffer,
        encoding: 'utf8',
        stripFinalNewline: false,
        ...(runOptions.input === undefined ? { stdin: 'ignore' } : { input: runOptions.input }),
      });
      const entry = start(child, counted);
      // Not execa's timeout: it would kill nsenter first and orphan the command (stopTree).
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        entry.stop();
      }, timeoutMs);
      const result = await child;
      clearTimeout(timer);
      const killed = timedOut || typeof result.exitCode !== 'number';
      const stderr = typeof result.stderr === 'string' ? result.stderr : '';
      return {
        exitCode: killed ? -1 : (result.exitCode ?? -1),
        stdout: typeof result.stdout === 'string' ? result.stdout : '',
        // A program that could not start has no stderr: execa's message says why.
        stderr: stderr === '' && result.failed ? (result.shortMessage ?? '') : stderr,
        timedOut,
        durationMs: result.durationMs,
      };
    } finally {
      gate.leave();
    }
  }

  function spawn(
    ns: string,
    argv: readonly string[],
    spawnOptions: SpawnOptions = {},
  ): StreamingProcess {
    if (closed) throw new RunnerClosedError();
    // In the sandbox, a long-running child dies with the sandbox's PID 1. In host mode nothing
    // would end it if the agent were killed: ask the kernel to kill it when its parent dies.
    const line = commandLine(ns, argv);
    const full = sandbox.mode === 'host' ? ['setpriv', '--pdeathsig', 'KILL', '--', ...line] : line;
    const [file, ...args] = full as [string, ...string[]];
    const child = execa(file, args, {
      reject: false,
      stdin: 'ignore',
      // Output is consumed as it streams, not kept.
      buffer: false,
      detached: true,
      encoding: 'utf8',
      env: CHILD_ENV,
    });
    const entry = start(child);
    let timedOut = false;
    let killed = false;
    const timer =
      spawnOptions.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            entry.stop();
          }, spawnOptions.timeoutMs);
    const done = Promise.resolve(child).then((result): StreamingResult => {
      if (timer) clearTimeout(timer);
      const exitCode = typeof result.exitCode === 'number' && !killed ? result.exitCode : -1;
      return { exitCode: timedOut ? -1 : exitCode, timedOut, killed };
    });
    return {
      pid: child.pid,
      stdout: child.stdout,
      stderr: child.stderr,
      done,
      kill() {
        killed = true;
        entry.stop();
      },
    };
  }

  async function close(): Promise<void> {
    closed = true;
    const children = [...live];
    for (const child of children) child.stop();
    const starting = launcherStart;
    await Promise.allSettled([
      ...children.map((child) => child.ended),
      launcher?.close(),
      starting?.then((started) => started?.close()),
    ]);
  }

  return {
    sandbox,
    path: CHILD_ENV.PATH,
    get processCount() {
      return processCount;
    },
    run,
    spawn,
    commandLine,
    close,
  };
}

/**
 * Stops a child and everything it started.
 *
 * In the sandbox the child is nsenter, which forked the command into the sandbox's PID
 * namespace. Killing nsenter first would orphan the command, and Linux gives orphans to the
 * reaper of the *parent's* PID namespace, i.e. this machine's init, which may take seconds to
 * reap them; the sandbox cannot end before they are gone. So the command and its descendants
 * (all in the child's process group) are killed first, nsenter reaps the command and exits by
 * itself, and only a nsenter that lingers is killed after a grace period.
 */
function stopTree(pid: number | undefined, nsenterForks: boolean, exited: () => boolean): void {
  if (pid === undefined) return;
  if (!nsenterForks) {
    signal(-pid, 'SIGKILL');
    return;
  }
  void (async () => {
    // A shell may fork between the scan and the kill: scan again until the group is empty.
    for (let pass = 0; pass < 20; pass += 1) {
      const members = processGroupMembers(pid).filter((member) => member !== pid);
      if (members.length === 0) break;
      for (const member of members) signal(member, 'SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // Only while the child has not been reaped: after that its PID may belong to another.
    setTimeout(() => {
      if (!exited()) signal(-pid, 'SIGKILL');
    }, 1000).unref();
  })();
}

/** PIDs (as this machine numbers them) whose process group is `pgid`. */
function processGroupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name: state ppid pgrp ...
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') members.push(Number(entry));
    } catch {
      // It ended while we looked.
    }
  }
  return members;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}
