import { EXAMPLE_LABS } from '@netns-lab/model';
import { describe, expect, it } from 'vitest';
import { warmUpPipeline } from './warm-up';

/** The labs of one round: the built-in labs and two class labs. */
const LABS_PER_ROUND = EXAMPLE_LABS.length + 2;

/** Counts event-loop turns (setImmediate callbacks) until stopped. */
function turnCounter(onTurn: (turns: number) => void = () => {}): {
  turns: () => number;
  stop: () => void;
} {
  let turns = 0;
  let running = true;
  const tick = (): void => {
    if (!running) return;
    turns += 1;
    onTurn(turns);
    setImmediate(tick);
  };
  setImmediate(tick);
  return {
    turns: () => turns,
    stop: () => {
      running = false;
    },
  };
}

describe('warmUpPipeline', () => {
  it('resolves with the number of labs it ran through: the built-in labs and two class labs per round', async () => {
    expect(await warmUpPipeline({ rounds: 1 })).toBe(LABS_PER_ROUND);
    expect(await warmUpPipeline({ rounds: 2 })).toBe(2 * LABS_PER_ROUND);
  });

  it('runs nothing when given no rounds', async () => {
    expect(await warmUpPipeline({ rounds: 0 })).toBe(0);
  });

  it('gives the event loop a turn between labs', async () => {
    let timerFired = false;
    const warming = warmUpPipeline({ rounds: 1 });
    setTimeout(() => {
      timerFired = true;
    }, 0);
    const counter = turnCounter();
    const done = await warming;
    counter.stop();
    expect(done).toBe(LABS_PER_ROUND);
    expect(timerFired).toBe(true);
    // Work done in one go would leave the other callbacks a turn or two.
    expect(counter.turns()).toBeGreaterThanOrEqual(LABS_PER_ROUND - 1);
  });

  it('runs no lab when its signal is already aborted', async () => {
    expect(await warmUpPipeline({ rounds: 1, signal: AbortSignal.abort() })).toBe(0);
  });

  it('stops early when its signal is aborted on the way', async () => {
    const controller = new AbortController();
    const warming = warmUpPipeline({ rounds: 2, signal: controller.signal });
    const counter = turnCounter((turns) => {
      if (turns === 2) controller.abort();
    });
    const done = await warming;
    counter.stop();
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(2 * LABS_PER_ROUND);
    expect(done).toBeLessThanOrEqual(3);
  });
});
