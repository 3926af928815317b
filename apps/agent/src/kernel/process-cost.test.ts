import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNamespace } from './read-namespace';
import { createTestLab, expectHostUntouched, type TestLab } from './testing';

expectHostUntouched();
let lab: TestLab;
beforeAll(async () => {
  lab = await createTestLab();
});
afterAll(async () => {
  await lab.close();
});

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** Adds namespaces n<from>..n<to-1> in one ip -batch process. */
async function addNamespaces(from: number, to: number): Promise<void> {
  const lines = Array.from({ length: to - from }, (_, i) => `netns add n${from + i}\n`).join('');
  const result = await lab.runner.run('host', ['ip', '-batch', '-'], {
    input: lines,
    timeoutMs: 60_000,
  });
  expect(result.exitCode).toBe(0);
}

async function measure(count: number, samples: number) {
  const viaNsenter: number[] = [];
  const viaIpN: number[] = [];
  const reads: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    const ns = `n${(i * 37) % count}`;
    let started = performance.now();
    await lab.runner.run(ns, ['ip', 'link', 'show', 'dev', 'lo']);
    viaNsenter.push(performance.now() - started);
    started = performance.now();
    await lab.runner.run('host', ['ip', '-n', ns, 'link', 'show', 'dev', 'lo']);
    viaIpN.push(performance.now() - started);
    started = performance.now();
    await readNamespace(lab.runner, ns);
    reads.push(performance.now() - started);
  }
  const result = { nsenter: median(viaNsenter), ipN: median(viaIpN), read: median(reads) };
  console.info(
    `${count} namespaces: nsenter ${result.nsenter.toFixed(1)} ms, ip -n ${result.ipN.toFixed(1)} ms, ` +
      `readNamespace ${result.read.toFixed(1)} ms (medians of ${samples}, incl. Node's spawn)`,
  );
  return result;
}

describe('process start cost', () => {
  it('stays flat with nsenter as namespaces multiply, while ip -n grows', async () => {
    await addNamespaces(0, 100);
    const hundred = await measure(100, 30);
    await addNamespaces(100, 1000);
    const thousand = await measure(1000, 30);
    // ip -n copies the mount table (one mount per namespace) into a new mount namespace on
    // every start; nsenter --net=FILE does not.
    expect(thousand.nsenter).toBeLessThan(thousand.ipN);
    expect(hundred.nsenter).toBeGreaterThan(0);
  }, 120_000);
});
