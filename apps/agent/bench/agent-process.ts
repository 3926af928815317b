/**
 * The agent as the user runs it: `netns-lab serve --port 0 --no-open` from the built bundle, in
 * a process of its own, so that its CPU and memory (children included) can be measured from
 * /proc, and so that nothing the bench does runs on the agent's event loop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { childrenOf, commandName } from './proc';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BUNDLE = path.join(REPO_ROOT, 'apps/agent/dist/netns-lab.mjs');

export interface AgentProcess {
  pid: number;
  port: number;
  token: string;
  /** PID 1 of the agent's sandbox (as this machine numbers it). */
  sandboxPid: number;
  /** argv prefix that runs a command in lab namespace `ns` of the sandbox ("host": its root). */
  nsPrefix(ns: string): string[];
  /** argv prefix that runs a command in the sandbox's root, with its /run/netns. */
  readonly sandboxPrefix: string[];
  /** Stops the agent (SIGINT, as Ctrl+C does); the sandbox and the lab vanish with it. */
  close(): Promise<void>;
  /** Set once the agent has exited: how, and the end of what it printed. */
  exited(): string | undefined;
  /**
   * The agent's next unread trace line (NETNS_LAB_TRACE: where an apply's time went), waiting
   * for it a little; undefined when there is none (the agent in this process writes none).
   */
  nextTrace(): Promise<string | undefined>;
}

export interface AgentOptions {
  /** Write a V8 CPU profile of the agent here when it stops (node --cpu-prof). */
  cpuProfDir?: string;
  startTimeoutMs?: number;
}

function waitForUrl(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => finish(new Error(`the agent did not start: ${err}`)), timeoutMs);
    const onOut = (chunk: Buffer): void => {
      out += chunk.toString('utf8');
      const match = /open (http:\/\/\S+)/.exec(out);
      if (match?.[1]) finish(undefined, match[1]);
    };
    const onErr = (chunk: Buffer): void => {
      if (err.length < 4096) err += chunk.toString('utf8');
    };
    const onExit = (code: number | null): void =>
      finish(new Error(`the agent exited (${code}): ${err.trim()}`));
    function finish(error?: Error, url?: string): void {
      clearTimeout(timer);
      child.stdout?.off('data', onOut);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(url!);
    }
    child.stdout?.on('data', onOut);
    child.stderr?.on('data', onErr);
    child.once('exit', onExit);
  });
}

/** The sandbox's PID 1: the child of the agent's `unshare` child. */
async function findSandboxPid(agentPid: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const child of childrenOf(agentPid)) {
      if (commandName(child) !== 'unshare') continue;
      const [pid1] = childrenOf(child);
      if (pid1 !== undefined) return pid1;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('cannot find the agent’s sandbox');
}

export async function startAgent(options: AgentOptions = {}): Promise<AgentProcess> {
  // A private runtime folder: the agent writes its URL file there, not where a user's is.
  const runtimeDir = mkdtempSync(path.join(tmpdir(), 'netns-lab-bench-'));
  const nodeArgs =
    options.cpuProfDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`];
  const child = spawn(
    process.execPath,
    [...nodeArgs, BUNDLE, 'serve', '--port', '0', '--no-open'],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        XDG_RUNTIME_DIR: runtimeDir,
        NETNS_LAB_TOKEN: undefined,
        NETNS_LAB_TRACE: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const traces: string[] = [];
  let partial = '';
  child.stderr.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const match = /^netns-lab trace \w+: (.*)$/.exec(line);
      if (match) traces.push(match[1]!);
    }
  });
  const nextTrace = async (): Promise<string | undefined> => {
    for (let waited = 0; traces.length === 0 && waited < 500; waited += 10)
      await new Promise((resolve) => setTimeout(resolve, 10));
    return traces.shift();
  };
  let exitedHow: string | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exitedHow = `the agent exited (${signal ?? `code ${code}`}): ${output.trim().split('\n').slice(-3).join(' / ')}`;
      resolve();
    }),
  );
  try {
    const url = new URL(await waitForUrl(child, options.startTimeoutMs ?? 30_000));
    const token = url.searchParams.get('token') ?? '';
    const pid = child.pid!;
    const sandboxPid = await findSandboxPid(pid, 5000);
    let closing: Promise<void> | undefined;
    return {
      pid,
      port: Number(url.port),
      token,
      sandboxPid,
      nsPrefix: (ns) =>
        ns === 'host'
          ? ['nsenter', `--target=${sandboxPid}`, '--net', '--']
          : ['nsenter', `--net=/proc/${sandboxPid}/root/run/netns/${ns}`, '--'],
      sandboxPrefix: ['nsenter', `--target=${sandboxPid}`, '--net', '--mount', '--'],
      exited: () => exitedHow,
      nextTrace,
      close() {
        closing ??= (async () => {
          child.kill('SIGINT');
          const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
          await exited;
          clearTimeout(timer);
          rmSync(runtimeDir, { recursive: true, force: true });
        })();
        return closing;
      },
    };
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    rmSync(runtimeDir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * The agent in this process: the real engine and server (the browser's protocol is the same),
 * with a per-command timeout the caller chooses. For labs the packaged agent cannot apply
 * because its 10 s command timeout stops the apply. Its CPU is this process's, bench included.
 */
export async function startInProcessAgent(commandTimeoutMs: number): Promise<AgentProcess> {
  const [{ createEngine }, { startServer }] = await Promise.all([
    import('../src/engine/engine'),
    import('../src/server/server'),
  ]);
  const engine = await createEngine({ mode: 'sandbox', commandTimeoutMs, warmUp: true });
  const sandboxPid = engine.runner.sandbox.pid;
  if (sandboxPid === undefined) throw new Error('the engine has no sandbox');
  const server = await startServer({
    engine,
    port: 0,
    webRoot: path.join(REPO_ROOT, 'apps/web/dist'),
    // The bench is one client sending a handful of messages; no reason to throttle it.
    log: () => undefined,
  });
  let closing: Promise<void> | undefined;
  return {
    pid: process.pid,
    port: server.port,
    token: server.token,
    sandboxPid,
    nsPrefix: (ns) =>
      ns === 'host'
        ? ['nsenter', `--target=${sandboxPid}`, '--net', '--']
        : ['nsenter', `--net=/proc/${sandboxPid}/root/run/netns/${ns}`, '--'],
    sandboxPrefix: ['nsenter', `--target=${sandboxPid}`, '--net', '--mount', '--'],
    exited: () => undefined,
    nextTrace: () => Promise.resolve(undefined),
    close() {
      closing ??= (async () => {
        await server.close();
        await engine.close();
      })();
      return closing;
    },
  };
}
