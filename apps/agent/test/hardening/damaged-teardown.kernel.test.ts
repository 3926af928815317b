/**
 * Damaged teardown: whatever someone deleted by hand, destroy succeeds, and succeeds again
 * (deleting what is already gone is success, the CNI rule), and leaves nothing behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleLab, HOST_NS } from '@netns-lab/model';
import { createEngine, type KernelEngine } from '../../src/engine/engine';
import { EngineClient } from '../engine-client';
import { kernelIsEmpty } from './support/kernel-read';

let engine: KernelEngine;
let client: EngineClient;

beforeAll(async () => {
  engine = await createEngine({ mode: 'sandbox' });
  client = new EngineClient(engine);
});

afterAll(async () => {
  client?.close();
  await engine?.close();
});

/** Runs a command by hand in the lab's world, as a student in another terminal would. */
async function byHand(ns: string, argv: string[]): Promise<void> {
  const result = await engine.runner.run(ns, argv);
  expect(result.exitCode, result.stderr).toBe(0);
}

const damages: [string, string, [string, string[]][]][] = [
  ['a veth end inside a namespace', 'seed-veth', [['red', ['ip', 'link', 'del', 'veth-red']]]],
  ['a veth end on the bridge', 'seed-bridge', [[HOST_NS, ['ip', 'link', 'del', 'veth-blue-br']]]],
  ['a namespace', 'seed-gateway', [[HOST_NS, ['ip', 'netns', 'del', 'blue']]]],
  ['the bridge', 'seed-gateway', [[HOST_NS, ['ip', 'link', 'del', 'v-net-0']]]],
  [
    'the NAT rule and ip_forward',
    'seed-gateway',
    [
      [HOST_NS, ['iptables', '-t', 'nat', '-F', 'POSTROUTING']],
      [HOST_NS, ['sysctl', '-qw', 'net.ipv4.ip_forward=0']],
    ],
  ],
  [
    'every namespace',
    'router',
    [
      [HOST_NS, ['ip', 'netns', 'del', 'red']],
      [HOST_NS, ['ip', 'netns', 'del', 'green']],
      [HOST_NS, ['ip', 'netns', 'del', 'router']],
    ],
  ],
];

describe('damaged teardown', () => {
  it.each(damages)(
    'with %s deleted by hand (%s), destroy succeeds twice and leaves nothing',
    async (_what, labId, commands) => {
      const applied = await client.apply(exampleLab(labId));
      expect(applied.ok, JSON.stringify(applied.failure)).toBe(true);
      for (const [ns, argv] of commands) await byHand(ns, argv);

      const first = await client.destroy();
      expect(first.ok, JSON.stringify(first.failure)).toBe(true);
      const second = await client.destroy();
      expect(second.ok).toBe(true);
      expect(second.commandsRun).toBe(0);
      expect(engine.appliedLab()).toBeNull();
      const { empty, detail } = await kernelIsEmpty(engine.runner);
      expect(empty, detail).toBe(true);
    },
  );
});
