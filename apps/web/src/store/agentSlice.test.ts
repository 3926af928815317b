import { emptyNamespaceState, exampleLab, type NamespaceState } from '@netns-lab/model';
import { describe, expect, it, vi } from 'vitest';
import { READING_GRACE_MS } from './liveSlice';
import { createAppStore } from './store';

const ns = (name: string, neighbours: NamespaceState['neighbours'] = []): NamespaceState =>
  emptyNamespaceState(name, { neighbours });

describe('messages from the agent', () => {
  it('shows the lab the kernel holds on a fresh page, without an undo step', () => {
    const store = createAppStore();
    store.getState().receive({ type: 'lab', revision: 1, lab: exampleLab('seed-veth') });
    expect(store.getState().appliedLab?.name).toBe('Two namespaces, one veth');
    expect(store.getState().lab.nodes.map((n) => n.id)).toEqual(['host', 'red', 'blue']);
    expect(store.getState().past).toEqual([]);
  });

  it('keeps what the student drew when the agent holds another lab', () => {
    const store = createAppStore();
    store.getState().openLab(exampleLab('router'));
    store.getState().receive({ type: 'lab', revision: 1, lab: exampleLab('seed-veth') });
    expect(store.getState().lab.name).toBe('Two subnets and a router');
  });

  it('follows an apply from its start to its end', () => {
    const store = createAppStore();
    store.getState().requestSent('r1', 'apply');
    store.getState().receive({
      type: 'apply-started',
      applyId: 'a1',
      requestId: 'r1',
      kind: 'apply',
      steps: [
        { index: 0, argv: ['ip', 'netns', 'add', 'red'], target: { nodeId: 'red' } },
        { index: 1, argv: ['ip', 'netns', 'add', 'blue'], target: { nodeId: 'blue' } },
      ],
    });
    expect(store.getState().pendingRequest).toBeNull();
    store.getState().receive({
      type: 'apply-step',
      applyId: 'a1',
      index: 0,
      total: 2,
      status: 'ok',
      argv: ['ip', 'netns', 'add', 'red'],
    });
    expect(store.getState().applyProgress?.statuses).toEqual(['ok', 'pending']);
    store.getState().receive({
      type: 'apply-done',
      applyId: 'a1',
      requestId: 'r1',
      ok: true,
      commandsRun: 2,
      processes: 1,
      durationMs: 12,
    });
    expect(store.getState().applyProgress?.done).toEqual({
      ok: true,
      commandsRun: 2,
      durationMs: 12,
    });
  });

  it('waits for the new tables of the namespaces an apply changed, one by one, at most a while', () => {
    vi.useFakeTimers();
    try {
      const store = createAppStore();
      store.getState().receive({ type: 'state', namespaces: [ns('host'), ns('red')] });
      const done = (reading?: string[]) =>
        store.getState().receive({
          type: 'apply-done',
          applyId: 'a1',
          ok: true,
          commandsRun: 3,
          processes: 2,
          durationMs: 9,
          ...(reading ? { reading } : {}),
        });
      done(['host', 'red', 'blue']);
      expect([...store.getState().reading]).toEqual(['host', 'red', 'blue']);
      vi.advanceTimersByTime(READING_GRACE_MS - 1000);
      store.getState().receive({ type: 'ns-state', state: ns('red') });
      store.getState().receive({ type: 'ns-gone', ns: 'blue' });
      expect([...store.getState().reading]).toEqual(['host']);
      // Tables keep coming: the wait starts again from the last one.
      vi.advanceTimersByTime(READING_GRACE_MS - 1000);
      expect([...store.getState().reading]).toEqual(['host']);
      // The host's tables did not change, so none come: after a while it is judged as it is.
      vi.advanceTimersByTime(1000);
      expect(store.getState().reading.size).toBe(0);
      // An apply that changed nothing awaits nothing; a full snapshot ends any wait.
      done(['red']);
      done();
      expect(store.getState().reading.size).toBe(0);
      done(['red']);
      store.getState().receive({ type: 'state', namespaces: [ns('host')] });
      expect(store.getState().reading.size).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('marks an apply cut short by a lost connection as interrupted', () => {
    const store = createAppStore();
    store.getState().receive({ type: 'apply-started', applyId: 'a1', kind: 'apply', steps: [] });
    store.getState().setConnection({ status: 'reconnecting', attempt: 1 });
    expect(store.getState().applyProgress?.done?.interrupted).toBe(true);
  });

  it('highlights the rows that appear after the first snapshot, not the snapshot itself', () => {
    const store = createAppStore();
    store.getState().receive({ type: 'state', namespaces: [ns('red')] });
    expect(store.getState().recent).toEqual({});
    store.getState().receive({
      type: 'ns-state',
      state: ns('red', [{ address: '192.168.15.2', dev: 'veth-red', state: 'REACHABLE' }]),
    });
    expect(Object.keys(store.getState().recent)).toEqual(['red/neigh/veth-red/192.168.15.2']);
    store.getState().expireRecent(Date.now() + 2000);
    expect(store.getState().recent).toEqual({});
    store.getState().receive({ type: 'ns-gone', ns: 'red' });
    expect(store.getState().namespaces).toEqual({});
  });

  it('streams ping replies and losses into the ping tool, then the summary', () => {
    const store = createAppStore();
    store.getState().setPingForm({ ns: 'red', target: '192.168.15.2' });
    store.getState().pingStarted('p1');
    store.getState().receive({
      type: 'ping-reply',
      requestId: 'p1',
      seq: 1,
      ttl: 64,
      timeMs: 0.05,
      from: '192.168.15.2',
    });
    store.getState().receive({ type: 'ping-loss', requestId: 'p1', seq: 2 });
    store
      .getState()
      .receive({ type: 'ping-reply', requestId: 'other', seq: 9, ttl: 1, timeMs: 1, from: 'x' });
    store.getState().receive({ type: 'ping-done', requestId: 'p1', transmitted: 2, received: 1 });
    const ping = store.getState().ping;
    expect(ping.events.map((e) => e.kind)).toEqual(['reply', 'loss']);
    expect(ping.summary).toEqual({ transmitted: 2, received: 1, lossPercent: 50 });
    expect(ping.running).toBe(false);
    expect(ping.ran).toEqual({ ns: 'red', target: '192.168.15.2' });
  });
});

describe('apply steps', () => {
  const step = (index: number) => ({
    index,
    argv: ['ip', 'netns', 'add', `ns${index}`],
    target: { nodeId: `ns${index}` },
  });

  it('finds each step by its index, not its position, and ignores strangers', () => {
    const store = createAppStore();
    store.getState().receive({
      type: 'apply-started',
      applyId: 'a1',
      kind: 'apply',
      steps: [step(10), step(11), step(12)],
    });
    store.getState().stepsRan('a1', [
      { index: 12, status: 'ok' },
      { index: 10, status: 'ok' },
      { index: 1, status: 'ok' },
    ]);
    store.getState().stepsRan('other', [{ index: 11, status: 'ok' }]);
    expect(store.getState().applyProgress?.statuses).toEqual(['ok', 'pending', 'ok']);
    store.getState().stepsRan('a1', [
      { index: 11, status: 'ok' },
      { index: 11, status: 'failed' },
    ]);
    expect(store.getState().applyProgress?.statuses).toEqual(['ok', 'failed', 'ok']);
  });

  it('updates the store once per batch of steps, and not at all for nothing new', () => {
    const store = createAppStore();
    const steps = Array.from({ length: 6002 }, (_, i) => step(i));
    store.getState().receive({ type: 'apply-started', applyId: 'a1', kind: 'apply', steps });
    let updates = 0;
    const unsubscribe = store.subscribe(() => (updates += 1));
    store.getState().stepsRan(
      'a1',
      steps.map((s) => ({ index: s.index, status: s.index === 4000 ? 'failed' : 'ok' })),
    );
    store.getState().stepsRan('a1', [{ index: 0, status: 'ok' }]);
    unsubscribe();
    expect(updates).toBe(1);
    const statuses = store.getState().applyProgress!.statuses;
    expect(statuses.filter((s) => s === 'ok')).toHaveLength(6001);
    expect(statuses[4000]).toBe('failed');
  });
});
