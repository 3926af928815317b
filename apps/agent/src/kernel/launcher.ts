/**
 * The launcher: one long-lived Perl process inside the lab (the sandbox, or the host in host
 * mode) that starts the agent's short commands for it.
 *
 * Why: Node starts a child with fork + exec from its own (large) process, which blocks the event
 * loop for 3-12 ms per child; a lab of 1000 namespaces needs thousands of children (one batch
 * and one read per namespace), so the agent spent seconds doing nothing but starting processes.
 * A small Perl process forks cheaply, and Node only writes a line per command. It also enters a
 * command's network namespace itself (open /run/netns/NS, setns(2), as `nsenter --net` does)
 * between fork and exec, which saves each command in a namespace a second program start: about
 * half of what a namespace's batch costs on a small VM. (Perl: `perl-base` is part of every
 * Debian and Ubuntu system; bash, which this launcher was before, cannot call setns.)
 *
 * How, without ever building shell code from data (there is no shell at all):
 * - the agent writes a job's namespace file and argv (NUL-separated) and its input to files in
 *   a private directory (mode 0700), then sends the launcher `j ID` on its stdin: a number,
 *   nothing else;
 * - the launcher's fixed script reads the words, forks, and the child puts itself in a process
 *   group of its own, takes its stdin from the input file, its stdout and stderr to files,
 *   enters the namespace and execs the argv as a list (`exec { $argv[0] } @argv`: never a
 *   shell); the launcher prints `s ID PGID` when started and `d ID STATUS` when done;
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

/** setns(2)'s system call number, per architecture (asm/unistd.h). */
const SETNS_SYSCALL: Partial<Record<NodeJS.Architecture, number>> = {
  x64: 308,
  arm64: 268,
  riscv64: 268,
  ia32: 346,
  arm: 375,
  ppc64: 350,
  s390x: 339,
};

/**
 * Whether the launcher can enter a command's network namespace itself on this machine; where
 * not, commands come with an `nsenter --net=...` prefix instead.
 */
export const LAUNCHER_ENTERS_NAMESPACES = SETNS_SYSCALL[process.arch] !== undefined;

/** Fixed text; $ARGV[0] is the job directory the agent made, $ARGV[1] setns's number. */
const LAUNCHER_SCRIPT = String.raw`use strict;
use warnings;
use POSIX ();
use Fcntl qw(F_GETFL F_SETFL O_NONBLOCK);
my ($dir, $setns) = ($ARGV[0], 0 + $ARGV[1]);
$0 = "netns-lab-launcher $dir";
$| = 1;
my %jobs;
pipe(my $wake_r, my $wake_w) or die "pipe: $!\n";
for my $fh ($wake_r, $wake_w) { fcntl($fh, F_SETFL, fcntl($fh, F_GETFL, 0) | O_NONBLOCK); }
$SIG{CHLD} = sub { syswrite($wake_w, 'x'); };
$SIG{PIPE} = 'IGNORE';
sub reap {
  while ((my $pid = waitpid(-1, POSIX::WNOHANG())) > 0) {
    my $id = delete $jobs{$pid};
    next unless defined $id;
    my $status = ($? & 127) ? 128 + ($? & 127) : $? >> 8;
    print "d $id $status\n";
  }
}
sub start {
  my ($id) = @_;
  my $raw;
  if (open(my $fh, '<', "$dir/$id.a")) { local $/; $raw = <$fh>; close($fh); }
  my @words = defined $raw ? split(/\0/, $raw, -1) : ();
  pop @words;
  my $netns = shift @words;
  if (!defined $netns || !@words) { print "d $id 126\n"; return; }
  my $pid = fork();
  if (!defined $pid) { print "d $id 126\n"; return; }
  if ($pid == 0) {
    $SIG{CHLD} = 'DEFAULT';
    $SIG{PIPE} = 'DEFAULT';
    POSIX::setpgid(0, 0);
    my $in = -e "$dir/$id.i" ? "$dir/$id.i" : '/dev/null';
    open(STDIN, '<', $in) && open(STDOUT, '>', "$dir/$id.o") && open(STDERR, '>', "$dir/$id.e")
      or POSIX::_exit(126);
    if ($netns ne '') {
      my $ns;
      if (!open($ns, '<', $netns)) { print STDERR "cannot open $netns: $!\n"; POSIX::_exit(1); }
      if (syscall($setns, fileno($ns), 0x40000000) != 0) {
        print STDERR "cannot enter $netns: $!\n";
        POSIX::_exit(1);
      }
      close($ns);
    }
    { no warnings 'exec'; exec { $words[0] } @words; }
    print STDERR "failed to execute $words[0]: $!\n";
    POSIX::_exit(127);
  }
  POSIX::setpgid($pid, $pid);
  $jobs{$pid} = $id;
  print "s $id $pid\n";
}
print "ready\n";
my $buffer = '';
my $watch = '';
vec($watch, fileno(STDIN), 1) = 1;
vec($watch, fileno($wake_r), 1) = 1;
for (;;) {
  reap();
  # A child that ends between reap() and select() sets Perl's deferred signal flag but runs
  # the handler (the wake-up byte) only after select returns: the timeout bounds that wait.
  my $ready = select(my $got = $watch, undef, undef, 0.1);
  if ($ready < 0) { next if $!{EINTR}; last; }
  if (vec($got, fileno($wake_r), 1)) { my $drain; sysread($wake_r, $drain, 4096); }
  next unless vec($got, fileno(STDIN), 1);
  my $n = sysread(STDIN, $buffer, 65536, length $buffer);
  if (!defined $n) { next if $!{EINTR}; last; }
  last if $n == 0;
  while ($buffer =~ s/\A([^\n]*)\n//) {
    my ($op, $arg) = split(/ /, $1, 2);
    next unless defined $arg && $arg =~ /\A[0-9]+\z/;
    if ($op eq 'j') { start($arg); }
    elsif ($op eq 'k') { kill('KILL', -$arg); }
  }
}
if (opendir(my $dh, $dir)) {
  for my $name (readdir($dh)) { unlink("$dir/$name") unless $name eq '.' || $name eq '..'; }
  closedir($dh);
}
rmdir($dir);
`;

/** How long a killed job may take to be reaped before it is reported anyway. */
const KILL_GRACE_MS = 2000;

/** A command for the launcher: the namespace file it enters (null: none), and its argv. */
export interface LaunchCommand {
  netns: string | null;
  argv: readonly string[];
}

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
  /** Runs a command in its namespace and collects its output. Never rejects. */
  run(command: LaunchCommand, options: LaunchOptions): Promise<LaunchResult>;
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
  /** Past its timeout: killed, and reported as timed out once reaped (or after the grace). */
  timedOut: boolean;
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
  const argv = [
    ...prefix,
    'perl',
    '-e',
    LAUNCHER_SCRIPT,
    insideDir,
    String(SETNS_SYSCALL[process.arch] ?? 0),
  ];
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
    finish(job, value, job.timedOut);
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

  function run(command: LaunchCommand, options: LaunchOptions): Promise<LaunchResult> {
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
      if (command.netns !== null && !LAUNCHER_ENTERS_NAMESPACES)
        throw new Error('this launcher cannot enter namespaces on this architecture');
      const words = [command.netns ?? '', ...command.argv];
      writeFileSync(`${base}.a`, words.map((word) => `${word}\0`).join(''), { mode: 0o600 });
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
        timedOut: false,
        settle: resolve,
        maxBuffer: options.maxBuffer,
      };
      jobs.set(id, job);
      // Past the timeout the job is killed and reported once the launcher has reaped it, so
      // that no process of it outlives the report (bounded: a launcher that does not answer).
      job.timer = setTimeout(() => {
        job.timedOut = true;
        stopJob(job);
        job.timer = setTimeout(() => finish(job, -1, true), KILL_GRACE_MS);
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
