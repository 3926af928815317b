/**
 * Waiting for the kernel to do something to some interfaces (free their names, bring them up),
 * which it does in the background a moment after the command that asked for it returned.
 *
 * The wait listens to the kernel's own reports (the observer's monitor), from before the
 * commands run: an interface reported as wanted needs no look, and a report wakes the wait at
 * once. It first gives the reports a moment, then looks (`ip link show`, one process per
 * namespace) for the interfaces not reported, every POLL_MS and less often as reports come in:
 * a report can be missed (a namespace whose nsid is not named yet), a look cannot.
 */
import type { Endpoint } from '@netns-lab/model';
import type { LinkReport } from '../kernel/observer';
import type { Runner } from '../kernel/runner';

/** Reports of links until the returned function is called (the observer's onLinkReport). */
export type LinkReports = (listener: (report: LinkReport) => void) => () => void;

/** What the wait waits for, as a report says it and as a look sees it. */
export interface LinkCondition {
  reported(report: LinkReport): boolean;
  /** `state`: the operstate `ip link show` prints; undefined: no such interface. */
  looked(state: string | undefined): boolean;
}

/** The interface is gone (its name is free again). */
export const LINK_GONE: LinkCondition = {
  reported: (report) => report.deleted,
  looked: (state) => state === undefined,
};

/** The kernel has set the interface's operstate to UP (its carrier is on, its queue active). */
export const LINK_UP: LinkCondition = {
  reported: (report) => !report.deleted && report.state === 'UP',
  looked: (state) => state === 'UP',
};

/**
 * Interfaces of which any one will do: a veth pair is up once either end is (see
 * linksComingUp), a freed end is a group of its own.
 */
export type LinkGroup = readonly Endpoint[];

/** Reports heard so far, and a way to wait until some groups all meet the condition. */
export interface LinkWatch {
  /** Whether anything reports (else the wait only looks). */
  readonly listening: boolean;
  /** Whether the last report of `end` met the condition. */
  met(end: Endpoint): boolean;
  /** Resolves once each of `groups` has an end that met it by a report, or after `timeoutMs`. */
  all(groups: readonly LinkGroup[], timeoutMs: number): Promise<void>;
  stop(): void;
}

const endKey = (end: Endpoint): string => `${end.ns}\u0000${end.ifname}`;

/** Starts listening to `source` (if any) for reports that meet `condition`. */
export function watchLinks(source: LinkReports | undefined, condition: LinkCondition): LinkWatch {
  const met = new Set<string>();
  let waiting: ((key: string) => void) | undefined;
  const stop =
    source?.((report) => {
      const key = endKey(report);
      if (!condition.reported(report)) {
        met.delete(key);
        return;
      }
      met.add(key);
      waiting?.(key);
    }) ?? (() => undefined);
  const isMet = (group: LinkGroup): boolean => group.some((end) => met.has(endKey(end)));
  return {
    listening: source !== undefined,
    met: (end) => met.has(endKey(end)),
    all: (groups, timeoutMs) =>
      new Promise((resolve) => {
        const pending = new Set(groups.filter((group) => !isMet(group)));
        if (pending.size === 0) return resolve();
        const groupsOf = new Map<string, LinkGroup[]>();
        for (const group of pending)
          for (const end of group) {
            const list = groupsOf.get(endKey(end));
            if (list === undefined) groupsOf.set(endKey(end), [group]);
            else list.push(group);
          }
        const timer = setTimeout(done, timeoutMs);
        function done(): void {
          clearTimeout(timer);
          waiting = undefined;
          resolve();
        }
        waiting = (key) => {
          for (const group of groupsOf.get(key) ?? []) pending.delete(group);
          if (pending.size === 0) done();
        };
      }),
    stop,
  };
}

export const POLL_MS = 20;
/** The longest pause between looks while reports come in. */
const MAX_PAUSE_MS = 160;

export interface WaitOptions {
  timeoutMs: number;
  /** With reports: how long to wait for them before the first look (ms). */
  firstLookMs: number;
  /** The process priority of the looks. */
  priority?: 'high';
}

/**
 * Waits until each of `groups` has an end that meets the watch's condition, by reports and by
 * looks (at every end of the groups not met yet). Returns the groups that still have none after
 * `timeoutMs`, and the processes started.
 */
export async function waitForLinks(
  runner: Runner,
  groups: readonly LinkGroup[],
  watch: LinkWatch,
  condition: LinkCondition,
  options: WaitOptions,
): Promise<{ left: LinkGroup[]; processes: number }> {
  const seen = new Set<string>();
  const unmet = (list: readonly LinkGroup[]): LinkGroup[] =>
    list.filter((group) => !group.some((end) => watch.met(end) || seen.has(endKey(end))));
  let left = unmet(groups);
  // With reports, looks are only the fallback: give the reports a moment first, and more
  // between looks as they go on (a teardown's 1000 ends are freed over a second).
  let pause = POLL_MS;
  if (watch.listening && left.length > 0) {
    await watch.all(left, options.firstLookMs);
    left = unmet(left);
  }
  let processes = 0;
  const deadline = performance.now() + options.timeoutMs;
  while (left.length > 0) {
    const byNs = new Map<string, Set<string>>();
    for (const end of left.flat())
      byNs.set(end.ns, (byNs.get(end.ns) ?? new Set()).add(end.ifname));
    await Promise.all(
      [...byNs].map(async ([ns, names]) => {
        processes += 1;
        // Only the names waited for (a full `ip link show` of a host with 1000 veths costs
        // ~40 ms a look); -force: a name that is gone must not stop the others.
        const result = await runner.run(ns, ['ip', '-o', '-force', '-batch', '-'], {
          input: [...names].map((name) => `link show dev ${name}\n`).join(''),
          ...(options.priority ? { priority: options.priority } : {}),
        });
        // A namespace that cannot be entered (deleted meanwhile) holds none of them any more.
        const states =
          result.exitCode !== 0 && result.stdout === '' ? new Map() : linkStates(result.stdout);
        for (const ifname of names)
          if (condition.looked(states.get(ifname))) seen.add(endKey({ ns, ifname }));
      }),
    );
    left = unmet(left);
    if (left.length === 0 || performance.now() >= deadline) break;
    await watch.all(left, pause);
    if (watch.listening) pause = Math.min(pause * 2, MAX_PAUSE_MS);
    left = unmet(left);
  }
  return { left, processes };
}
/**
 * Interface names and operstates in `ip -o link show` output ("5: veth-red-br@if2: <...> mtu
 * 1500 qdisc noqueue master v-net-0 state UP mode DEFAULT ..."; no state printed: UNKNOWN).
 */
export function linkStates(text: string): Map<string, string> {
  const states = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^\d+: ([^@:\s]+)[@:]/.exec(line);
    if (match) states.set(match[1]!, / state (\S+)/.exec(line)?.[1] ?? 'UNKNOWN');
  }
  return states;
}
