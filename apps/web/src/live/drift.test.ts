import {
  emptyNamespaceState,
  exampleLab,
  type LiveLink,
  type NamespaceState,
} from '@netns-lab/model';
import { describe, expect, it } from 'vitest';
import { driftOf } from './drift';

const link = (ifname: string, master?: string, adminUp = true): LiveLink => ({
  ifname,
  ifindex: 1,
  state: adminUp ? 'UP' : 'DOWN',
  adminUp,
  ...(master === undefined ? {} : { master }),
});

const state = (ns: string, links: LiveLink[], cidrs: [string, string][] = []): NamespaceState =>
  emptyNamespaceState(ns, {
    links,
    addresses: cidrs.map(([ifname, cidr]) => ({ ifname, cidr, family: 4 })),
  });

/** The kernel holding exactly the seed's bridge lab. */
function holding(): Record<string, NamespaceState> {
  return {
    host: state('host', [
      link('lo'),
      link('v-net-0'),
      link('veth-red-br', 'v-net-0'),
      link('veth-blue-br', 'v-net-0'),
    ]),
    red: state('red', [link('lo'), link('veth-red')], [['veth-red', '192.168.15.1/24']]),
    blue: state('blue', [link('lo'), link('veth-blue')], [['veth-blue', '192.168.15.2/24']]),
  };
}

describe('driftOf', () => {
  const lab = exampleLab('seed-bridge');

  it('finds nothing when the kernel holds the applied lab', () => {
    expect(driftOf(lab, holding())).toEqual({ nodes: new Set(), links: new Set() });
  });

  it('marks what the kernel lost: a namespace, an address, a port off its bridge, a link down', () => {
    const live = holding();
    delete live['red'];
    expect(driftOf(lab, live).nodes).toEqual(new Set(['red']));

    const noAddress = holding();
    noAddress['blue'] = state('blue', [link('lo'), link('veth-blue')]);
    expect(driftOf(lab, noAddress).links).toEqual(new Set(['blue-br']));

    const unplugged = holding();
    unplugged['host'] = state('host', [
      link('v-net-0'),
      link('veth-red-br'),
      link('veth-blue-br', 'v-net-0', false),
    ]);
    expect(driftOf(lab, unplugged).links).toEqual(new Set(['red-br', 'blue-br']));
  });

  it('does not judge a namespace whose new tables are still on the way after an apply', () => {
    const live = holding();
    delete live['red'];
    live['blue'] = state('blue', [link('lo'), link('veth-blue')]);
    expect(driftOf(lab, live, new Set(['red', 'blue']))).toEqual({
      nodes: new Set(),
      links: new Set(),
    });
    expect(driftOf(lab, live, new Set(['red'])).links).toEqual(new Set(['blue-br']));
  });

  it('looks again at a namespace only when its tables are new objects', () => {
    const live = holding();
    expect(driftOf(lab, live).links.size).toBe(0);
    // The same object changed in place is not news (states are never changed: a read is new).
    live['blue']!.addresses.length = 0;
    expect(driftOf(lab, live).links.size).toBe(0);
    live['blue'] = { ...live['blue']! };
    expect(driftOf(lab, live).links).toEqual(new Set(['blue-br']));
  });
});
