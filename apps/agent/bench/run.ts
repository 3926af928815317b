/**
 * `npm run bench`: netns-lab against the naive script and Mininet, in one run, inside
 * sandboxes and throwaway namespaces only. Prints progress as it goes, then one table with
 * ratios, targets and PASS/MISS, and writes the results into docs/benchmarks.md.
 *
 *   --quick          N = 10 and 100 only (a few minutes)
 *   --no-mininet     leave Mininet out
 *   --profile        run the agent with --cpu-prof and summarise where its main thread went
 *   --no-write       print only; leave docs/benchmarks.md alone
 *   --sizes 100,1000 only these N (of 10, 100, 1000)
 *   --agent-only     only netns-lab (no naive script, batched script or Mininet)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from './agent-process';
import { formatProfile, summariseProfile } from './cpu-profile';
import { bridgeLab, otherAddressOf } from './labs';
import { mininetProblem, runMininet, type MininetResult } from './mininet';
import { firstApply, runNaive, type NaiveSection } from './naive';
import { runRecipe } from './recipe';
import { benchNetnsLab, type NetnsLabPlan } from './netns-lab';
import { settle } from './proc';
import { applyDetails, buildRows, markdownTable, textTable, type SizeResults } from './report';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'no-mininet': { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    sizes: { type: 'string' },
    'agent-only': { type: 'boolean', default: false },
  },
});
const onlySizes = flags.sizes?.split(',').map(Number);

/** The whole run stops starting optional repetitions after this (the bound is < 15 min). */
const BUDGET_MS = flags.quick ? 5 * 60_000 : 13 * 60_000;
const MININET_TIMEOUT_MS = 300_000;
const NAIVE_TIMEOUT_MS = 300_000;
const APPLY_TIMEOUT_MS = 300_000;

const started = Date.now();
const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s`;
const progress = (line: string): void => console.log(`[${elapsed()}] ${line}`);

function tryText(file: string, args: string[]): string {
  try {
    return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    return 'not installed';
  }
}

function machine(): string[] {
  const cpus = os.cpus();
  return [
    `- Date: ${new Date().toISOString()}`,
    `- CPU: ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown'}); memory ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`,
    `- Kernel: Linux ${os.release()}`,
    `- Node ${process.version}; ${tryText('ip', ['-V'])}`,
    `- Mininet ${tryText('dpkg-query', ['-W', '-f', '${Version}', 'mininet'])}, bridge-utils ${tryText('dpkg-query', ['-W', '-f', '${Version}', 'bridge-utils'])}`,
    `- Load average at start: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (other work on the machine shares its cores and the kernel's locks)`,
  ];
}

interface SizePlan {
  n: number;
  netnsLab: Omit<NetnsLabPlan, 'deadline' | 'timeoutMs' | 'n'>;
  naiveWithEdits: boolean;
  mininetReps: number;
  recipeReps: number;
}

const SIZES: SizePlan[] = [
  {
    n: 10,
    netnsLab: { applyReps: 5, editCycles: 0, liveCount: 0, idleSeconds: 0 },
    naiveWithEdits: false,
    mininetReps: 3,
    recipeReps: 3,
  },
  {
    n: 100,
    // The 10x-Mininet target is a ratio of two noisy medians: five applies, three Mininet builds.
    netnsLab: { applyReps: 5, editCycles: 5, liveCount: 100, idleSeconds: 10 },
    naiveWithEdits: true,
    mininetReps: 3,
    recipeReps: 3,
  },
  {
    n: 1000,
    // The first edits after a 1000-namespace apply are the slowest (the kernel is still cleaning
    // up, the agent's heap is large): five cycles make the median a typical edit, not the first.
    netnsLab: { applyReps: 1, editCycles: 5, liveCount: 0, idleSeconds: 0 },
    naiveWithEdits: true,
    mininetReps: 1,
    recipeReps: 1,
  },
];

function naiveSections(n: number, withEdits: boolean): NaiveSection[] {
  const base = bridgeLab(n);
  if (!withEdits)
    return [firstApply(base), { name: 'teardown', from: base, to: firstApply(base).from }];
  const changed = new Map([[0, otherAddressOf(0)]]);
  const plus = bridgeLab(n + 1);
  const plusChanged = bridgeLab(n + 1, { addresses: changed });
  const back = bridgeLab(n, { addresses: changed });
  return [
    firstApply(base),
    { name: 'add', from: base, to: plus },
    { name: 'change', from: plus, to: plusChanged },
    { name: 'remove', from: plusChanged, to: back },
    { name: 'teardown', from: back, to: firstApply(base).from },
  ];
}

async function main(): Promise<void> {
  const deadline = started + BUDGET_MS;
  const plans = SIZES.filter(
    (s) => (!flags.quick || s.n <= 100) && (onlySizes === undefined || onlySizes.includes(s.n)),
  );
  const info = machine();
  console.log('netns-lab benchmark' + (flags.quick ? ' (--quick)' : ''));
  for (const line of info) console.log(line);
  const mnProblem =
    flags['no-mininet'] || flags['agent-only'] ? 'left out (--no-mininet)' : mininetProblem();
  if (mnProblem !== null) console.log(`Mininet: not measured: ${mnProblem}`);
  const profileDir = flags.profile
    ? mkdtempSync(path.join(os.tmpdir(), 'netns-lab-prof-'))
    : undefined;

  const results: SizeResults[] = [];
  for (const plan of plans) {
    const { n } = plan;
    progress(`N=${n}: netns-lab through the agent's WebSocket`);
    const cpuProfDir = profileDir === undefined ? undefined : path.join(profileDir, `n${n}`);
    const netnsLab = await benchNetnsLab(
      {
        n,
        ...plan.netnsLab,
        ...(cpuProfDir === undefined ? {} : { cpuProfDir }),
        deadline,
        timeoutMs: APPLY_TIMEOUT_MS,
      },
      progress,
    );
    const size: SizeResults = { n, netnsLab, mininet: [], recipe: [] };
    results.push(size);

    if (flags['agent-only']) continue;
    await settle();
    progress(`N=${n}: naive script, one ip process per command`);
    const naive = await runNaive(naiveSections(n, plan.naiveWithEdits), NAIVE_TIMEOUT_MS);
    if (naive.ms.size > 0) size.naive = naive;
    if (naive.run.timedOut) size.naiveProblem = `timed out after ${NAIVE_TIMEOUT_MS / 1000} s`;
    else if (naive.run.exitCode !== 0)
      size.naiveProblem = `failed (exit ${naive.run.exitCode}): ${naive.run.stderrTail}`;
    progress(
      `  naive: ${[...naive.ms].map(([k, v]) => `${k} ${(v / 1000).toFixed(2)} s`).join(', ')}` +
        (size.naiveProblem ? `; ${size.naiveProblem}` : ''),
    );

    progress(`N=${n}: hand-batched script (floor)`);
    for (let rep = 0; rep < plan.recipeReps; rep++) {
      if (rep > 0 && Date.now() > deadline) break;
      await settle();
      const recipe = await runRecipe(bridgeLab(n), NAIVE_TIMEOUT_MS);
      size.recipe.push(recipe);
      progress(
        `  hand-batched script (floor) #${rep + 1}: apply ${recipe.applyMs === undefined ? '-' : `${(recipe.applyMs / 1000).toFixed(2)} s`}` +
          `, teardown ${recipe.teardownMs === undefined ? '-' : `${(recipe.teardownMs / 1000).toFixed(2)} s`}` +
          (recipe.reached ? '' : '; the ping across the bridge failed') +
          (recipe.run.exitCode === 0 ? '' : `; failed: ${recipe.run.stderrTail}`),
      );
    }

    if (mnProblem !== null) {
      size.mininetProblem = mnProblem;
      continue;
    }
    for (let rep = 0; rep < plan.mininetReps; rep++) {
      if (rep > 0 && Date.now() > deadline) break;
      await settle();
      progress(`N=${n}: Mininet single,${n} lxbr, no controller #${rep + 1}`);
      const result: MininetResult = await runMininet(n, n >= 100, MININET_TIMEOUT_MS);
      size.mininet.push(result);
      progress(
        `  Mininet: build ${result.buildMs === undefined ? '-' : `${(result.buildMs / 1000).toFixed(2)} s`}` +
          (result.stopMs === undefined ? '' : `, stop ${(result.stopMs / 1000).toFixed(2)} s`) +
          (result.problem ? `; ${result.problem}` : ''),
      );
      if (result.buildMs === undefined) break;
    }
  }

  const rows = buildRows(results);
  const details = applyDetails(results);
  console.log('');
  console.log(textTable(rows));
  const misses = rows.filter((r) => r.result === 'MISS');
  console.log('');
  for (const row of rows.filter((r) => r.result !== ''))
    console.log(`${row.result}  ${row.measure}: ${row.detail ?? ''}`);

  const profileLines: string[] = [];
  if (profileDir !== undefined) {
    for (const plan of plans) {
      const dir = path.join(profileDir, `n${plan.n}`);
      let files: string[] = [];
      try {
        files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
      } catch {
        // The agent did not write one (it was killed).
      }
      for (const file of files) {
        profileLines.push(`Agent CPU profile, N=${plan.n} (${path.join(dir, file)}):`);
        profileLines.push(...formatProfile(summariseProfile(path.join(dir, file)), 12));
      }
    }
    console.log('');
    for (const line of profileLines) console.log(line);
  }

  if (!flags['no-write']) {
    const file = path.join(REPO_ROOT, 'docs/benchmarks.md');
    writeResults(file, info, rows, details);
    progress(`results written to ${path.relative(REPO_ROOT, file)}`);
  }
  progress(`done: ${misses.length} target${misses.length === 1 ? '' : 's'} missed`);
}

const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';

/** Replaces the generated section of docs/benchmarks.md; the hand-written rest stays. */
function writeResults(
  file: string,
  info: string[],
  rows: ReturnType<typeof buildRows>,
  details: string[],
): void {
  let doc: string;
  try {
    doc = readFileSync(file, 'utf8');
  } catch {
    doc = `# Benchmarks\n\n${START}\n${END}\n`;
  }
  if (!doc.includes(START) || !doc.includes(END)) doc = `${doc.trimEnd()}\n\n${START}\n${END}\n`;
  const section = [
    START,
    '',
    `## Results${process.argv.length > 2 ? ` (npm run bench -- ${process.argv.slice(2).join(' ')})` : ''}`,
    '',
    ...info,
    '',
    markdownTable(rows),
    '',
    ...rows
      .filter((r) => r.result !== '')
      .map((r) => `- **${r.result}** ${r.measure}: ${r.detail ?? ''}`),
    '',
    '<details><summary>Every netns-lab run</summary>',
    '',
    ...details.map((d) => `- ${d}`),
    '',
    '</details>',
    '',
    END,
  ].join('\n');
  const before = doc.slice(0, doc.indexOf(START));
  const after = doc.slice(doc.indexOf(END) + END.length);
  writeFileSync(file, before + section + after);
}

await main();
