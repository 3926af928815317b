import { describe, expect, it } from 'vitest';
import { createObserver } from '../kernel/observer';
import {
  closedAfterEach,
  createTestLab,
  expectHostUntouched,
  type TestLab,
} from '../kernel/testing';
import { LINK_UP, waitForLinks, watchLinks } from './link-waits';

describe('waiting for links to be up', () => {
  expectHostUntouched();
  const closing = closedAfterEach();

  const ends = [
    { ns: 'host', ifname: 'x-one' },
    { ns: 'red', ifname: 'x-two' },
  ];
  /** Each end must be up. */
  const each = ends.map((end) => [end]);

  async function labWithPair(): Promise<TestLab> {
    const made = await createTestLab();
    for (const argv of [
      ['ip', 'netns', 'add', 'red'],
      ['ip', 'link', 'add', 'x-one', 'type', 'veth', 'peer', 'name', 'x-two', 'netns', 'red'],
      ['ip', 'link', 'set', 'x-one', 'up'],
    ])
      expect((await made.runner.run('host', argv)).exitCode).toBe(0);
    return made;
  }

  it('looks until the timeout at an end whose peer is down, and says it is not up', async () => {
    const lab = closing(await labWithPair());
    const watch = watchLinks(undefined, LINK_UP);
    const { left, processes } = await waitForLinks(lab.runner, each, watch, LINK_UP, {
      timeoutMs: 150,
      firstLookMs: 20,
    });
    expect(left).toEqual(each);
    // One look per namespace in each round (how many rounds fit in 150 ms depends on the
    // machine).
    expect(processes % 2).toBe(0);
    expect(processes).toBeGreaterThanOrEqual(2);
  });

  it('ends at the first look once both ends are up', async () => {
    const lab = closing(await labWithPair());
    expect((await lab.runner.run('red', ['ip', 'link', 'set', 'x-two', 'up'])).exitCode).toBe(0);
    const watch = watchLinks(undefined, LINK_UP);
    const result = await waitForLinks(lab.runner, each, watch, LINK_UP, {
      timeoutMs: 5000,
      firstLookMs: 20,
    });
    expect(result).toEqual({ left: [], processes: 2 });
    // Any end of a group will do: here one that does not exist and one that is up.
    const pair = await waitForLinks(
      lab.runner,
      [[{ ns: 'host', ifname: 'x-none' }, ends[1]!]],
      watch,
      LINK_UP,
      { timeoutMs: 5000, firstLookMs: 20 },
    );
    expect(pair).toEqual({ left: [], processes: 2 });
  });

  it('trusts the observer’s reports of the kernel bringing them up, and looks at nothing', async () => {
    const lab = closing(await labWithPair());
    const observer = await createObserver(lab.runner, {
      onChange: () => undefined,
      onGone: () => undefined,
    });
    try {
      const host = [[ends[0]!]];
      const watch = watchLinks((listener) => observer.onLinkReport(listener), LINK_UP);
      expect(watch.met(ends[0]!)).toBe(false);
      expect((await lab.runner.run('red', ['ip', 'link', 'set', 'x-two', 'up'])).exitCode).toBe(0);
      // Long enough for any machine: the report, not a look, must end the wait.
      const result = await waitForLinks(lab.runner, host, watch, LINK_UP, {
        timeoutMs: 5000,
        firstLookMs: 5000,
      });
      expect(result).toEqual({ left: [], processes: 0 });
      // Set down again: the report takes it back.
      expect((await lab.runner.run('red', ['ip', 'link', 'set', 'x-two', 'down'])).exitCode).toBe(
        0,
      );
      const deadline = Date.now() + 3000;
      while (watch.met(ends[0]!) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 10));
      expect(watch.met(ends[0]!)).toBe(false);
      watch.stop();
    } finally {
      await observer.close();
    }
  });
});
