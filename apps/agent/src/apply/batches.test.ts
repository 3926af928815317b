import { describe, expect, it } from 'vitest';
import { classLab, EMPTY_LAB, exampleLab, planLabs } from '@netns-lab/model';
import { batchInput, batchPlan } from './batches';

describe('batching a plan', () => {
  it("keeps every step exactly once and each namespace's steps in plan order", () => {
    const plan = planLabs(EMPTY_LAB, exampleLab('seed-gateway'));
    const phases = batchPlan(plan);
    const indexes = phases.flat().flatMap((b) => b.steps.map((s) => s.index));
    expect([...indexes].sort((a, b) => a - b)).toEqual(plan.map((_, i) => i));
    for (const phase of phases) {
      const namespaces = phase.map((b) => b.ns);
      expect(new Set(namespaces).size).toBe(namespaces.length);
    }
    const order = new Map<string, number[]>();
    for (const batch of phases.flat())
      order.set(batch.ns, [...(order.get(batch.ns) ?? []), ...batch.steps.map((s) => s.index)]);
    for (const list of order.values()) expect(list).toEqual([...list].sort((a, b) => a - b));
  });

  it('runs the seed bridge lab in a handful of processes, not one per command', () => {
    const plan = planLabs(EMPTY_LAB, exampleLab('seed-bridge'));
    const batches = batchPlan(plan).flat();
    expect(plan.length).toBe(14);
    expect(batches.length).toBeLessThanOrEqual(6);
  });

  it('needs about one process per namespace for a large lab', () => {
    const plan = planLabs(EMPTY_LAB, classLab(100));
    const batches = batchPlan(plan).flat();
    expect(batches.length).toBeLessThan(110);
  });

  it('feeds ip -batch the arguments without the namespace prefix', () => {
    const plan = planLabs(EMPTY_LAB, exampleLab('seed-veth'));
    const red = batchPlan(plan)
      .flat()
      .find((b) => b.ns === 'red');
    expect(batchInput(red!)).toBe('addr add 192.168.15.1/24 dev veth-red\nlink set veth-red up\n');
  });

  it('makes the namespaces, the bridge and the veths of the host in one first batch', () => {
    const phases = batchPlan(planLabs(EMPTY_LAB, exampleLab('seed-bridge')));
    expect(phases[0]).toHaveLength(1);
    expect(phases[0]![0]!.ns).toBe('host');
    expect(batchInput(phases[0]![0]!)).toBe(
      [
        'netns add red',
        'netns add blue',
        'link add v-net-0 type bridge',
        'link add veth-red netns red type veth peer name veth-red-br',
        'link add veth-blue netns blue type veth peer name veth-blue-br',
        '',
      ].join('\n'),
    );
  });

  it('keeps a bridge made inside a new namespace after the batch that makes the namespace', () => {
    const plan = planLabs(EMPTY_LAB, exampleLab('seed-gateway'));
    const phases = batchPlan(plan);
    const phaseOf = (pred: (line: string) => boolean): number =>
      phases.findIndex((phase) => phase.some((b) => batchInput(b).split('\n').some(pred)));
    const lanMade = phaseOf((l) => l === 'netns add lan');
    const lanBridge = phases.findIndex((phase) =>
      phase.some((b) => b.ns === 'lan' && batchInput(b).includes('type bridge')),
    );
    const lanVeth = phaseOf((l) => l.startsWith('link add') && l.includes('netns lan'));
    expect(lanMade).toBeGreaterThanOrEqual(0);
    expect(lanBridge).toBeGreaterThan(lanMade);
    expect(lanVeth).toBeGreaterThan(lanMade);
  });
});
