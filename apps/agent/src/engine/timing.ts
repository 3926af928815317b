/**
 * Where an apply's time goes, for whoever makes it faster: with NETNS_LAB_TRACE=1 the agent
 * writes one line per apply to stderr, from the frame's arrival to apply-done (`npm run bench`
 * sets it and keeps the lines). Off by default; it costs a few performance.now() calls.
 */
import { PerformanceObserver, performance } from 'node:perf_hooks';

export const TRACING = process.env['NETNS_LAB_TRACE'] === '1';

/** Garbage collections of the last seconds (start, duration), to tell GC pauses from work. */
const collections: { start: number; duration: number }[] = [];
if (TRACING) {
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      collections.push({ start: entry.startTime, duration: entry.duration });
    const old = performance.now() - 60_000;
    while (collections.length > 0 && collections[0]!.start < old) collections.shift();
  }).observe({ entryTypes: ['gc'] });
}

function gcBetween(from: number, to: number): number {
  let sum = 0;
  for (const { start, duration } of collections) if (start >= from && start < to) sum += duration;
  return sum;
}

/** Moments in one apply message's life (performance.now()). */
export interface ApplyTiming {
  received: number;
  parsed?: number;
  validated?: number;
}

const timings = new WeakMap<object, ApplyTiming>();

/**
 * Remembers when a message's frame arrived and its JSON was parsed; called by the server once
 * the message has passed the protocol's schema and guard.
 */
export function noteArrival(message: object, received: number, parsed: number): void {
  if (TRACING) timings.set(message, { received, parsed, validated: performance.now() });
}

export function timingOf(message: object): ApplyTiming | undefined {
  return timings.get(message);
}

const ms = (from: number | undefined, to: number | undefined): string =>
  from === undefined || to === undefined ? '?' : (to - from).toFixed(1);

/** The trace line of a finished apply. */
export function traceApply(
  kind: string,
  timing: ApplyTiming | undefined,
  checked: number,
  outcome: {
    planMs: number;
    planParts: { compile: number; kernel: number; diff: number; plan: number };
    durationMs: number;
    processes: number;
    linksUpMs: number;
  },
): void {
  if (!TRACING) return;
  const done = performance.now();
  const ran = done - outcome.durationMs;
  const parts = outcome.planParts;
  process.stderr.write(
    `netns-lab trace ${kind}: frame+JSON ${ms(timing?.received, timing?.parsed)} ms, ` +
      `schema ${ms(timing?.parsed, timing?.validated)} ms, lab rules ${ms(timing?.validated, checked)} ms, ` +
      `queued ${ms(checked, ran)} ms, model+plan ${outcome.planMs.toFixed(1)} ms ` +
      `(compile ${parts.compile.toFixed(1)}, kernel state ${parts.kernel.toFixed(1)}, ` +
      `diff ${parts.diff.toFixed(1)}, plan ${parts.plan.toFixed(1)}), ` +
      `commands ${(outcome.durationMs - outcome.planMs).toFixed(1)} ms in ${outcome.processes} processes ` +
      `(links coming up ${outcome.linksUpMs.toFixed(1)} ms), ` +
      `total ${ms(timing?.received ?? checked, done)} ms, ` +
      `of which garbage collection ${gcBetween(timing?.received ?? checked, done).toFixed(1)} ms\n`,
  );
}
