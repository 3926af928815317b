import { describe, expect, it } from 'vitest';
import { createGate } from './gate';

describe('the gate', () => {
  it('lets at most `limit` in, and lets urgent waiters in ahead of earlier ordinary ones', async () => {
    const gate = createGate(2);
    const order: string[] = [];
    await gate.enter();
    await gate.enter();
    const waits = [
      gate.enter().then(() => order.push('read 1')),
      gate.enter().then(() => order.push('read 2')),
      gate.enter(true).then(() => order.push('apply 1')),
      gate.enter(true).then(() => order.push('apply 2')),
    ];
    await Promise.resolve();
    expect(order).toEqual([]);
    for (let i = 0; i < 4; i += 1) {
      gate.leave();
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    await Promise.all(waits);
    expect(order).toEqual(['apply 1', 'apply 2', 'read 1', 'read 2']);
  });
});
