/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and sums where the time went: self time per function
 * and inclusive time per function, so a missed target can be explained in numbers.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionTime {
  name: string;
  /** ms */
  self: number;
  /** ms (time with this function anywhere on the stack) */
  total: number;
}

export interface ProfileSummary {
  /** Wall time the profile covers (ms). */
  wallMs: number;
  /** Time the main thread was busy (not idle, ms). */
  busyMs: number;
  functions: FunctionTime[];
}

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file =
    url === '' ? '' : ` ${path.basename(url.replace(/^file:\/\//, ''))}:${lineNumber + 1}`;
  return `${functionName || '(anonymous)'}${file}`;
}

/** Summarises one profile (a .cpuprofile file or the inspector's object). */
export function summariseProfile(source: string | Profile): ProfileSummary {
  const profile =
    typeof source === 'string' ? (JSON.parse(readFileSync(source, 'utf8')) as Profile) : source;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let busy = 0;
  let wall = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    wall += dt;
    const node = byId.get(id);
    if (!node) return;
    const name = label(node);
    if (name.startsWith('(idle)')) return;
    busy += dt;
    self.set(name, (self.get(name) ?? 0) + dt);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (!n) break;
      const l = label(n);
      if (seen.has(l)) continue;
      seen.add(l);
      total.set(l, (total.get(l) ?? 0) + dt);
    }
  });
  const functions = [...total.entries()].map(([name, tot]) => ({
    name,
    self: (self.get(name) ?? 0) / 1000,
    total: tot / 1000,
  }));
  return { wallMs: wall / 1000, busyMs: busy / 1000, functions };
}

/** The top `count` functions by self time and by inclusive time, as text lines. */
export function formatProfile(summary: ProfileSummary, count = 15): string[] {
  const lines = [
    `profile: ${summary.wallMs.toFixed(0)} ms wall, main thread busy ${summary.busyMs.toFixed(0)} ms`,
    'top self time:',
  ];
  const bySelf = [...summary.functions].sort((a, b) => b.self - a.self).slice(0, count);
  for (const f of bySelf) lines.push(`  ${f.self.toFixed(0).padStart(7)} ms  ${f.name}`);
  lines.push('top inclusive time:');
  const byTotal = [...summary.functions]
    .filter((f) => !/^\((root|program|garbage collector)\)/.test(f.name))
    .sort((a, b) => b.total - a.total)
    .slice(0, count * 2);
  for (const f of byTotal) lines.push(`  ${f.total.toFixed(0).padStart(7)} ms  ${f.name}`);
  return lines;
}

const direct =
  process.argv[1] !== undefined &&
  path.resolve(process.argv[1]) === new URL(import.meta.url).pathname;
if (direct) {
  for (const file of process.argv.slice(2))
    console.log(formatProfile(summariseProfile(file)).join('\n'));
}
