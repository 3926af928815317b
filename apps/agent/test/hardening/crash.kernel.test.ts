/**
 * Crash mid-apply. Host mode, inside one throwaway namespace: for every step k of the seed
 * gateway lab's first apply, an agent is SIGKILLed after exactly k steps, and a new agent on the
 * same journal converges, then runs nothing on a further apply. Sandbox mode: an agent
 * SIGKILLed mid-apply leaves nothing on this machine.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMPTY_LAB, exampleLab, planLabs } from '@netns-lab/model';
import { NAT_COMMENT } from '../../src/apply/applier';
import { bundleFixture, inThrowawayNamespace, runToEnd, type Bundle } from './support/bundle';
import { createMarker, waitForNoProcesses } from './support/processes';
import { machineSnapshot } from './support/snapshot';

const LAB = 'seed-gateway';
/** About a minute on an idle 2-core machine (38 agents started and killed); room for a busy one. */
const BUDGET_MS = 170_000;

let driver: Bundle;
let child: Bundle;
let sandboxAgent: Bundle;
beforeAll(async () => {
  [driver, child, sandboxAgent] = await Promise.all([
    bundleFixture('crash-driver'),
    bundleFixture('crash-child'),
    bundleFixture('sandbox-agent'),
  ]);
});
afterAll(() => {
  for (const bundle of [driver, child, sandboxAgent]) bundle?.remove();
});

/** Processes (by PID) whose network namespace is `netns` ("net:[INODE]"). */
function holdersOf(netns: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/ns/net`) === netns) out.push(Number(entry));
    } catch {
      // Gone, or a kernel thread.
    }
  }
  return out;
}

describe('crash mid-apply', () => {
  it(
    `host mode: after a SIGKILL at every step k of ${LAB}, a restarted agent converges and then runs nothing`,
    async () => {
      const total = planLabs(EMPTY_LAB, exampleLab(LAB), { natComment: NAT_COMMENT }).length;
      expect(total).toBeGreaterThan(30);
      const marker = createMarker();
      const machineBefore = machineSnapshot();
      const { json } = await runToEnd(
        inThrowawayNamespace(driver.file, [child.file, LAB, String(BUDGET_MS)]),
        { timeoutMs: BUDGET_MS + 20_000, env: marker.env },
      );
      const runs = json.filter((line) => line['summary'] === undefined);
      const summary = json.find((line) => line['summary'] === true);
      expect(runs.map((r) => r['k'])).toEqual([...Array(total + 1).keys()]);
      for (const run of runs) {
        expect(run, JSON.stringify(run)).toMatchObject({
          ran: run['k'],
          signal: 'SIGKILL',
          converged: true,
          again: 0,
          ping: 1,
          destroyed: true,
          clean: true,
        });
      }
      const orphans = runs.filter((r) => (r['orphans'] as string[]).length > 0).length;
      console.info(
        `crash mid-apply: ${runs.length} crashes survived (k = 0..${total}) in ${String(summary?.['durationMs'])} ms; ` +
          `${orphans} left an orphaned \`ip monitor\` until its next event`,
      );
      // Its long-running children die with it (setpriv --pdeathsig), even in host mode.
      expect(orphans).toBe(0);
      expect(machineSnapshot()).toEqual(machineBefore);
      expect(await waitForNoProcesses(marker, 2000)).toEqual([]);
    },
    BUDGET_MS + 30_000,
  );

  it('sandbox mode: a SIGKILL mid-apply leaves no namespace, link, rule or process behind', async () => {
    const marker = createMarker();
    const machineBefore = machineSnapshot();
    const agent = spawn(process.execPath, [sandboxAgent.file, LAB], {
      env: marker.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: Record<string, unknown>[] = [];
    let stderr = '';
    agent.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      agent.on('exit', (_code, signal) => resolve(signal)),
    );
    const applying = new Promise<void>((resolve, reject) => {
      let buffer = '';
      agent.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        let newline;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = JSON.parse(buffer.slice(0, newline)) as Record<string, unknown>;
          buffer = buffer.slice(newline + 1);
          lines.push(line);
          if (line['applying'] === true) resolve();
        }
      });
      setTimeout(() => reject(new Error(`the agent did not start applying: ${stderr}`)), 20_000);
    });
    await applying;
    const where = lines[0] as { holderPid: number; sandboxPid: number; netns: string };
    expect(where.netns).toMatch(/^net:\[\d+\]$/);
    expect(holdersOf(where.netns).length).toBeGreaterThan(0);
    // The processes of this run while the lab is being built: the agent, its sandbox, its
    // nsenters, its `ip monitor` and the commands in flight.
    expect(marker.processes().length).toBeGreaterThan(2);

    const killedAt = Date.now();
    agent.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const left = await waitForNoProcesses(marker, 2000);
    const goneAfterMs = Date.now() - killedAt;
    expect(left).toEqual([]);
    expect(holdersOf(where.netns)).toEqual([]);
    expect(machineSnapshot()).toEqual(machineBefore);
    console.info(`sandbox SIGKILL: every process and the namespace gone ${goneAfterMs} ms after`);
    expect(goneAfterMs).toBeLessThan(2000);
  });
});
