/**
 * Turns the measurements into one table (netns-lab, the naive script, Mininet, the ratios, the
 * issue's targets and PASS/MISS), printed as text and written as Markdown.
 */
import type { MininetResult } from './mininet';
import type { NaiveResult } from './naive';
import type { RecipeResult } from './recipe';
import type { AgentRun, EditKind, NetnsLabResult } from './netns-lab';
import { formatMs, median, percentile, ratio } from './stats';

export interface SizeResults {
  n: number;
  netnsLab: NetnsLabResult;
  naive?: NaiveResult;
  naiveProblem?: string;
  mininet: MininetResult[];
  mininetProblem?: string;
  recipe: RecipeResult[];
}

export interface Row {
  measure: string;
  netnsLab: string;
  naive: string;
  mininet: string;
  recipe: string;
  vsNaive: string;
  vsMininet: string;
  target: string;
  result: '' | 'PASS' | 'MISS';
  /** How far from the target, for the notes. */
  detail?: string;
}

const EDIT_LABELS: Record<EditKind, string> = {
  add: 'add a namespace + veth',
  change: 'change one address',
  remove: 'remove a namespace',
};

const totals = (runs: readonly AgentRun[]): number[] => runs.map((r) => r.timing.totalMs);

function medianOf(values: readonly (number | undefined)[]): number {
  const known = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  return known.length === 0 ? Number.NaN : median(known);
}

function reps(count: number): string {
  return count > 1 ? ` (median of ${count})` : '';
}

function mininetBuild(size: SizeResults): { ms: number; text: string } {
  const builds = size.mininet.map((m) => m.buildMs);
  const ms = medianOf(builds);
  if (Number.isFinite(ms))
    return { ms, text: formatMs(ms) + reps(builds.filter((b) => b !== undefined).length) };
  const problem = size.mininetProblem ?? size.mininet.find((m) => m.problem)?.problem;
  return { ms, text: problem ?? 'not run' };
}

function mininetStop(size: SizeResults): { ms: number; text: string } {
  const stops = size.mininet.map((m) => m.stopMs);
  const ms = medianOf(stops);
  if (Number.isFinite(ms))
    return { ms, text: formatMs(ms) + reps(stops.filter((b) => b !== undefined).length) };
  return { ms, text: size.mininetProblem ?? 'not run' };
}

function naiveMs(size: SizeResults, section: string): { ms: number; text: string } {
  const ms = size.naive?.ms.get(section);
  if (ms !== undefined) {
    const count = size.naive?.counts.get(section);
    return { ms, text: `${formatMs(ms)}${count === undefined ? '' : ` (${count} processes)`}` };
  }
  return { ms: Number.NaN, text: size.naiveProblem ?? 'not run' };
}

function recipeMs(size: SizeResults, which: 'applyMs' | 'teardownMs'): string {
  const values = size.recipe.map((r) => r[which]);
  const ms = medianOf(values);
  if (!Number.isFinite(ms)) return size.recipe.length === 0 ? 'not run' : 'failed';
  const unreachable =
    which === 'applyMs' && size.recipe.some((r) => !r.reached) ? ' (ping failed!)' : '';
  return formatMs(ms) + reps(values.filter((v) => v !== undefined).length) + unreachable;
}

/** A failure message short enough for a table cell. */
const short = (text: string | undefined): string => {
  if (text === undefined) return 'not run';
  const line = text.replace(/\s+/g, ' ');
  return line.length > 110 ? `${line.slice(0, 107)}...` : line;
};

const over = (ms: number, limit: number, unit: string): string =>
  !Number.isFinite(ms)
    ? 'no result'
    : `${formatMs(ms)} is ${ms <= limit ? 'within' : `${(ms / limit).toFixed(1)}x over`} ${unit}`;

const verdict = (ok: boolean): 'PASS' | 'MISS' => (ok ? 'PASS' : 'MISS');

export function buildRows(sizes: readonly SizeResults[]): Row[] {
  const rows: Row[] = [];
  const bySize = new Map(sizes.map((s) => [s.n, s]));

  for (const size of sizes) {
    const applies = totals(size.netnsLab.applies);
    const ms = medianOf(applies);
    const retry = size.netnsLab.inProcess?.timing.totalMs;
    // Ratios use the in-process apply when the packaged agent could not finish.
    const effective = Number.isFinite(ms) ? ms : (retry ?? Number.NaN);
    const naive = naiveMs(size, 'apply');
    const mn = mininetBuild(size);
    const row: Row = {
      measure: `apply from empty, N=${size.n}`,
      netnsLab: Number.isFinite(ms)
        ? formatMs(ms) + reps(applies.length)
        : retry !== undefined
          ? `${short(size.netnsLab.problem)}; with a 600 s command timeout (agent in process): ${formatMs(retry)}`
          : short(size.netnsLab.problem),
      naive: naive.text,
      mininet: mn.text,
      recipe: recipeMs(size, 'applyMs'),
      vsNaive: ratio(naive.ms, effective),
      vsMininet: ratio(mn.ms, effective),
      target: '',
      result: '',
    };
    if (size.n === 100) {
      row.target = '<= 0.5 s and >= 10x faster than Mininet';
      const fastEnough = ms <= 500;
      const vsMininet = mn.ms / ms;
      row.result = verdict(fastEnough && vsMininet >= 10);
      row.detail =
        `${over(ms, 500, '0.5 s')}; ` +
        `Mininet ÷ netns-lab = ${Number.isFinite(vsMininet) ? vsMininet.toFixed(1) : 'unknown'} (target >= 10)`;
    } else if (size.n === 1000) {
      row.target = '<= 10 s';
      row.result = verdict(ms <= 10_000);
      row.detail = Number.isFinite(ms)
        ? over(ms, 10_000, '10 s')
        : `the agent ${short(size.netnsLab.problem)}` +
          (retry === undefined
            ? ''
            : `; with a 600 s command timeout: ${over(retry, 10_000, '10 s')}`);
    }
    rows.push(row);
  }

  for (const size of sizes) {
    if (size.netnsLab.edits.size === 0) continue;
    for (const kind of ['add', 'change', 'remove'] as const) {
      const runs = size.netnsLab.edits.get(kind) ?? [];
      const ms = medianOf(totals(runs));
      const commands = runs[0]?.timing.done.commandsRun;
      const processes = runs[0]?.timing.done.processes;
      const naive = naiveMs(size, kind);
      const prebuilt = size.netnsLab.inProcess ? ' (agent in process, long timeout)' : '';
      const row: Row = {
        measure: `edit N=${size.n}: ${EDIT_LABELS[kind]}${prebuilt}`,
        netnsLab:
          runs.length === 0
            ? 'not run'
            : `${formatMs(ms)}${reps(runs.length)}, ${commands} commands in ${processes} processes`,
        naive: naive.text,
        mininet: '-',
        recipe: '-',
        vsNaive: ratio(naive.ms, ms),
        vsMininet: '-',
        target: '',
        result: '',
      };
      if (size.n === 1000) {
        const small = bySize.get(100)?.netnsLab.edits.get(kind)?.[0]?.timing.done.commandsRun;
        const sameCommands = small === undefined || small === commands;
        row.target = '<= 50 ms; commands independent of N';
        row.result = verdict(ms <= 50 && sameCommands && runs.length > 0);
        row.detail =
          `${over(ms, 50, '50 ms')}; ` +
          `${commands} commands at N=1000` +
          (small === undefined ? '' : ` vs ${small} at N=100`);
      }
      rows.push(row);
    }
  }

  for (const size of sizes) {
    if (size.n < 100) continue;
    const runs = size.netnsLab.teardowns;
    const ms = medianOf(totals(runs));
    const naive = naiveMs(size, 'teardown');
    const mn = mininetStop(size);
    rows.push({
      measure: `teardown, N=${size.n}`,
      netnsLab: Number.isFinite(ms)
        ? `${formatMs(ms)}${reps(runs.length)}, ${runs[0]?.timing.done.processes} processes`
        : short(size.netnsLab.teardownProblem ?? size.netnsLab.later ?? size.netnsLab.problem),
      naive: naive.text,
      mininet: mn.text.replace(/^([\d.]+ m?s)/, '$1 (net.stop)'),
      recipe: recipeMs(size, 'teardownMs'),
      vsNaive: ratio(naive.ms, ms),
      vsMininet: ratio(mn.ms, ms),
      target: '',
      result: '',
    });
  }

  for (const size of sizes) {
    const live = size.netnsLab.live;
    if (live === undefined) continue;
    const kinds: [string, number[]][] = [
      ['address added', live.addressAdded],
      ['address removed', live.addressRemoved],
      ['neighbour learned by ping', live.neighbourLearned],
    ];
    for (const [label, samples] of kinds) {
      const p50 = percentile(samples, 50);
      const p95 = percentile(samples, 95);
      const row: Row = {
        measure: `live latency, ${label} (N=${size.n})`,
        netnsLab: `p50 ${formatMs(p50)}, p95 ${formatMs(p95)} (${samples.length} changes)`,
        naive: '-',
        mininet: '-',
        recipe: '-',
        vsNaive: '-',
        vsMininet: '-',
        target: 'p95 <= 100 ms',
        result: verdict(samples.length >= 100 && p95 <= 100),
        detail: `p95 ${formatMs(p95)} over ${samples.length} changes (${live.missed} missed in all)`,
      };
      if (label === 'address removed') {
        row.target = '';
        row.result = '';
      }
      rows.push(row);
    }
  }

  for (const size of sizes) {
    const idle = size.netnsLab.idle;
    if (idle === undefined) continue;
    rows.push({
      measure: `idle CPU, N=${size.n}, one client`,
      netnsLab:
        `${idle.cpuPercentOfOneCore.toFixed(2)}% of one core over ${idle.seconds.toFixed(0)} s ` +
        `(node ${idle.nodeCpuPercent.toFixed(2)}%; ${idle.sandboxProcesses} processes, ` +
        `${idle.messages} messages)`,
      naive: '-',
      mininet: '-',
      recipe: '-',
      vsNaive: '-',
      vsMininet: '-',
      target: '< 1% of one core',
      result: verdict(idle.cpuPercentOfOneCore < 1),
      detail: `${idle.cpuPercentOfOneCore.toFixed(2)}% of one core`,
    });
    rows.push({
      measure: `idle memory, N=${size.n}`,
      netnsLab:
        `agent ${(idle.nodeRssBytes / 2 ** 20).toFixed(0)} MiB RSS, with its children ` +
        `${(idle.treeRssBytes / 2 ** 20).toFixed(0)} MiB`,
      naive: '-',
      mininet: '-',
      recipe: '-',
      vsNaive: '-',
      vsMininet: '-',
      target: '',
      result: '',
    });
  }
  return rows;
}

const HEADERS = [
  'Measurement',
  'netns-lab',
  'naive script',
  'Mininet',
  'hand-batched script (floor)',
  'naive ÷ netns-lab',
  'Mininet ÷ netns-lab',
  'Target',
  'Result',
];

const cells = (row: Row): string[] => [
  row.measure,
  row.netnsLab,
  row.naive,
  row.mininet,
  row.recipe,
  row.vsNaive,
  row.vsMininet,
  row.target,
  row.result,
];

export function textTable(rows: readonly Row[]): string {
  const all = [HEADERS, ...rows.map(cells)];
  const widths = HEADERS.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join(' | ')
      .trimEnd();
  return [
    line(HEADERS),
    widths.map((w) => '-'.repeat(w)).join('-+-'),
    ...rows.map((r) => line(cells(r))),
  ].join('\n');
}

export function markdownTable(rows: readonly Row[]): string {
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  return [
    `| ${HEADERS.join(' | ')} |`,
    `| ${HEADERS.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${cells(r).map(esc).join(' | ')} |`),
  ].join('\n');
}

/** Per-apply detail: where the time of each netns-lab apply went. */
export function applyDetails(sizes: readonly SizeResults[]): string[] {
  const lines: string[] = [];
  const describe = (label: string, run: AgentRun): string => {
    const t = run.timing;
    return (
      `${label}: ${formatMs(t.totalMs)} until apply-done (agent's own durationMs ${formatMs(t.done.durationMs)}); ` +
      `validate+diff+plan ${formatMs(t.planMs)} before apply-started, first step after ${formatMs(t.firstStepMs)}, ` +
      `${t.steps} apply-step messages; ${t.done.commandsRun} commands in ${t.done.processes} applier processes, ` +
      `${run.sandboxProcesses} processes started in the sandbox in all; agent CPU ${run.treeCpuS.toFixed(2)} s ` +
      `(node itself ${run.nodeCpuS.toFixed(2)} s)` +
      (run.caughtUpMs === undefined
        ? ''
        : `; live view caught up after ${formatMs(run.caughtUpMs)}`) +
      (run.trace === undefined ? '' : `; inside the agent: ${run.trace}`)
    );
  };
  for (const size of sizes) {
    const lab = size.netnsLab;
    lab.applies.forEach((run, i) => lines.push(describe(`apply N=${size.n} #${i + 1}`, run)));
    for (const [kind, runs] of lab.edits)
      runs.forEach((run, i) => lines.push(describe(`edit N=${size.n} ${kind} #${i + 1}`, run)));
    lab.teardowns.forEach((run, i) => lines.push(describe(`teardown N=${size.n} #${i + 1}`, run)));
    if (lab.problem) lines.push(`N=${size.n}: ${lab.problem.replace(/\s+/g, ' ')}`);
    if (lab.later && lab.later !== lab.problem)
      lines.push(`N=${size.n}, later: ${lab.later.replace(/\s+/g, ' ')}`);
    if (lab.inProcess)
      lines.push(
        describe(
          `apply N=${size.n} again, agent in the bench's process with a long command timeout`,
          lab.inProcess,
        ) + ' (CPU figures include the bench)',
      );
    if (lab.teardownProblem)
      lines.push(`teardown N=${size.n}: ${lab.teardownProblem.replace(/\s+/g, ' ')}`);
  }
  return lines;
}
