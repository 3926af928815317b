/**
 * Runs a plan's phases with one pause: after the namespaces it deletes are deleted, wait until
 * the kernel has also deleted their veths' ends outside them (it cleans a deleted namespace up
 * in the background, all its devices in one batch), before anything new of the same name is
 * made. An end that outlives the wait is deleted by hand.
 *
 * The wait listens to the kernel's own reports of deleted links (the observer's monitor), from
 * before the first deletion: an end reported gone needs no look, and a report wakes the wait at
 * once. It first gives the reports a moment (the kernel frees the ends a few ms after the
 * deletion; a look costs a process, ~5 ms among 1000 namespaces), then looks (`ip link show`)
 * for the ends not reported, every POLL_MS: a report can be missed (a namespace's nsid not yet
 * named), a look cannot.
 */
import type { Endpoint } from '@netns-lab/model';
import type { Runner } from '../kernel/runner';
import type { Phase } from './batches';
import { executePhases, type ExecuteOptions, type ExecuteReport } from './execute';

export interface SettleOptions extends ExecuteOptions {
  /** Ends the kernel frees after the namespace deletes (endsFreedByNamespaceDeletes). */
  freed: readonly Endpoint[];
  /** How long to wait for them before deleting them by hand (ms). */
  settleTimeoutMs?: number;
  /** Reports of deleted links (ns, ifname) until the returned function is called. */
  deletions?: (listener: (ns: string, ifname: string) => void) => () => void;
  /** With reports: how long to wait for them before the first look (ms; default POLL_MS). */
  firstLookMs?: number;
}

/** Ends reported deleted, and a way to wait until some ends all are. */
interface Reports {
  /** Whether anything reports deletions (else the wait only looks). */
  listening: boolean;
  deleted: Set<string>;
  /** Resolves once every one of `ends` has been reported deleted, or after `timeoutMs`. */
  all(ends: readonly Endpoint[], timeoutMs: number): Promise<void>;
}

const endKey = (end: Endpoint): string => `${end.ns}\u0000${end.ifname}`;

function listen(options: SettleOptions): { reports: Reports; stop(): void } {
  const deleted = new Set<string>();
  let waiting: { keys: Set<string>; wake(): void } | undefined;
  const stop =
    options.deletions?.((ns, ifname) => {
      const key = endKey({ ns, ifname });
      deleted.add(key);
      if (waiting?.keys.delete(key) === true && waiting.keys.size === 0) waiting.wake();
    }) ?? (() => undefined);
  const all = (ends: readonly Endpoint[], timeoutMs: number): Promise<void> =>
    new Promise((resolve) => {
      const keys = new Set(ends.map(endKey).filter((key) => !deleted.has(key)));
      if (keys.size === 0) return resolve();
      const timer = setTimeout(done, timeoutMs);
      function done(): void {
        clearTimeout(timer);
        waiting = undefined;
        resolve();
      }
      waiting = { keys, wake: done };
    });
  return { reports: { listening: options.deletions !== undefined, deleted, all }, stop };
}

const POLL_MS = 20;
/** The longest pause between looks while reports come in. */
const MAX_PAUSE_MS = 160;

export async function executeSettling(
  runner: Runner,
  phases: readonly Phase[],
  options: SettleOptions,
): Promise<ExecuteReport> {
  const last = phases.findLastIndex((phase) =>
    phase.some((batch) => batch.steps.some((s) => s.planStep.step.op === 'netns-del')),
  );
  if (last < 0 || options.freed.length === 0) return executePhases(runner, phases, options);
  const { reports, stop } = listen(options);
  let first: ExecuteReport;
  let processes: number;
  try {
    first = await executePhases(runner, phases.slice(0, last + 1), options);
    if (first.failure !== undefined && !options.keepGoing) return first;
    processes = await waitUntilGone(
      runner,
      options.freed,
      options.settleTimeoutMs ?? 10_000,
      reports,
      options.firstLookMs ?? POLL_MS,
    );
  } finally {
    stop();
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

/**
 * Waits until none of `ends` exists, by the kernel's reports and by looking; deletes those left
 * after `timeoutMs`. Returns the processes it started.
 */
async function waitUntilGone(
  runner: Runner,
  ends: readonly Endpoint[],
  timeoutMs: number,
  reports: Reports,
  firstLookMs: number,
): Promise<number> {
  const unreported = (list: readonly Endpoint[]): Endpoint[] =>
    list.filter((end) => !reports.deleted.has(endKey(end)));
  let left = unreported(ends);
  // With reports, looks are only the fallback: give the reports a moment first, and more
  // between looks as they go on (a teardown's 1000 ends are freed over a second).
  let pause = POLL_MS;
  if (reports.listening && left.length > 0) {
    await reports.all(left, firstLookMs);
    left = unreported(left);
  }
  let processes = 0;
  const deadline = performance.now() + timeoutMs;
  while (left.length > 0) {
    const byNs = new Map<string, Set<string>>();
    for (const end of left) byNs.set(end.ns, (byNs.get(end.ns) ?? new Set()).add(end.ifname));
    const present = await Promise.all(
      [...byNs].map(async ([ns, names]) => {
        processes += 1;
        // Only the names waited for (a full `ip link show` of a host with 1000 veths costs
        // ~40 ms a poll); -force: a name that is gone must not stop the others.
        const result = await runner.run(ns, ['ip', '-o', '-force', '-batch', '-'], {
          input: [...names].map((name) => `link show dev ${name}\n`).join(''),
          priority: 'high',
        });
        // A namespace that cannot be entered (deleted meanwhile) holds nothing of ours any more.
        if (result.exitCode !== 0 && result.stdout === '') return [];
        return vethNames(result.stdout)
          .filter((name) => names.has(name))
          .map((ifname) => ({ ns, ifname }));
      }),
    );
    left = unreported(present.flat());
    if (left.length === 0) return processes;
    if (performance.now() >= deadline) break;
    await reports.all(left, pause);
    if (reports.listening) pause = Math.min(pause * 2, MAX_PAUSE_MS);
    left = unreported(left);
  }
  if (left.length === 0) return processes;
  // The kernel is slow today: delete what is left by hand (-force: go on past what vanishes).
  const byNs = new Map<string, string[]>();
  for (const end of left) byNs.set(end.ns, [...(byNs.get(end.ns) ?? []), end.ifname]);
  await Promise.all(
    [...byNs].map(([ns, names]) => {
      processes += 1;
      return runner.run(ns, ['ip', '-force', '-batch', '-'], {
        input: names.map((name) => `link del ${name}\n`).join(''),
        timeoutPerInputLineMs: 50,
        priority: 'high',
      });
    }),
  );
  return processes;
}

/** Interface names in `ip -o link show` output ("5: veth-red-br@if2: <...>"). */
export function vethNames(text: string): string[] {
  const names: string[] = [];
  for (const line of text.split('\n')) {
    const match = /^\d+: ([^@:\s]+)[@:]/.exec(line);
    if (match) names.push(match[1]!);
  }
  return names;
}
