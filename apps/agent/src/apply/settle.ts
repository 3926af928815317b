/**
 * Runs a plan's phases with one pause: after the namespaces it deletes are deleted, wait until
 * the kernel has also deleted their veths' ends outside them (it cleans a deleted namespace up
 * in the background, all its devices in one batch), before anything new of the same name is
 * made. An end that outlives the wait is deleted by hand. The wait hears the kernel's reports
 * and looks where it heard nothing (link-waits.ts); it first gives the reports a moment (the
 * kernel frees the ends a few ms after the deletion; a look costs a process, ~5 ms among 1000
 * namespaces).
 */
import type { Endpoint } from '@netns-lab/model';
import type { Runner } from '../kernel/runner';
import type { Phase } from './batches';
import { executePhases, type ExecuteOptions, type ExecuteReport } from './execute';
import { LINK_GONE, POLL_MS, waitForLinks, watchLinks, type LinkReports } from './link-waits';

export interface SettleOptions extends ExecuteOptions {
  /** Ends the kernel frees after the namespace deletes (endsFreedByNamespaceDeletes). */
  freed: readonly Endpoint[];
  /** How long to wait for them before deleting them by hand (ms). */
  settleTimeoutMs?: number;
  /** The kernel's reports of links (the observer's monitor). */
  reports?: LinkReports;
  /** With reports: how long to wait for them before the first look (ms; default POLL_MS). */
  firstLookMs?: number;
}

export async function executeSettling(
  runner: Runner,
  phases: readonly Phase[],
  options: SettleOptions,
): Promise<ExecuteReport> {
  const last = phases.findLastIndex((phase) =>
    phase.some((batch) => batch.steps.some((s) => s.planStep.step.op === 'netns-del')),
  );
  if (last < 0 || options.freed.length === 0) return executePhases(runner, phases, options);
  const watch = watchLinks(options.reports, LINK_GONE);
  let first: ExecuteReport;
  let processes: number;
  try {
    first = await executePhases(runner, phases.slice(0, last + 1), options);
    if (first.failure !== undefined && !options.keepGoing) return first;
    const waited = await waitForLinks(
      runner,
      options.freed.map((end) => [end]),
      watch,
      LINK_GONE,
      {
        timeoutMs: options.settleTimeoutMs ?? 10_000,
        firstLookMs: options.firstLookMs ?? POLL_MS,
        priority: 'high',
      },
    );
    processes = waited.processes + (await deleteByHand(runner, waited.left.flat()));
  } finally {
    watch.stop();
  }
  const rest = await executePhases(runner, phases.slice(last + 1), options);
  const report: ExecuteReport = {
    done: first.done + rest.done,
    processes: first.processes + processes + rest.processes,
  };
  const failure = first.failure ?? rest.failure;
  if (failure !== undefined) report.failure = failure;
  return report;
}

/** The kernel is slow today: deletes what is left (-force: go on past what vanishes). */
async function deleteByHand(runner: Runner, left: readonly Endpoint[]): Promise<number> {
  const byNs = new Map<string, string[]>();
  for (const end of left) byNs.set(end.ns, [...(byNs.get(end.ns) ?? []), end.ifname]);
  await Promise.all(
    [...byNs].map(([ns, names]) =>
      runner.run(ns, ['ip', '-force', '-batch', '-'], {
        input: names.map((name) => `link del ${name}\n`).join(''),
        timeoutPerInputLineMs: 50,
        priority: 'high',
      }),
    ),
  );
  return byNs.size;
}
