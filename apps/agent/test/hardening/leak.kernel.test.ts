/**
 * Leak check: hundreds of random create / edit / edit / destroy cycles in host mode, inside a
 * throwaway namespace, leave that namespace exactly as they found it; this machine's own
 * namespace is untouched, and no process of the run is left behind. (Two edits per cycle: an
 * edit right after an edit is where a stale NAT list made the agent add a rule twice or never
 * delete it; with one edit that bug showed in far fewer cycles.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFixture, inThrowawayNamespace, runToEnd, type Bundle } from './support/bundle';
import { createMarker, waitForNoProcesses } from './support/processes';
import { machineSnapshot } from './support/snapshot';

const CYCLES = 200;
const SEED = 20_260_407;
/**
 * About a minute on an idle 2-core machine (800 applies); the budget leaves room for a busy
 * one, and the fixture stops by itself when it is spent.
 */
const BUDGET_MS = 240_000;

let fixture: Bundle;
beforeAll(async () => {
  fixture = await bundleFixture('leak-cycles');
});
afterAll(() => fixture?.remove());

describe('leak check', () => {
  it(
    `${CYCLES} random create / edit / edit / destroy cycles in host mode leave the namespace as they found it`,
    async () => {
      const marker = createMarker();
      const machineBefore = machineSnapshot();
      const { json } = await runToEnd(
        inThrowawayNamespace(fixture.file, [String(CYCLES), String(SEED), String(BUDGET_MS)]),
        { timeoutMs: BUDGET_MS + 20_000, env: marker.env },
      );
      const result = json[0] ?? {};
      expect(result['problems']).toEqual([]);
      expect(result['cycles']).toBe(CYCLES);
      expect(result['after']).toEqual(result['before']);
      // The fixture's own view: nothing of netns-lab's, and no child process, at the start.
      expect(result['before']).toMatchObject({ namespaces: [], runNetns: [], processes: [] });
      expect(result['applies']).toBe(CYCLES * 4);
      console.info(
        `leak check: ${String(result['cycles'])} cycles, ${String(result['applies'])} applies, ${String(result['commands'])} commands, ${String(result['restarts'])} restarts in ${String(result['durationMs'])} ms`,
      );

      expect(machineSnapshot()).toEqual(machineBefore);
      expect(await waitForNoProcesses(marker, 2000)).toEqual([]);
    },
    BUDGET_MS + 30_000,
  );
});
