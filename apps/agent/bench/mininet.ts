/**
 * Mininet's build of the same network: `mn --topo single,N --switch lxbr --controller none`,
 * driven through Mininet's Python API so that only build + start is timed (and stop, for
 * teardown), inside a throwaway network + mount + PID namespace.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { runThrowaway } from './throwaway';

/** Debian's Mininet is a module of the system Python (not of a pyenv or venv python3). */
const PYTHON = '/usr/bin/python3';

const SCRIPT = `
import sys, time
from mininet.net import Mininet
from mininet.topo import SingleSwitchTopo
from mininet.nodelib import LinuxBridge
from mininet.log import setLogLevel
setLogLevel('error')
n = int(sys.argv[1])
t0 = time.monotonic()
net = Mininet(topo=SingleSwitchTopo(n), switch=LinuxBridge, controller=None, build=False)
net.build()
net.start()
t1 = time.monotonic()
print('BENCH build %d' % ((t1 - t0) * 1e6), flush=True)
if sys.argv[2] == 'stop':
    net.stop()
    print('BENCH stop %d' % ((time.monotonic() - t1) * 1e6), flush=True)
`;

/** Why Mininet cannot run here, or null when it can. */
export function mininetProblem(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} is missing`;
  try {
    execFileSync(PYTHON, ['-c', 'import mininet.net, mininet.nodelib'], { stdio: 'pipe' });
  } catch {
    return 'Mininet is not installed (apt-get install mininet bridge-utils)';
  }
  try {
    execFileSync('sh', ['-c', 'command -v brctl && command -v mnexec'], { stdio: 'pipe' });
  } catch {
    return 'brctl or mnexec is missing (apt-get install mininet bridge-utils)';
  }
  return null;
}

export interface MininetResult {
  buildMs?: number;
  stopMs?: number;
  /** Why there is no number (timed out, failed). */
  problem?: string;
}

export async function runMininet(
  n: number,
  stop: boolean,
  timeoutMs: number,
): Promise<MininetResult> {
  const run = await runThrowaway(
    `${PYTHON} - ${n} ${stop ? 'stop' : 'keep'} <<'PYTHON'\n${SCRIPT}\nPYTHON\n`,
    { timeoutMs },
  );
  const build = run.values.get('build');
  const stopUs = run.values.get('stop');
  const result: MininetResult = {};
  if (build !== undefined) result.buildMs = build / 1000;
  if (stopUs !== undefined) result.stopMs = stopUs / 1000;
  if (build === undefined || (stop && stopUs === undefined)) {
    result.problem = run.timedOut
      ? `timed out after ${Math.round(timeoutMs / 1000)} s`
      : `failed (exit ${run.exitCode}): ${run.stderrTail}`;
  }
  return result;
}
