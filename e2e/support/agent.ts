/**
 * The real agent as a child process: `netns-lab serve --port N --no-open` in sandbox mode (its
 * labs live in a private network namespace and vanish with it). Tests start, stop and restart
 * it through this module; the URL with its token is read from what the agent prints.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { AGENT_BIN, REPO_ROOT, RUN_DIR_ENV, pathWithSbin } from './paths';

const run = promisify(execFile);

/** `netns-lab is running in sandbox mode: open http://127.0.0.1:PORT/?token=TOKEN` */
const URL_LINE = /open (http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]+))/;

const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 10_000;
const LOG_LIMIT = 64 * 1024;

export interface RunningAgent {
  /** The URL to open, with the token: http://127.0.0.1:PORT/?token=... */
  readonly url: string;
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  readonly pid: number;
  /** The cookie the agent swaps the URL's token for (one per port). */
  readonly cookieName: string;
  /** Everything the agent printed so far (bounded), for failure messages. */
  log(): string;
  readonly running: boolean;
  /** SIGTERM, then SIGKILL after a grace period. Safe to call more than once. */
  stop(): Promise<void>;
}

export interface StartAgentOptions {
  /** 0 (the default) lets the kernel pick a free port. */
  port?: number;
  /** Keep this secret instead of a fresh one (NETNS_LAB_TOKEN), as a scripted restart does. */
  token?: string;
}

const alive = new Set<ChildProcess>();
// A worker that dies without running its fixtures' teardown must not leave agents behind.
process.once('exit', () => {
  for (const child of alive) child.kill('SIGKILL');
});

/** A private folder for this run's agents (their URL files, and the list of their pids). */
function runDir(): string {
  const given = process.env[RUN_DIR_ENV];
  if (given !== undefined && given !== '') {
    mkdirSync(given, { recursive: true, mode: 0o700 });
    return given;
  }
  return mkdtempSync(path.join(os.tmpdir(), 'netns-lab-e2e-'));
}

export const PIDS_FILE = 'agent-pids';

function exited(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

export async function startAgent(options: StartAgentOptions = {}): Promise<RunningAgent> {
  const dir = runDir();
  // The agent writes its URL to $XDG_RUNTIME_DIR/netns-lab/url: keep it away from the user's.
  const runtime = mkdtempSync(path.join(dir, 'runtime-'));
  const child = spawn(
    process.execPath,
    [AGENT_BIN, 'serve', '--port', String(options.port ?? 0), '--no-open'],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        XDG_RUNTIME_DIR: runtime,
        PATH: pathWithSbin(),
        ...(options.token === undefined ? {} : { NETNS_LAB_TOKEN: options.token }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  alive.add(child);
  child.once('exit', () => alive.delete(child));
  if (child.pid !== undefined) appendFileSync(path.join(dir, PIDS_FILE), `${child.pid}\n`);

  let output = '';
  const record = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    if (output.length > LOG_LIMIT) output = output.slice(-LOG_LIMIT);
  };
  child.stdout?.on('data', record);
  child.stderr?.on('data', record);

  const found = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`the agent printed no URL within ${START_TIMEOUT_MS} ms:\n${output}`));
    }, START_TIMEOUT_MS);
    const onData = (): void => {
      const match = URL_LINE.exec(output);
      if (match) {
        cleanup();
        resolve(match);
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      cleanup();
      reject(
        new Error(
          `the agent exited (${signal ?? `status ${code}`}) before it was ready:\n${output}`,
        ),
      );
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
    onData();
  }).catch(async (error: unknown) => {
    child.kill('SIGKILL');
    await exited(child, STOP_GRACE_MS);
    throw error;
  });

  const [, url = '', port = '0', token = ''] = found;
  let stopping: Promise<void> | null = null;
  return {
    url,
    origin: new URL(url).origin,
    port: Number(port),
    token,
    pid: child.pid ?? -1,
    cookieName: `netns_lab_token_${port}`,
    log: () => output,
    get running() {
      return child.exitCode === null && child.signalCode === null;
    },
    stop() {
      stopping ??= (async () => {
        if (await exited(child, 0)) return;
        child.kill('SIGTERM');
        if (await exited(child, STOP_GRACE_MS)) return;
        child.kill('SIGKILL');
        await exited(child, STOP_GRACE_MS);
      })();
      return stopping;
    },
  };
}

/** Tears down whatever lab the agent holds (`netns-lab destroy`, which is fine when empty). */
export async function destroyLab(agent: RunningAgent): Promise<void> {
  await run(process.execPath, [AGENT_BIN, 'destroy'], {
    cwd: REPO_ROOT,
    // The URL goes in the environment, not on the command line (ps shows command lines).
    env: { ...process.env, NETNS_LAB_URL: agent.url, PATH: pathWithSbin() },
    timeout: 30_000,
  });
}
