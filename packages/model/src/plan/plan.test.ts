import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  diffLabs,
  EMPTY_LAB,
  exampleLab,
  isEmptyDiff,
  planLabs,
  stepLine,
  compileLab,
  type Lab,
} from '../index';
import { KernelSim, comparable } from '../../test/kernel-sim';
import { labArbitrary } from '../../test/arbitraries';

const lines = (prev: Lab, next: Lab): string[] => planLabs(prev, next).map((s) => stepLine(s.step));

describe("the seed labs produce the seed's commands", () => {
  it('joins red and blue with one veth exactly as section 4 does, with the /24 masks', () => {
    expect(lines(EMPTY_LAB, exampleLab('seed-veth'))).toEqual([
      'ip netns add red',
      'ip netns add blue',
      'ip link add veth-red netns red type veth peer name veth-blue netns blue',
      'ip -n red addr add 192.168.15.1/24 dev veth-red',
      'ip -n blue addr add 192.168.15.2/24 dev veth-blue',
      'ip -n red link set veth-red up',
      'ip -n blue link set veth-blue up',
    ]);
  });

  it('builds the bridge lab with every command of section 5, plus the up of the -br ends', () => {
    const plan = lines(EMPTY_LAB, exampleLab('seed-bridge'));
    // The seed writes each veth in two steps (`ip link add veth-red type veth peer name
    // veth-red-br`, then `ip link set veth-red netns red`); netns-lab uses the equivalent one-step
    // form, which creates the end in its namespace instead of moving it there.
    const seed = [
      'ip netns add red',
      'ip netns add blue',
      'ip link add v-net-0 type bridge',
      'ip link set dev v-net-0 up',
      'ip link add veth-red netns red type veth peer name veth-red-br',
      'ip link add veth-blue netns blue type veth peer name veth-blue-br',
      'ip link set veth-red-br master v-net-0',
      'ip link set veth-blue-br master v-net-0',
      'ip -n red addr add 192.168.15.1/24 dev veth-red',
      'ip -n blue addr add 192.168.15.2/24 dev veth-blue',
      'ip -n red link set veth-red up',
      'ip -n blue link set veth-blue up',
    ];
    const extra = ['ip link set veth-red-br up', 'ip link set veth-blue-br up'];
    expect([...plan].sort()).toEqual([...seed, ...extra].sort());
    // Order that matters: things exist before they are used.
    const at = (line: string): number => plan.indexOf(line);
    expect(at('ip link add v-net-0 type bridge')).toBeLessThan(
      at('ip link set veth-red-br master v-net-0'),
    );
    expect(at('ip link add veth-red netns red type veth peer name veth-red-br')).toBeLessThan(
      at('ip link set veth-red-br master v-net-0'),
    );
    expect(at('ip link add veth-red netns red type veth peer name veth-red-br')).toBeLessThan(
      at('ip -n red addr add 192.168.15.1/24 dev veth-red'),
    );
    expect(at('ip netns add red')).toBeLessThan(
      at('ip link add veth-red netns red type veth peer name veth-red-br'),
    );
    expect(at('ip netns add blue')).toBeLessThan(
      at('ip link add veth-blue netns blue type veth peer name veth-blue-br'),
    );
    // The bridge comes up after its ports (not first, as in the seed): enabling a port of a bridge
    // that is already up costs time in proportion to its ports.
    for (const port of ['ip link set veth-red-br up', 'ip link set veth-blue-br up'])
      expect(at(port)).toBeLessThan(at('ip link set dev v-net-0 up'));
    expect(at('ip link set veth-red-br master v-net-0')).toBeLessThan(
      at('ip link set dev v-net-0 up'),
    );
  });

  it('adds the gateway, the route, forwarding and MASQUERADE of section 6', () => {
    const plan = lines(EMPTY_LAB, exampleLab('seed-gateway'));
    for (const line of [
      'ip addr add 192.168.15.5/24 dev v-net-0',
      'ip netns exec blue ip route add 192.168.1.0/24 via 192.168.15.5',
      'iptables -t nat -A POSTROUTING -s 192.168.15.0/24 -j MASQUERADE',
      'sysctl -w net.ipv4.ip_forward=1',
    ])
      expect(plan).toContain(line);
    expect(plan.indexOf('ip -n blue link set veth-blue up')).toBeLessThan(
      plan.indexOf('ip netns exec blue ip route add 192.168.1.0/24 via 192.168.15.5'),
    );
  });

  it('turns the bridge lab into the gateway lab with only the new steps', () => {
    const plan = lines(exampleLab('seed-bridge'), exampleLab('seed-gateway'));
    expect(plan).toContain('ip addr add 192.168.15.5/24 dev v-net-0');
    expect(plan).not.toContain('ip netns add red');
    expect(plan).not.toContain('ip link add veth-red netns red type veth peer name veth-red-br');
  });
});

describe('an edit yields only its own steps', () => {
  it('changes one address as remove old, add new, and nothing else', () => {
    const before = exampleLab('seed-bridge');
    const after = exampleLab('seed-bridge');
    after.links[0]!.a.addresses = ['192.168.15.9/24'];
    expect(lines(before, after)).toEqual([
      'ip -n red addr del 192.168.15.1/24 dev veth-red',
      'ip -n red addr add 192.168.15.9/24 dev veth-red',
    ]);
  });

  it('puts back a route the kernel drops when the address under it changes', () => {
    const before = exampleLab('seed-gateway');
    const after = exampleLab('seed-gateway');
    after.links[1]!.a.addresses = ['192.168.15.20/24'];
    expect(lines(before, after)).toEqual([
      'ip netns exec blue ip route del 192.168.1.0/24 via 192.168.15.5',
      'ip -n blue addr del 192.168.15.2/24 dev veth-blue',
      'ip -n blue addr add 192.168.15.20/24 dev veth-blue',
      'ip netns exec blue ip route add 192.168.1.0/24 via 192.168.15.5',
    ]);
  });

  it('moving a node or renaming the lab plans nothing', () => {
    const before = exampleLab('seed-gateway');
    const after = exampleLab('seed-gateway');
    after.layout.nodes['red'] = { x: 999, y: -5, color: '#f00', note: 'moved' };
    after.name = 'renamed';
    expect(isEmptyDiff(diffLabs(before, after))).toBe(true);
    expect(lines(before, after)).toEqual([]);
  });

  it('swapping which end of a veth is named first plans nothing', () => {
    const before = exampleLab('seed-veth');
    const after = exampleLab('seed-veth');
    const link = after.links[0]!;
    after.links[0] = { ...link, a: link.b, b: link.a };
    expect(lines(before, after)).toEqual([]);
  });

  it('removing the NAT rule deletes exactly that rule', () => {
    const before = exampleLab('seed-gateway');
    const after = exampleLab('seed-gateway');
    const host = after.nodes.find((n) => n.kind === 'host')!;
    if (host.kind === 'host') host.nat = [];
    expect(lines(before, after)).toEqual([
      'iptables -t nat -D POSTROUTING -s 192.168.15.0/24 -j MASQUERADE',
    ]);
  });

  it('tears down with the fewest commands: bridge ports, the bridge, then the namespaces', () => {
    expect(lines(exampleLab('seed-bridge'), EMPTY_LAB)).toEqual([
      'ip link del veth-red-br',
      'ip link del veth-blue-br',
      'ip link del v-net-0',
      'ip netns del red',
      'ip netns del blue',
    ]);
  });

  it('tags NAT rules with a comment when asked (host mode)', () => {
    const plan = planLabs(EMPTY_LAB, exampleLab('seed-gateway'), { natComment: 'netns-lab' });
    expect(plan.map((s) => stepLine(s.step))).toContain(
      'iptables -t nat -A POSTROUTING -s 192.168.15.0/24 -m comment --comment netns-lab -j MASQUERADE',
    );
  });

  it('says which lab element each step comes from', () => {
    const plan = planLabs(EMPTY_LAB, exampleLab('seed-gateway'));
    const route = plan.find((s) => s.step.op === 'route-add');
    expect(route?.origin).toEqual({ nodeId: 'blue', path: 'nodes[2].routes[0]' });
    const address = plan.find(
      (s) => stepLine(s.step) === 'ip -n red addr add 192.168.15.1/24 dev veth-red',
    );
    expect(address?.origin.linkId).toBe('red-br');
  });
});

describe('plan(diff(A, B)) takes a kernel holding A to one holding B', () => {
  const build = (lab: Lab): KernelSim => {
    const sim = new KernelSim();
    for (const { step } of planLabs(EMPTY_LAB, lab)) sim.apply(step);
    return sim;
  };

  it('for every built-in lab and between each pair of them', () => {
    const ids = ['seed-veth', 'seed-bridge', 'seed-gateway', 'router'];
    for (const a of ids)
      for (const b of ids) {
        const sim = build(exampleLab(a));
        for (const { step } of planLabs(exampleLab(a), exampleLab(b))) sim.apply(step);
        expect(comparable(sim.toModel()), `${a} -> ${b}`).toEqual(
          comparable(compileLab(exampleLab(b))),
        );
      }
  });

  it('for random labs A and B (property)', () => {
    fc.assert(
      fc.property(labArbitrary, labArbitrary, (a, b) => {
        const sim = build(a);
        expect(comparable(sim.toModel())).toEqual(comparable(compileLab(a)));
        for (const { step } of planLabs(a, b)) sim.apply(step);
        const want = compileLab(b);
        expect(comparable(sim.toModel(), want)).toEqual(comparable(want));
      }),
      { numRuns: 400 },
    );
  });

  it('the simulator makes a veth only into namespaces that exist, on names that are free', () => {
    const sim = new KernelSim();
    const veth = { op: 'veth-add', ifname: 'a', ns: 'red', peer: 'b', peerNs: 'host' } as const;
    expect(() => sim.apply(veth)).toThrow(/Invalid "netns" value/);
    sim.apply({ op: 'netns-add', ns: 'red' });
    sim.apply(veth);
    expect(sim.links.get('red/a')).toMatchObject({ kind: 'veth', up: false, peer: 'host/b' });
    expect(() => sim.apply({ ...veth, peer: 'c' })).toThrow(/File exists/);
    expect(() => sim.apply({ ...veth, ifname: 'c', ns: 'host' })).toThrow(/File exists/);
    expect(() => sim.apply({ ...veth, ifname: 'c', peer: 'c', peerNs: 'red' })).toThrow(
      /File exists/,
    );
    // One name in two namespaces is two interfaces.
    sim.apply({ ...veth, ifname: 'd', peer: 'd' });
    expect(sim.links.get('host/d')?.peer).toBe('red/d');
  });

  it('plan(diff(A, A)) is empty (property)', () => {
    fc.assert(
      fc.property(labArbitrary, (a) => {
        expect(planLabs(a, JSON.parse(JSON.stringify(a)) as Lab)).toEqual([]);
      }),
    );
  });

  it('teardown leaves nothing behind (property)', () => {
    fc.assert(
      fc.property(labArbitrary, (a) => {
        const sim = build(a);
        for (const { step } of planLabs(a, EMPTY_LAB)) sim.apply(step);
        expect(comparable(sim.toModel())).toEqual(comparable(compileLab(EMPTY_LAB)));
        expect(sim.links.size).toBe(0);
        expect([...sim.netns]).toEqual(['host']);
      }),
    );
  });
});
