import { exampleLab } from '@netns-lab/model';
import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { appStore } from '../store/store';
import { setStore, withFreshStore } from '../test-utils';
import { Inspector } from './Inspector';

withFreshStore();

function inspect(nodes: string[], links: string[] = []) {
  setStore({ lab: exampleLab('seed-bridge'), selection: { nodes, links } });
  render(<Inspector />);
  return screen.getByRole('region', { name: 'Inspector' });
}

describe('the inspector', () => {
  it("edits red's interface name and shows the model's error at the field as it is typed", () => {
    const inspector = inspect(['red']);
    const field = within(inspector).getByLabelText('Interface name');
    expect((field as HTMLInputElement).value).toBe('veth-red');
    fireEvent.change(field, { target: { value: 'veth-red-bridge-1' } });
    expect(appStore.getState().lab.links[0]?.a.ifname).toBe('veth-red-bridge-1');
    expect(field.getAttribute('aria-invalid')).toBe('true');
    const describedBy = field.getAttribute('aria-describedby') ?? '';
    expect(document.getElementById(describedBy)?.textContent).toMatch(/17 bytes/);
  });

  it('labels address fields Address 1, Address 2 and proposes the next free address', () => {
    const inspector = inspect(['blue']);
    expect((within(inspector).getByLabelText('Address 1') as HTMLInputElement).value).toBe(
      '192.168.15.2/24',
    );
    fireEvent.click(within(inspector).getByRole('button', { name: 'Add address' }));
    expect((within(inspector).getByLabelText('Address 2') as HTMLInputElement).value).toBe(
      '192.168.15.3/24',
    );
  });

  it('makes a whole word typed into one field a single undo step', () => {
    const inspector = inspect(['red']);
    const name = within(inspector).getByLabelText('Name', { exact: true });
    const before = appStore.getState().past.length;
    for (const value of ['r', 'ro', 'ros', 'rose']) fireEvent.change(name, { target: { value } });
    expect(appStore.getState().past.length).toBe(before + 1);
    appStore.getState().undo();
    expect(appStore.getState().lab.nodes[1]).toMatchObject({ name: 'red' });
  });

  it('adds routes, ip_forward and a MASQUERADE rule with the attached subnet proposed', () => {
    const inspector = inspect(['host']);
    fireEvent.click(within(inspector).getByRole('button', { name: 'Add MASQUERADE rule' }));
    fireEvent.click(within(inspector).getByLabelText('IP forwarding (net.ipv4.ip_forward)'));
    fireEvent.click(within(inspector).getByRole('button', { name: 'Add route' }));
    const route = within(inspector).getByRole('group', { name: 'Route 1' });
    fireEvent.change(within(route).getByLabelText('To'), { target: { value: '10.0.0.0/8' } });
    const host = appStore.getState().lab.nodes[0];
    expect(host).toMatchObject({ ipForward: true, routes: [{ to: '10.0.0.0/8' }] });
    expect(host?.kind === 'host' ? host.nat[0]?.source : null).toBe('192.168.15.0/24');
  });

  it('edits both ends of a selected cable', () => {
    const inspector = inspect([], ['blue-br']);
    expect(within(inspector).getByRole('group', { name: 'End in blue' })).toBeTruthy();
    expect(within(inspector).getByRole('group', { name: 'End in v-net-0' })).toBeTruthy();
    fireEvent.click(within(inspector).getByRole('button', { name: 'Delete cable' }));
    expect(appStore.getState().lab.links.map((l) => l.id)).toEqual(['red-br']);
  });
});
