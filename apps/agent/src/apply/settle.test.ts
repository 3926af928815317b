import { describe, expect, it } from 'vitest';
import type { PlanStep } from '@netns-lab/model';
import { createObserver } from '../kernel/observer';
import {
  closedAfterEach,
  createTestLab,
  expectHostUntouched,
  type TestLab,
} from '../kernel/testing';
import { batchPlan } from './batches';
import { linkStates } from './link-waits';
import { executeSettling } from './settle';

describe('linkStates', () => {
  it('reads names and operstates from ip -o link show, with or without a peer after @', () => {
    const text = [
      '5: veth-red-br@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master v-net-0 state UP mode DEFAULT',
      '    link/ether 8a:2f:97:56:bc:26 brd ff:ff:ff:ff:ff:ff link-netns red',
      '7: eth0@eth1: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN',
      '9: dummy0: <BROADCAST,NOARP> mtu 1500 qdisc noop state DOWN',
      '',
    ].join('\n');
    expect([...linkStates(text)]).toEqual([
      ['veth-red-br', 'UP'],
      ['eth0', 'DOWN'],
      ['dummy0', 'DOWN'],
    ]);
  });
});

describe('waiting for the ends a namespace deletion frees', () => {
  expectHostUntouched();
  const closing = closedAfterEach();

  const deleteRed: PlanStep[] = [
    { step: { op: 'netns-del', ns: 'red' }, origin: { nodeId: 'red', path: 'nodes[1]' } },
  ];

  async function labWithRed(): Promise<TestLab> {
    const made = await createTestLab();
    for (const argv of [
      ['ip', 'netns', 'add', 'red'],
      [
        'ip',
        'link',
        'add',
        'veth-red-br',
        'type',
        'veth',
        'peer',
        'name',
        'veth-red',
        'netns',
        'red',
      ],
    ])
      expect((await made.runner.run('host', argv)).exitCode).toBe(0);
    return made;
  }

  it('looks until the kernel has taken the end along', async () => {
    const lab = closing(await labWithRed());
    const report = await executeSettling(lab.runner, batchPlan(deleteRed), {
      freed: [{ ns: 'host', ifname: 'veth-red-br' }],
    });
    expect(report).toMatchObject({ done: 1 });
    // The deletion, then at least one look.
    expect(report.processes).toBeGreaterThanOrEqual(2);
    const left = await lab.runner.run('host', ['ip', '-o', 'link', 'show', 'type', 'veth']);
    expect(left.stdout).toBe('');
  });

  it('does not look for an end the kernel already reported deleted', async () => {
    const lab = closing(await labWithRed());
    const heard: string[] = [];
    const report = await executeSettling(lab.runner, batchPlan(deleteRed), {
      freed: [{ ns: 'host', ifname: 'veth-red-br' }],
      // A report source that heard the end go (as the observer's monitor does, a moment
      // after the deletion); the wait must trust it and start no look.
      reports: (listener) => {
        heard.push('listening');
        const report = { ns: 'host', ifname: 'veth-red-br', deleted: true, state: 'DOWN' };
        const timer = setTimeout(() => listener(report), 0);
        return () => {
          clearTimeout(timer);
          heard.push('stopped');
        };
      },
    });
    expect(report).toMatchObject({ done: 1, processes: 1 });
    expect(heard).toEqual(['listening', 'stopped']);
  });

  it('waits for the observer’s report of the end, and then needs no look at all', async () => {
    const lab = closing(await labWithRed());
    const observer = await createObserver(lab.runner, {
      onChange: () => undefined,
      onGone: () => undefined,
    });
    try {
      const report = await executeSettling(lab.runner, batchPlan(deleteRed), {
        freed: [{ ns: 'host', ifname: 'veth-red-br' }],
        reports: (listener) => observer.onLinkReport(listener),
        // Long enough for any machine: the report, not a look, must end the wait.
        firstLookMs: 5000,
      });
      expect(report).toMatchObject({ done: 1, processes: 1 });
      const left = await lab.runner.run('host', ['ip', '-o', 'link', 'show', 'type', 'veth']);
      expect(left.stdout).toBe('');
    } finally {
      await observer.close();
    }
  });
});
