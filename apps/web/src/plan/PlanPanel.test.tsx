import { exampleLab, type PlannedStep } from '@netns-lab/model';
import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { updateEnd } from '../lab/edit';
import { CONNECTED, setStore, withFreshStore } from '../test-utils';
import { PlanPanel } from './PlanPanel';

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
