/**
 * Before the run: the web app and the agent must be built, and a snapshot of this machine's
 * own network state is taken. After it (the function returned is the global teardown): no agent
 * of this run may still be running, and the machine's network state must be exactly as before.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PIDS_FILE } from './support/agent';
import { hostDifferences, hostState } from './support/host-state';
import { AGENT_BUNDLE, RUN_DIR_ENV, WEB_DIST } from './support/paths';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether `pid` is still one of our agents (and not a reused pid of something else). */
function isOurAgent(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('netns-lab.mjs');
  } catch {
    return false;
  }
}

async function stopLeftoverAgents(runDir: string): Promise<number[]> {
  const file = path.join(runDir, PIDS_FILE);
  if (!existsSync(file)) return [];
  const pids = readFileSync(file, 'utf8')
    .split('\n')
    .map(Number)
    .filter((pid) => Number.isInteger(pid) && pid > 0);
  const left = pids.filter((pid) => processAlive(pid) && isOurAgent(pid));
  for (const pid of left) process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (left.some(processAlive) && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 100));
  for (const pid of left) if (processAlive(pid) && isOurAgent(pid)) process.kill(pid, 'SIGKILL');
  return left;
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const missing = [
    [WEB_DIST, 'the web app (apps/web/dist)'],
    [AGENT_BUNDLE, 'the agent (apps/agent/dist/netns-lab.mjs)'],
  ].filter(([file]) => !existsSync(file ?? ''));
  if (missing.length > 0)
    throw new Error(
      `The e2e tests need ${missing.map(([, what]) => what).join(' and ')} built: ` +
        'run `npm run build` in the netns-lab folder first (`npm test` does it for you).',
    );

  const runDir = mkdtempSync(path.join(os.tmpdir(), 'netns-lab-e2e-'));
  // Workers inherit the environment: their agents keep their files (and pids) here.
  process.env[RUN_DIR_ENV] = runDir;
  const before = await hostState();

  return async () => {
    const leftovers = await stopLeftoverAgents(runDir);
    const after = await hostState();
    rmSync(runDir, { recursive: true, force: true });
    const problems = hostDifferences(before, after);
    if (leftovers.length > 0)
      problems.unshift(`agents still running after the run (now stopped): ${leftovers.join(', ')}`);
    if (problems.length > 0)
      throw new Error(
        `The run changed this machine's own network state (it must not):\n${problems.join('\n')}`,
      );
  };
}
