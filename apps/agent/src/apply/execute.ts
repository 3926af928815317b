/**
 * Runs batches of plan steps through the runner, phase after phase, namespaces side by side,
 * reporting every step as it completes. Stops at the first real failure; a removal of something
 * already gone counts as done.
 */
import { isRemoval, stepCommand, type Step } from '@netns-lab/model';
import type { Runner } from '../kernel/runner';
import { batchInput, type Batch, type Phase } from './batches';
import { explainFailure, isAlreadyGone } from './explain';

export interface StepFailure {
  index: number;
  step: Step;
  stderr: string;
  message: string;
}

export interface ExecuteReport {
  /** Steps that ran and changed the kernel (or found a removal already done). */
  done: number;
  /** Processes started. */
  processes: number;
  failure?: StepFailure;
}

export interface ExecuteOptions {
  /** Called for each step as it completes. */
  onStep?: (index: number, ok: boolean) => void;
  /** Extra arguments for iptables (host mode adds -w to wait for the xtables lock). */
  iptablesArgs?: readonly string[];
  /** Keep going after a failure (used for rollback, where getting most back beats stopping). */
  keepGoing?: boolean;
  /** Batches of one phase that run at once (default 16). */
  parallel?: number;
}

const DEFAULT_PARALLEL = 16;

const FAILED_LINE = /Command failed -:(\d+)/;

async function runBatch(
  runner: Runner,
  batch: Batch,
  options: ExecuteOptions,
  report: ExecuteReport,
): Promise<StepFailure | undefined> {
  let steps = batch.steps;
  let firstFailure: StepFailure | undefined;
  while (steps.length > 0) {
    const current: Batch = { ...batch, steps };
    let failedAt = -1;
    let stderr = '';
    let timedOut = false;
    report.processes += 1;
    if (batch.tool === 'ip') {
      const result = await runner.run(batch.ns, ['ip', '-batch', '-'], {
        input: batchInput(current),
        timeoutPerInputLineMs: 20,
        priority: 'high',
      });
      if (result.exitCode !== 0) {
        const line = FAILED_LINE.exec(result.stderr);
        failedAt = line ? Number(line[1]) - 1 : 0;
        stderr = result.stderr.replace(FAILED_LINE, '').trim();
        timedOut = result.timedOut;
      }
    } else {
      // iptables and sysctl: one step per batch.
      const step = steps[0]!.planStep.step;
      const { tool, args } = stepCommand(step);
      const argv =
        tool === 'iptables' ? [tool, ...(options.iptablesArgs ?? []), ...args] : [tool, ...args];
      const result = await runner.run(batch.ns, argv, { priority: 'high' });
      if (result.exitCode !== 0) {
        failedAt = 0;
        stderr = result.stderr.trim();
        timedOut = result.timedOut;
      }
    }
    const okCount = failedAt < 0 ? steps.length : failedAt;
    for (const s of steps.slice(0, okCount)) {
      report.done += 1;
      options.onStep?.(s.index, true);
    }
    if (failedAt < 0) return firstFailure;
    const failed = steps[failedAt] ?? steps[0]!;
    const step = failed.planStep.step;
    if (isRemoval(step) && isAlreadyGone(stderr)) {
      report.done += 1;
      options.onStep?.(failed.index, true);
    } else {
      options.onStep?.(failed.index, false);
      const failure = {
        index: failed.index,
        step,
        stderr,
        message: explainFailure(step, stderr, timedOut),
      };
      if (!options.keepGoing) return failure;
      firstFailure ??= failure;
    }
    steps = steps.slice(steps.indexOf(failed) + 1);
  }
  return firstFailure;
}

export async function executePhases(
  runner: Runner,
  phases: readonly Phase[],
  options: ExecuteOptions = {},
): Promise<ExecuteReport> {
  const report: ExecuteReport = { done: 0, processes: 0 };
  const parallel = options.parallel ?? DEFAULT_PARALLEL;
  for (const phase of phases) {
    // Longest batch first: it is the phase's critical path (e.g. the host's 2000 bridge-port
    // lines beside 1000 two-line namespace batches), and a bounded number at a time, so that it
    // gets a share of the CPU rather than 1/32 of it, while enough short ones run side by side
    // to hide their start-up latency (4 at a time: 7.4 s for 1000 namespaces; 16: 4.6 s).
    const queue = [...phase].sort((a, b) => b.steps.length - a.steps.length);
    const results: (StepFailure | undefined)[] = [];
    await Promise.all(
      Array.from({ length: Math.min(parallel, queue.length) }, async () => {
        for (let batch = queue.shift(); batch !== undefined; batch = queue.shift())
          results.push(await runBatch(runner, batch, options, report));
      }),
    );
    const failures = results.filter((f): f is StepFailure => f !== undefined);
    if (failures.length > 0) {
      failures.sort((a, b) => a.index - b.index);
      report.failure ??= failures[0]!;
      if (!options.keepGoing) return report;
    }
  }
  return report;
}
