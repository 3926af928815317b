import { describe, expect, it } from 'vitest';
import { exampleLab } from '@netns-lab/model';
import { namespacesIn } from '../kernel/read-namespace';
import type { Runner } from '../kernel/runner';
import { closedAfterEach, createTestLab, expectHostUntouched } from '../kernel/testing';
import { createApplier } from './applier';
import { memoryJournal } from './journal';

describe('the applier and links coming up', () => {
  expectHostUntouched();
  const closing = closedAfterEach();

  it('says done only after the kernel says the pair it set up is up, however long it takes', async () => {
    const lab = closing(await createTestLab());
    const real = lab.runner;
    // A kernel slow to bring the pair up (as under load, when its background pass waits): the
    // first looks see it not up yet. No monitor reports here: the applier has only looks.
    let slowLooks = 2;
    const events: string[] = [];
    const runner: Runner = Object.create(real) as Runner;
    runner.run = async (ns, argv, options) => {
      const result = await real.run(ns, argv, options);
      const input = typeof options?.input === 'string' ? options.input : '';
      if (input.startsWith('link show dev ')) {
        events.push(`look ${ns}`);
        if (slowLooks > 0) {
          slowLooks -= 1;
          return { ...result, stdout: result.stdout.replace(/state UP/g, 'state DOWN') };
        }
      } else if (/link set \S+ up/.test(input)) events.push(`up ${ns}`);
      return result;
    };
    const applier = createApplier({
      runner,
      journal: memoryJournal(),
      cache: {
        view: () => ({
          namespaces: new Set(namespacesIn(real.sandbox.netnsDir)),
          states: new Map(),
        }),
        refresh: async () => undefined,
        replacing: () => undefined,
      },
    });
    const outcome = await applier.apply(exampleLab('seed-veth'));
    expect(outcome.ok).toBe(true);
    // Either end of the pair will do: each round looks at both; the first round (made to see
    // them down) is not enough, the second is, and there is no third.
    expect(events.filter((e) => e.startsWith('look')).sort()).toEqual([
      'look blue',
      'look blue',
      'look red',
      'look red',
    ]);
    expect(events.findIndex((e) => e.startsWith('look'))).toBeGreaterThan(
      events.findLastIndex((e) => e.startsWith('up')),
    );
    expect(outcome.linksUpMs).toBeGreaterThan(15);
    // An apply that brings nothing up looks at nothing.
    events.length = 0;
    const edited = exampleLab('seed-veth');
    edited.links[0]!.a.addresses = ['192.168.15.9/24'];
    expect((await applier.apply(edited)).ok).toBe(true);
    expect(events).toEqual([]);
  });
});
