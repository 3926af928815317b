import { classLab, exampleLab, type PlannedStep } from '@netns-lab/model';
import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { updateEnd } from '../lab/edit';
import { CONNECTED, setStore, withFreshStore } from '../test-utils';
import { duration, PlanPanel } from './PlanPanel';
import { BIG_PLAN, WINDOW_BEFORE, WINDOW_SIZE } from './StepList';

withFreshStore();

const commands = (): string[] =>
  within(screen.getByRole('list', { name: 'Commands' }))
    .getAllByRole('listitem')
    .map((li) => li.textContent ?? '');

describe('the plan panel', () => {
  it("shows the seed's commands to build a fresh lab, with their count", () => {
    setStore({ lab: exampleLab('seed-veth'), connection: CONNECTED });
    render(<PlanPanel />);
    const plan = screen.getByRole('region', { name: 'Plan' });
    expect(commands()).toEqual([
      'ip netns add red',
      'ip netns add blue',
      'ip link add veth-red netns red type veth peer name veth-blue netns blue',
      'ip -n red addr add 192.168.15.1/24 dev veth-red',
      'ip -n blue addr add 192.168.15.2/24 dev veth-blue',
      'ip -n red link set veth-red up',
      'ip -n blue link set veth-blue up',
    ]);
    expect(within(plan).getByText('7 commands')).toBeTruthy();
    expect(within(plan).getByRole('button', { name: 'Apply' })).toHaveProperty('disabled', false);
  });

  it('explains the one-step veth next to the note’s two steps, with the lab’s own names', () => {
    setStore({ lab: exampleLab('seed-bridge'), connection: CONNECTED });
    render(<PlanPanel />);
    const plan = screen.getByRole('region', { name: 'Plan' });
    expect(plan.textContent).toContain('ip link add veth-red type veth peer name veth-red-br');
    expect(plan.textContent).toContain('ip link set veth-red netns red');
    expect(plan.textContent).not.toContain('ip netns del');
  });

  it('says why a teardown deletes no veth by hand', () => {
    const lab = exampleLab('seed-bridge');
    setStore({
      lab: { ...lab, nodes: lab.nodes.filter((n) => n.kind === 'host'), links: [] },
      appliedLab: lab,
      connection: CONNECTED,
    });
    render(<PlanPanel />);
    expect(commands()).toEqual(['ip link del v-net-0', 'ip netns del red', 'ip netns del blue']);
    expect(screen.getByRole('region', { name: 'Plan' }).textContent).toContain(
      'also deletes the namespace’s veth ends',
    );
  });

  it('shows only the changed commands after an edit', () => {
    const applied = exampleLab('seed-bridge');
    const edited = updateEnd(applied, 'red-br', 'a', (e) => ({
      ...e,
      addresses: ['192.168.15.10/24'],
    }));
    setStore({ lab: edited, appliedLab: applied, connection: CONNECTED });
    render(<PlanPanel />);
    expect(commands()).toEqual([
      'ip -n red addr del 192.168.15.1/24 dev veth-red',
      'ip -n red addr add 192.168.15.10/24 dev veth-red',
    ]);
    expect(screen.getByText('2 commands')).toBeTruthy();
  });

  it('says there is nothing to run when the kernel holds the lab', () => {
    const lab = exampleLab('seed-bridge');
    setStore({ lab, appliedLab: lab, connection: CONNECTED });
    render(<PlanPanel />);
    expect(screen.getByText('No commands')).toBeTruthy();
    expect(screen.queryByRole('list', { name: 'Commands' })).toBeNull();
  });

  it('disables Apply while there are errors, and says why', () => {
    const lab = updateEnd(exampleLab('seed-veth'), 'red-blue', 'a', (e) => ({
      ...e,
      ifname: 'veth-red-bridge-1',
    }));
    setStore({ lab, connection: CONNECTED });
    render(<PlanPanel />);
    const apply = screen.getByRole('button', { name: 'Apply' });
    expect(apply).toHaveProperty('disabled', true);
    expect(screen.getByText('1 error: fix them to apply')).toBeTruthy();
    expect(apply.getAttribute('aria-describedby')).toBe('apply-reason');
  });

  it('disables Apply while the agent is not connected, and says what to do', () => {
    setStore({ lab: exampleLab('seed-veth') });
    render(<PlanPanel />);
    expect(screen.getByRole('button', { name: 'Apply' })).toHaveProperty('disabled', true);
    expect(screen.getByText(/start it with npx netns-lab/)).toBeTruthy();
  });

  it('ticks each step as the agent runs it, and shows a failed step with the kernel’s message', () => {
    const steps: PlannedStep[] = [
      { index: 0, argv: ['ip', 'netns', 'add', 'red'], target: { nodeId: 'red' } },
      { index: 1, argv: ['ip', 'netns', 'add', 'blue'], target: { nodeId: 'blue' } },
      { index: 2, argv: ['ip', 'link', 'add', 'veth-red'], target: { linkId: 'red-blue' } },
    ];
    setStore({
      lab: exampleLab('seed-veth'),
      connection: CONNECTED,
      applyProgress: {
        applyId: 'a1',
        kind: 'apply',
        steps,
        statuses: ['ok', 'pending', 'pending'],
        done: null,
      },
    });
    const { rerender } = render(<PlanPanel />);
    expect(screen.getByText('Applying: step 2 of 3')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Applying…' })).toHaveProperty('disabled', true);
    expect(screen.getAllByRole('img', { name: 'done' })).toHaveLength(1);
    setStore({
      applyProgress: {
        applyId: 'a1',
        kind: 'apply',
        steps,
        statuses: ['ok', 'ok', 'failed'],
        done: {
          ok: false,
          commandsRun: 2,
          durationMs: 40,
          failure: {
            index: 2,
            argv: steps[2]!.argv,
            stderr: 'RTNETLINK answers: File exists',
            message: 'veth-red already exists',
            target: { linkId: 'red-blue' },
          },
        },
      },
    });
    rerender(<PlanPanel />);
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('Step 3 failed');
    expect(alert.textContent).toContain('ip link add veth-red');
    expect(alert.textContent).toContain('RTNETLINK answers: File exists');
    expect(screen.getByRole('img', { name: 'failed' })).toBeTruthy();
  });
});

describe('a big plan', () => {
  const TOTAL = 6000;
  const FAILED = 3001;
  const steps: PlannedStep[] = Array.from({ length: TOTAL }, (_, index) => ({
    index,
    argv: ['ip', 'netns', 'add', `ns${index}`],
    target: { nodeId: `ns${index}` },
  }));
  const rows = (name: string): HTMLElement[] =>
    within(screen.getByRole('list', { name })).getAllByRole('listitem');
  /** Thousands of rows take jsdom a few seconds to build: not a speed test, so time enough. */
  const SLOW = 30_000;
  /** The rows without role queries, which take seconds over thousands of rows in jsdom. */
  const allRows = (name: string): HTMLElement[] => [
    ...document.querySelectorAll<HTMLElement>(`ol[aria-label="${name}"] > li`),
  ];

  it(
    'shows the steps around the running one while it applies, and all on request',
    () => {
      setStore({
        lab: exampleLab('seed-veth'),
        connection: CONNECTED,
        applyProgress: {
          applyId: 'big',
          kind: 'apply',
          steps,
          statuses: steps.map((s) => (s.index < 4200 ? 'ok' : 'pending')),
          done: null,
        },
      });
      render(<PlanPanel />);
      expect(screen.getByText('Applying: step 4201 of 6000')).toBeTruthy();
      expect(screen.getByText(/6000 commands: 4200 done, 0 failed, running…/)).toBeTruthy();
      const shown = rows('Apply steps');
      expect(shown).toHaveLength(WINDOW_SIZE);
      expect(shown.some((li) => li.textContent?.endsWith('ip netns add ns4200'))).toBe(true);
      expect(screen.getByRole('img', { name: 'running' })).toBeTruthy();
      // A screen reader hears where the row sits in the whole plan.
      const running = shown.find((li) => li.textContent?.endsWith('ns4200'))!;
      expect(running.getAttribute('aria-posinset')).toBe('4201');
      expect(running.getAttribute('aria-setsize')).toBe('6000');
      expect(screen.getByText(`… ${4200 - WINDOW_BEFORE} earlier commands`)).toBeTruthy();

      const toggle = screen.getByRole('button', { name: 'Show all 6000 commands' });
      fireEvent.click(toggle);
      const all = allRows('Apply steps');
      expect(all).toHaveLength(TOTAL);
      expect(all[0]!.textContent).toContain('ip netns add ns0');
      expect(all[TOTAL - 1]!.textContent).toContain('ip netns add ns5999');
      expect(toggle.textContent).toBe(`Show only ${WINDOW_SIZE}`);
      fireEvent.click(toggle);
      expect(rows('Apply steps')).toHaveLength(WINDOW_SIZE);
    },
    SLOW,
  );

  it('centres on the failed step when a big apply fails', () => {
    setStore({
      lab: exampleLab('seed-veth'),
      connection: CONNECTED,
      applyProgress: {
        applyId: 'big',
        kind: 'apply',
        steps,
        statuses: steps.map((s) =>
          s.index === FAILED ? 'failed' : s.index < 5000 ? 'ok' : 'pending',
        ),
        done: {
          ok: false,
          commandsRun: 4999,
          durationMs: 5000,
          failure: {
            index: FAILED,
            argv: steps[FAILED]!.argv,
            stderr: 'RTNETLINK answers: File exists',
            message: 'ns3001 already exists',
            target: { nodeId: 'ns3001' },
          },
        },
      },
    });
    render(<PlanPanel />);
    expect(screen.getByText(/6000 commands: 4999 done, 1 failed\./)).toBeTruthy();
    const shown = rows('Apply steps');
    expect(shown.length).toBeLessThanOrEqual(WINDOW_SIZE);
    const failed = within(screen.getByRole('list', { name: 'Apply steps' })).getByRole('img', {
      name: 'failed',
    });
    expect(failed.parentElement?.textContent).toContain('ip netns add ns3001');
  });

  it(
    'shows a window of the commands a class lab needs, and every one on request',
    () => {
      setStore({ lab: classLab(1000), connection: CONNECTED });
      render(<PlanPanel />);
      const total = Number(
        /^(\d+) commands/.exec(screen.getByText(/^\d+ commands/).textContent!)![1],
      );
      expect(total).toBeGreaterThan(5000);
      expect(total).toBeGreaterThan(BIG_PLAN);
      expect(rows('Commands')).toHaveLength(WINDOW_SIZE);
      expect(rows('Commands')[0]!.textContent).toBe('ip netns add ns0');
      expect(screen.queryByText(/ns999/)).toBeNull();
      fireEvent.click(screen.getByRole('button', { name: `Show all ${total} commands` }));
      const all = allRows('Commands');
      expect(all).toHaveLength(total);
      expect(all.some((li) => li.textContent === 'ip -n ns999 link set veth999 up')).toBe(true);
    },
    SLOW,
  );

  it('keeps the whole list for an ordinary plan', () => {
    setStore({ lab: classLab(10), connection: CONNECTED });
    render(<PlanPanel />);
    expect(screen.queryByRole('button', { name: /Show all/ })).toBeNull();
    expect(rows('Commands').length).toBeGreaterThan(WINDOW_SIZE);
    expect(rows('Commands')[0]!.getAttribute('aria-posinset')).toBeNull();
  });
});

describe('duration', () => {
  it('says milliseconds under a second and seconds with one decimal above', () => {
    expect(duration(42.4)).toBe('42 ms');
    expect(duration(999.4)).toBe('999 ms');
    expect(duration(1000)).toBe('1.0 s');
    expect(duration(4430)).toBe('4.4 s');
  });
});
