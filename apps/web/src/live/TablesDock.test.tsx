import { exampleLab, type NamespaceState } from '@netns-lab/model';
import { act, render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { appStore } from '../store/store';
import { CONNECTED, setStore, withFreshStore } from '../test-utils';
import { TablesDock } from './TablesDock';

withFreshStore();

const red = (neighbours: NamespaceState['neighbours']): NamespaceState => ({
  ns: 'red',
  links: [
    { ifname: 'lo', ifindex: 1, state: 'UNKNOWN', adminUp: false },
    { ifname: 'veth-red', ifindex: 5, state: 'UP', adminUp: true, mac: '02:00:00:00:00:01' },
  ],
  addresses: [{ ifname: 'veth-red', cidr: '192.168.15.1/24', family: 4 }],
  routes: [{ to: '192.168.15.0/24', dev: 'veth-red', src: '192.168.15.1', family: 4 }],
  neighbours,
  fdb: [],
  ipForward: false,
  nat: [],
  readAt: 1,
});

describe('the live tables', () => {
  it("shows red's tables as named tables and highlights the ARP entry that just appeared", () => {
    setStore({ lab: exampleLab('seed-bridge'), connection: CONNECTED, openTables: ['red'] });
    appStore.getState().setLiveState([red([])]);
    render(<TablesDock />);
    const region = screen.getByRole('region', { name: 'Tables: red' });
    const arp = within(region).getByRole('table', { name: 'ARP table of red' });
    expect(within(arp).getByText(/nothing has been talked to yet/)).toBeTruthy();
    act(() => {
      appStore.getState().setNamespaceState(
        red([
          {
            address: '192.168.15.2',
            dev: 'veth-red',
            mac: '02:00:00:00:00:02',
            state: 'REACHABLE',
          },
        ]),
      );
    });
    const row = within(arp).getByText('192.168.15.2').closest('tr');
    expect(row?.className).toContain('flash');
    expect(row?.textContent).toContain('02:00:00:00:00:02');
    const interfaces = within(region).getByRole('table', { name: 'Interfaces of red' });
    expect(within(interfaces).getByText('veth-red').closest('tr')?.className).not.toContain(
      'flash',
    );
  });

  it('says the namespace is not built yet when the kernel has none', () => {
    setStore({ lab: exampleLab('seed-bridge'), connection: CONNECTED, openTables: ['blue'] });
    appStore.getState().setLiveState([red([])]);
    render(<TablesDock />);
    expect(screen.getByText(/has no namespace blue yet/)).toBeTruthy();
  });

  it("shows a bridge's MAC table from the namespace that holds it", () => {
    setStore({ lab: exampleLab('seed-bridge'), connection: CONNECTED, openTables: ['v-net-0'] });
    appStore.getState().setLiveState([
      {
        ...red([]),
        ns: 'host',
        links: [{ ifname: 'v-net-0', ifindex: 3, state: 'UP', adminUp: true, kind: 'bridge' }],
        fdb: [
          { mac: '02:00:00:00:00:09', port: 'veth-red-br', bridge: 'v-net-0', permanent: false },
        ],
      },
    ]);
    render(<TablesDock />);
    const fdb = screen.getByRole('table', { name: 'MAC table of v-net-0' });
    expect(within(fdb).getByText('veth-red-br')).toBeTruthy();
  });
});
