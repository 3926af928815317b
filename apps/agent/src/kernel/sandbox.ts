/**
 * Where the lab lives. In sandbox mode (the default) the lab's "host" is a private network, mount
 * and PID namespace (plus a user namespace when the agent is not root): it vanishes when the
 * agent dies, even by SIGKILL, and never touches this machine's own network. Host mode uses the
 * machine's real root namespace and needs root.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Socket } from 'node:net';
import { checkKernelName, describeNameProblem, HOST_NS } from '@netns-lab/model';

export type SandboxMode = 'sandbox' | 'host';

export interface Sandbox {
  readonly mode: SandboxMode;
  /** True when the sandbox runs in a user namespace (the agent is not root). */
  readonly rootless: boolean;
  /** argv prefix that runs a command in the lab's root ("host") namespace. */
  readonly hostPrefix: readonly string[];
  /**
   * argv prefix that runs a command inside named namespace `ns` (network namespace only: no new
   * mount namespace per process, unlike `ip -n`). `ns === 'host'` gives hostPrefix.
   */
  nsPrefix(ns: string): string[];
  /**
   * argv prefix, for a process already in the lab's root (see launcherPrefix), that runs a
   * command inside named namespace `ns`: `nsenter --net=/run/netns/NS --` (nothing for "host").
   */
  innerPrefix(ns: string): string[];
  /**
   * For the launcher, which enters namespaces itself: the file of named namespace `ns` as a
   * process in the lab's root sees it (`/run/netns/NS`); null for "host".
   */
  innerNetns(ns: string): string | null;
  /** argv prefix that starts a long-lived process in the lab's root (the launcher). */
  readonly launcherPrefix: readonly string[];
  /** The lab's /run/netns as this process sees it: list and watch it without a child process. */
  readonly netnsDir: string;
  /**
   * Where the launcher keeps its jobs' files, as this process (`outside`) and as the lab's
   * processes (`inside`) see it. In the sandbox: a private tmpfs on the sandbox's /dev/shm,
   * which vanishes with it, even when the agent is killed.
   */
  readonly jobRoot: { outside: string; inside: string };
  /** Sandbox mode: PID 1 of the sandbox's PID namespace, as this machine numbers it. */
  readonly pid?: number;
  /** Sandbox mode: the `unshare` process that holds the sandbox open. */
  readonly holderPid?: number;
  /** Ends the sandbox (the lab vanishes). Idempotent; host mode does nothing. */
  close(): Promise<void>;
}

export type SandboxErrorCode = 'userns-disabled' | 'not-root' | 'sandbox-failed' | 'bad-name';

export class SandboxError extends Error {
  override readonly name = 'SandboxError';
  constructor(
    readonly code: SandboxErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface SandboxOptions {
  mode: SandboxMode;
  /** How long to wait for the sandbox to come up (ms). */
  startTimeoutMs?: number;
  /** How long close() waits for the holder before SIGKILL (ms). */
  closeTimeoutMs?: number;
}

/** True when this process is real root (uid 0). */
export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

export async function createSandbox(options: SandboxOptions): Promise<Sandbox> {
  if (options.mode === 'host') return createHostSandbox();
  return startSandbox(options);
}

/** Refuses names that could escape /run/netns or be read as an option. */
function checkNamespaceName(ns: string): void {
  const problem = checkKernelName(ns);
  if (problem !== null) throw new SandboxError('bad-name', describeNameProblem(ns, problem));
}

/** Host mode's job files: in memory when /dev/shm is there. */
function hostJobRoot(): string {
  return existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
}

/** `--net=FILE` enters only the network namespace; nsenter then execs the command itself. */
function innerPrefix(ns: string): string[] {
  if (ns === HOST_NS) return [];
  checkNamespaceName(ns);
  return ['nsenter', `--net=/run/netns/${ns}`, '--'];
}

function innerNetns(ns: string): string | null {
  if (ns === HOST_NS) return null;
  checkNamespaceName(ns);
  return `/run/netns/${ns}`;
}

function createHostSandbox(): Sandbox {
  if (!isRoot()) {
    throw new SandboxError(
      'not-root',
      'Host mode changes this machine’s own network and needs root: run the agent with sudo, ' +
        'or use sandbox mode (the default), which needs no root.',
    );
  }
  return {
    mode: 'host',
    rootless: false,
    hostPrefix: [],
    nsPrefix: innerPrefix,
    innerPrefix,
    innerNetns,
    // It ends by itself when the agent's end of its stdin closes (the agent ended, even by
    // SIGKILL), after removing its job files; the commands it started are short.
    launcherPrefix: [],
    netnsDir: '/run/netns',
    jobRoot: { outside: hostJobRoot(), inside: hostJobRoot() },
    close: () => Promise.resolve(),
  };
}

/**
 * Runs as PID 1 of the sandbox. Fixed text: nothing from outside is interpolated.
 * - A tmpfs on /run/netns (or on /run when /run/netns does not exist: an unprivileged user cannot
 *   create it, and root should not leave it behind) keeps the lab's namespaces out of this
 *   machine's `ip netns list`; the mount namespace is private, so nothing propagates back.
 * - /run/netns/host names the sandbox's root namespace, so `ip netns list-id` inside any lab
 *   namespace resolves a veth peer in the lab's host to the name "host".
 * - A private tmpfs on /dev/shm holds the launcher's job files (see launcher.ts): they vanish
 *   with the sandbox. (Not on /tmp: the lab's commands may live there, as in the tests.)
 * - As PID 1 it inherits orphans (a command whose nsenter was killed on a timeout, the children
 *   of a killed launcher); ignoring SIGCHLD makes the kernel reap them at once.
 * - It then becomes `cat`, which blocks reading stdin, which only the agent holds: when the agent
 *   dies, even by SIGKILL, stdin closes, cat (PID 1) exits, and the kernel kills everything else
 *   in the PID namespace, so the last references to the lab's namespaces go and the lab
 *   vanishes. Not a shell loop: dash's `read` returns early when SIGCHLD arrives for an orphan
 *   that died, and PID 1 would exit with the lab still in use. The ignored SIGCHLD survives exec,
 *   so cat never sees it.
 */
const HOLDER_SCRIPT = `set -e
if [ -d /run/netns ]; then
  mount -t tmpfs -o mode=0755 netns-lab /run/netns
else
  mount -t tmpfs -o mode=0755 netns-lab /run
  mkdir /run/netns
fi
: > /run/netns/${HOST_NS}
mount --bind /proc/self/ns/net /run/netns/${HOST_NS}
if [ -d /dev/shm ]; then mount -t tmpfs -o mode=0700 netns-lab-jobs /dev/shm; fi
echo ready
trap '' CHLD
exec cat > /dev/null
`;

async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const rootless = !isRoot();
  const argv = [
    '--net',
    '--mount',
    '--propagation',
    'private',
    '--pid',
    '--fork',
    '--kill-child',
    ...(rootless ? ['--user', '--map-root-user'] : []),
    '--',
    'sh',
    '-c',
    HOLDER_SCRIPT,
  ];
  const holder = spawn('unshare', argv, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  holder.stderr.setEncoding('utf8');
  holder.stderr.on('data', (chunk: string) => {
    if (stderr.length < 4096) stderr += chunk;
  });
  // A write to a holder that already died must not crash the agent.
  holder.stdin.on('error', () => undefined);

  try {
    await waitForReady(holder, options.startTimeoutMs ?? 10_000, () => stderr);
  } catch (error) {
    holder.kill('SIGKILL');
    throw explainStartFailure(error, stderr, rootless);
  }
  const holderPid = holder.pid;
  if (holderPid === undefined) throw new SandboxError('sandbox-failed', 'unshare did not start');
  const pid = await findChild(holderPid);

  // The agent's event loop must not be kept alive by the sandbox alone; when the agent exits,
  // the pipe closes and the sandbox goes with it.
  holder.unref();
  for (const stream of [holder.stdin, holder.stdout, holder.stderr]) {
    if (stream instanceof Socket) stream.unref();
  }

  const userArgs = rootless ? ['--user', '--preserve-credentials'] : [];
  // --pid: every command is a member of the sandbox's PID namespace and dies with it.
  const hostPrefix = ['nsenter', `--target=${pid}`, '--net', '--mount', '--pid', ...userArgs, '--'];
  const closeTimeoutMs = options.closeTimeoutMs ?? 3000;
  let closing: Promise<void> | undefined;

  return {
    mode: 'sandbox',
    rootless,
    hostPrefix,
    nsPrefix(ns) {
      if (ns === HOST_NS) return [...hostPrefix];
      checkNamespaceName(ns);
      // One nsenter: --net=FILE is opened before nsenter changes mount namespace, so the file is
      // reached through the sandbox's root (/proc/PID/root) rather than this machine's /run.
      return [
        'nsenter',
        `--target=${pid}`,
        '--mount',
        '--pid',
        `--net=/proc/${pid}/root/run/netns/${ns}`,
        ...userArgs,
        '--',
      ];
    },
    innerPrefix,
    innerNetns,
    launcherPrefix: hostPrefix,
    netnsDir: `/proc/${pid}/root/run/netns`,
    jobRoot: existsSync('/dev/shm')
      ? { outside: `/proc/${pid}/root/dev/shm`, inside: '/dev/shm' }
      : { outside: tmpdir(), inside: tmpdir() },
    pid,
    holderPid,
    close() {
      closing ??= stopHolder(holder, closeTimeoutMs);
      return closing;
    },
  };
}

function waitForReady(holder: ChildProcess, timeoutMs: number, stderr: () => string) {
  return new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      finish(new Error(`the sandbox did not start within ${timeoutMs} ms`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('ready\n')) finish();
    };
    const onExit = (code: number | null, signal: string | null) => {
      finish(new Error(`unshare exited (${signal ?? `code ${code}`}): ${stderr().trim()}`));
    };
    const onError = (error: Error) => finish(error);
    function finish(error?: Error) {
      clearTimeout(timer);
      holder.stdout?.off('data', onData);
      holder.off('exit', onExit);
      holder.off('error', onError);
      if (error) reject(error);
      else resolve();
    }
    holder.stdout?.on('data', onData);
    holder.once('exit', onExit);
    holder.once('error', onError);
  });
}

/** Turns unshare's failure into a sentence the user can act on (exported for tests). */
export function explainStartFailure(
  error: unknown,
  stderr: string,
  rootless: boolean,
): SandboxError {
  const detail = error instanceof Error ? error.message : String(error);
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
    return new SandboxError(
      'sandbox-failed',
      'unshare is not installed (it is in util-linux: apt-get install util-linux).',
    );
  }
  if (rootless && /Operation not permitted|Permission denied|No space left/i.test(stderr)) {
    return new SandboxError(
      'userns-disabled',
      'Cannot create the sandbox: this machine does not let unprivileged users create user ' +
        'namespaces (' +
        stderr.trim() +
        '). Enable them with `sudo sysctl -w kernel.unprivileged_userns_clone=1` (Debian, ' +
        'older Ubuntu) or `sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0` ' +
        '(Ubuntu 23.10 and later), and check that user.max_user_namespaces is not 0; ' +
        'or run the agent as root.',
    );
  }
  return new SandboxError('sandbox-failed', `Cannot create the sandbox: ${detail}`);
}

/**
 * unshare --fork runs the holder shell as its child; that child is PID 1 of the new PID
 * namespace, and the one nsenter must target (unshare itself stays in this machine's PID
 * namespace).
 */
async function findChild(parent: number): Promise<number> {
  try {
    const text = await readFile(`/proc/${parent}/task/${parent}/children`, 'utf8');
    const first = Number.parseInt(text.trim().split(/\s+/)[0] ?? '', 10);
    if (Number.isInteger(first) && first > 0) return first;
  } catch {
    // Kernels without CONFIG_PROC_CHILDREN: fall back to scanning /proc.
  }
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: fields start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === parent) return Number(entry);
    } catch {
      // The process ended while scanning.
    }
  }
  throw new SandboxError('sandbox-failed', 'Cannot find the sandbox’s first process');
}

function stopHolder(holder: ChildProcess, timeoutMs: number): Promise<void> {
  if (holder.exitCode !== null || holder.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => holder.kill('SIGKILL'), timeoutMs);
    holder.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    // EOF on the holder's stdin ends its cat; unshare --kill-child covers the rest.
    holder.stdin?.end();
  });
}
