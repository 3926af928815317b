/**
 * Where a netns-lab apply spends its time, for whoever fixes it:
 *
 *   node --import tsx apps/agent/bench/profile-apply.ts [N] [--timeout MS] [--edits] [--rounds R]
 *     [--no-destroy]
 *
 * Runs the engine in this process (sandbox mode, with a command timeout long enough for the
 * apply to finish), applies the bench's N-namespace lab (with --edits: then adds a namespace,
 * changes an address and removes the namespace) and destroys it, and reports:
 * - every process the runner started, attributed to the applier (its `ip -batch` per
 *   namespace and phase) or to the observer (namespace reads, nsid bookkeeping), with times;
 * - the applier's phases as they ran (host batches, namespace batches side by side);
 * - how long the event loop was blocked (spawning is synchronous in node);
 * - a V8 CPU profile of the apply, summarised (top functions by self and inclusive time).
 */
import { Session, type Profiler } from 'node:inspector';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createEngine } from '../src/engine/engine';
import type { RunOptions, RunResult } from '../src/kernel/runner';
import { EngineClient } from '../test/engine-client';
import { formatProfile, summariseProfile, type Profile } from './cpu-profile';
import { bridgeLab, otherAddressOf } from './labs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    timeout: { type: 'string', default: '600000' },
    edits: { type: 'boolean' },
    rounds: { type: 'string', default: '1' },
    'no-destroy': { type: 'boolean' },
  },
});
const n = Number(positionals[0] ?? 1000);

interface Entry {
  who: 'applier' | 'observer';
  ns: string;
  what: string;
  /** ms since the apply was sent: when run() was called, when the child ran, when it ended */
  called: number;
  start: number;
  end: number;
  lines: number;
}

const engine = await createEngine({
  mode: 'sandbox',
  commandTimeoutMs: Number(values.timeout),
  warmUp: true,
});
const client = new EngineClient(engine);
const runner = engine.runner;
const entries: Entry[] = [];
let origin = performance.now();
const run = runner.run.bind(runner);
(runner as { run: typeof runner.run }).run = async (
  ns: string,
  argv: readonly string[],
  options?: RunOptions,
): Promise<RunResult> => {
  const called = performance.now() - origin;
  const result = await run(ns, argv, options);
  const end = performance.now() - origin;
  const applier =
    argv.join(' ') === 'ip -batch -' || argv[0] === 'iptables' || argv[0] === 'sysctl';
  entries.push({
    who: applier ? 'applier' : 'observer',
    ns,
    what: argv[0] === 'sh' ? 'read namespace' : argv.slice(0, 4).join(' '),
    called,
    start: end - result.durationMs,
    end,
    lines: options?.input?.split('\n').length ?? 0,
  });
  return result;
};

async function profiled<T>(what: () => Promise<T>): Promise<{ value: T; profile: Profile }> {
  const session = new Session();
  session.connect();
  const post = <R>(method: string, params?: object) =>
    new Promise<R>((resolve, reject) =>
      session.post(method, params ?? {}, (error, result) =>
        error ? reject(error) : resolve(result as R),
      ),
    );
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 500 });
  await post('Profiler.start');
  const value = await what();
  const { profile } = await post<Profiler.StopReturnType>('Profiler.stop');
  session.disconnect();
  return { value, profile: profile as unknown as Profile };
}

function report(label: string, totalMs: number, doneAt: number): void {
  const during = entries.filter((e) => e.called <= doneAt);
  console.log(`\n== ${label}: ${(totalMs / 1000).toFixed(2)} s`);
  for (const who of ['applier', 'observer'] as const) {
    const mine = during.filter((e) => e.who === who);
    const kinds = new Map<string, Entry[]>();
    for (const e of mine) kinds.set(e.what, [...(kinds.get(e.what) ?? []), e]);
    for (const [what, list] of kinds) {
      const busy = list.reduce((s, e) => s + (e.end - e.start), 0);
      const waited = list.reduce((s, e) => s + (e.start - e.called), 0);
      const host = list.filter((e) => e.ns === 'host');
      const namespaces = new Set(list.map((e) => e.ns));
      console.log(
        `${who.padEnd(8)} ${what.padEnd(26)} ${String(list.length).padStart(5)} processes, ` +
          `${(busy / list.length).toFixed(1)} ms each (sum ${(busy / 1000).toFixed(1)} s), ` +
          `queued ${(waited / list.length).toFixed(1)} ms each` +
          `, in ${namespaces.size} namespace${namespaces.size === 1 ? '' : 's'}` +
          (host.length > 0 && what === 'read namespace'
            ? `; ${host.length} of them re-read the host, ${(host.reduce((s, e) => s + e.end - e.start, 0) / host.length).toFixed(0)} ms each`
            : ''),
      );
    }
  }
  // The applier's batches, in order: host batches one by one, namespace batches grouped.
  const batches = during.filter((e) => e.who === 'applier').sort((a, b) => a.called - b.called);
  let group: Entry[] = [];
  const flush = (): void => {
    if (group.length === 0) return;
    const first = Math.min(...group.map((e) => e.called));
    const last = Math.max(...group.map((e) => e.end));
    const avg = group.reduce((s, e) => s + e.end - e.start, 0) / group.length;
    console.log(
      `  phase: ${group.length} namespace batches from ${(first / 1000).toFixed(2)} s to ` +
        `${(last / 1000).toFixed(2)} s, ${avg.toFixed(0)} ms each`,
    );
    group = [];
  };
  for (const e of batches) {
    if (e.ns === 'host') {
      flush();
      console.log(
        `  host batch of ${e.lines - 1} lines: called ${(e.called / 1000).toFixed(2)} s, ran ` +
          `${(e.start / 1000).toFixed(2)}-${(e.end / 1000).toFixed(2)} s (${((e.end - e.start) / 1000).toFixed(2)} s)`,
      );
    } else group.push(e);
  }
  flush();
}

async function measure(
  label: string,
  what: () => Promise<{ commandsRun: number; processes: number }>,
) {
  entries.length = 0;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  origin = performance.now();
  loop.enable();
  const { value: done, profile } = await profiled(what);
  const totalMs = performance.now() - origin;
  loop.disable();
  report(label, totalMs, totalMs);
  console.log(
    `  apply-done: ${done.commandsRun} commands, ${done.processes} applier processes; event loop ` +
      `delay p50 ${(loop.percentile(50) / 1e6).toFixed(0)} ms, p99 ${(loop.percentile(99) / 1e6).toFixed(0)} ms, ` +
      `max ${(loop.max / 1e6).toFixed(0)} ms`,
  );
  console.log(
    formatProfile(summariseProfile(profile), 12)
      .map((l) => `  ${l}`)
      .join('\n'),
  );
  // How long the observer goes on after apply-done.
  const before = entries.length;
  const t = performance.now();
  let last = entries.length;
  let quietSince = performance.now();
  while (performance.now() - t < 300_000) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    if (entries.length !== last) {
      last = entries.length;
      quietSince = performance.now();
    } else if (performance.now() - quietSince > 1000) break;
  }
  console.log(
    `  after apply-done the observer ran ${entries.length - before} more processes for ` +
      `${((quietSince - t) / 1000).toFixed(2)} s`,
  );
  const after = entries.slice(before);
  const byKind = new Map<string, number[]>();
  for (const e of after) {
    const key = `${e.ns === 'host' ? 'host' : 'namespace'} ${e.what}`;
    byKind.set(key, [...(byKind.get(key) ?? []), e.end - e.start]);
  }
  for (const [key, durations] of byKind) {
    const sum = durations.reduce((a, b) => a + b, 0);
    console.log(
      `    ${key}: ${durations.length} processes, ${(sum / durations.length).toFixed(1)} ms each`,
    );
  }
}

try {
  await measure(`apply of ${n} namespaces from empty`, () => client.apply(bridgeLab(n)));
  if (values.edits === true) {
    const changed = new Map([[0, otherAddressOf(0)]]);
    for (let round = 1; round <= Number(values.rounds); round++) {
      const label = (what: string) => `edit round ${round}: ${what}`;
      await measure(label('add a namespace + veth'), () => client.apply(bridgeLab(n + 1)));
      await measure(label('change one address'), () =>
        client.apply(bridgeLab(n + 1, { addresses: changed })),
      );
      await measure(label('remove a namespace'), () => client.apply(bridgeLab(n)));
    }
  }
  if (values['no-destroy'] !== true)
    await measure(`destroy of ${n} namespaces`, () => client.destroy());
} finally {
  client.close();
  await engine.close();
}
