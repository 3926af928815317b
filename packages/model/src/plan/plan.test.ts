import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  diffLabs,
  EMPTY_LAB,
  exampleLab,
  isEmptyDiff,
  planLabs,
  planDiff,
  endsFreedByNamespaceDeletes,
  linksComingUp,
  stepLine,
  compileLab,
  diffModels,
  validateLab,
  type Lab,
} from '../index';
import { KernelSim, comparable } from '../../test/kernel-sim';
import { labArbitrary } from '../../test/arbitraries';
import { eth0Lab } from '../../test/labs';

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

  it('tears down with the fewest commands: the bridge, then the namespaces with their veths', () => {
    const diff = diffLabs(exampleLab('seed-bridge'), EMPTY_LAB);
    // Deleting red deletes veth-red and, with it, veth-red-br: no `ip link del` for either.
    expect(planDiff(diff).map((s) => stepLine(s.step))).toEqual([
      'ip link del v-net-0',
      'ip netns del red',
      'ip netns del blue',
    ]);
    // ... but the kernel does it in the background: these are the names to wait for.
    expect(endsFreedByNamespaceDeletes(diff)).toEqual([
      { ns: 'host', ifname: 'veth-red-br' },
      { ns: 'host', ifname: 'veth-blue-br' },
    ]);
  });

  it('also waits for the ends of veths other models have into a deleted namespace, once each', () => {
    // The kernel as last seen held red only; the lab also had blue's veth, not yet read.
    const lab = exampleLab('seed-bridge');
    const redOnly = { ...lab, links: lab.links.filter((l) => l.a.ifname === 'veth-red') };
    const diff = diffModels(compileLab(redOnly), compileLab(EMPTY_LAB));
    expect(endsFreedByNamespaceDeletes(diff)).toEqual([{ ns: 'host', ifname: 'veth-red-br' }]);
    const model = compileLab(lab);
    expect(endsFreedByNamespaceDeletes(diff, [model, model])).toEqual([
      { ns: 'host', ifname: 'veth-red-br' },
      { ns: 'host', ifname: 'veth-blue-br' },
    ]);
  });

  it('waits for the links a plan brings up: either end of each pair, the host end first', () => {
    const comingUp = (prev: Lab, next: Lab) =>
      linksComingUp(planLabs(prev, next), compileLab(next), compileLab(prev));
    const veth = exampleLab('seed-veth');
    expect(comingUp(EMPTY_LAB, veth)).toEqual([
      [
        { ns: 'red', ifname: 'veth-red' },
        { ns: 'blue', ifname: 'veth-blue' },
      ],
    ]);
    const bridge = exampleLab('seed-bridge');
    expect(comingUp(veth, bridge)).toEqual([
      [
        { ns: 'host', ifname: 'veth-red-br' },
        { ns: 'red', ifname: 'veth-red' },
      ],
      [
        { ns: 'host', ifname: 'veth-blue-br' },
        { ns: 'blue', ifname: 'veth-blue' },
      ],
      [{ ns: 'host', ifname: 'v-net-0' }],
    ]);
    // An address changed: nothing comes up.
    const edited = exampleLab('seed-bridge');
    edited.links[0]!.a.addresses = ['192.168.15.9/24'];
    expect(comingUp(bridge, edited)).toEqual([]);
    // One end set down: that pair carries nothing, and nothing else changed.
    const redDown = exampleLab('seed-bridge');
    redDown.links[0]!.a.up = false;
    expect(comingUp(bridge, redDown)).toEqual([]);
    // ... and up again: that pair; the bridge already had carrier by blue's pair.
    expect(comingUp(redDown, bridge)).toEqual([
      [
        { ns: 'host', ifname: 'veth-red-br' },
        { ns: 'red', ifname: 'veth-red' },
      ],
    ]);
    // Its first carrying pair gives the bridge its carrier: wait for the bridge too.
    const bothDown = JSON.parse(JSON.stringify(redDown)) as Lab;
    bothDown.links[1]!.a.up = false;
    expect(comingUp(bothDown, redDown)).toEqual([
      [
        { ns: 'host', ifname: 'veth-blue-br' },
        { ns: 'blue', ifname: 'veth-blue' },
      ],
      [{ ns: 'host', ifname: 'v-net-0' }],
    ]);
  });

  it('deletes a veth by hand when both its ends stay, and waits for none', () => {
    const lab = exampleLab('seed-bridge');
    const without = { ...lab, links: lab.links.filter((l) => l.a.ifname !== 'veth-red') };
    const diff = diffLabs(lab, without);
    expect(planDiff(diff).map((s) => stepLine(s.step))).toEqual(['ip -n red link del veth-red']);
    expect(endsFreedByNamespaceDeletes(diff)).toEqual([]);
  });

  it('tags NAT rules with a comment when asked (host mode)', () => {
    const plan = planLabs(EMPTY_LAB, exampleLab('seed-gateway'), { natComment: 'netns-lab' });
    expect(plan.map((s) => stepLine(s.step))).toContain(
      'iptables -t nat -A POSTROUTING -s 192.168.15.0/24 -m comment --comment netns-lab -j MASQUERADE',
    );
  });

  it('tags what it makes in the host with an alias when asked (host mode), and nothing else', () => {
    const plan = planLabs(EMPTY_LAB, exampleLab('seed-gateway'), { linkAlias: 'netns-lab' });
    const tags = plan.filter((s) => s.step.op === 'link-alias').map((s) => stepLine(s.step));
    expect(tags.sort()).toEqual([
      'ip link set dev v-net-0 alias netns-lab',
      'ip link set dev veth-blue-br alias netns-lab',
      'ip link set dev veth-lan alias netns-lab',
      'ip link set dev veth-red-br alias netns-lab',
    ]);
    // Each tag follows the creation of its interface.
    const lines = plan.map((s) => stepLine(s.step));
    const made = lines.findIndex((l) => l.startsWith('ip link add veth-lan '));
    expect(made).toBeGreaterThanOrEqual(0);
    expect(lines.indexOf('ip link set dev veth-lan alias netns-lab')).toBeGreaterThan(made);
    expect(
      planLabs(EMPTY_LAB, exampleLab('seed-gateway')).some((s) => s.step.op === 'link-alias'),
    ).toBe(false);
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

describe('one interface name in several namespaces', () => {
  it('compiles eth0 of red and eth0 of blue to two interfaces and creates each where it lives', () => {
    const lab = eth0Lab();
    expect(validateLab(lab).issues).toEqual([]);
    const model = compileLab(lab);
    expect(Object.keys(model.iface).sort()).toEqual([
      'blue/eth0',
      'blue/eth1',
      'host/v-net-0',
      'host/veth-blue-br',
      'host/veth-red-br',
      'red/eth0',
      'red/eth1',
    ]);
    expect(Object.keys(model.veth).sort()).toEqual([
      'blue/eth0 <-> host/veth-blue-br',
      'blue/eth1 <-> red/eth1',
      'host/veth-red-br <-> red/eth0',
    ]);
    const plan = lines(EMPTY_LAB, lab);
    for (const line of [
      'ip link add eth0 netns red type veth peer name veth-red-br',
      'ip link add eth0 netns blue type veth peer name veth-blue-br',
      'ip link add eth1 netns red type veth peer name eth1 netns blue',
      'ip -n red addr add 192.168.15.1/24 dev eth0',
      'ip -n blue addr add 192.168.15.2/24 dev eth0',
      'ip -n red addr add 10.0.0.1/24 dev eth1',
      'ip -n blue addr add 10.0.0.2/24 dev eth1',
      'ip -n red link set eth0 up',
      'ip -n blue link set eth0 up',
    ])
      expect(plan).toContain(line);
    expect(plan.filter((line) => line.includes(' dev eth0'))).toHaveLength(2);
  });

  it('removing one eth0 leaves the other alone', () => {
    const before = eth0Lab();
    const after = eth0Lab();
    after.links = after.links.filter((l) => l.id !== 'red-br');
    expect(lines(before, after)).toEqual(['ip -n red link del eth0']);
  });

  it("recreating red's eth0 puts back red's address and routes, not blue's", () => {
    const withRoutes = (lab: Lab): Lab => {
      for (const node of lab.nodes)
        if (node.kind === 'namespace')
          node.routes = [{ to: node.name === 'red' ? '10.8.0.0/16' : '10.9.0.0/16', dev: 'eth0' }];
      return lab;
    };
    const before = withRoutes(eth0Lab());
    const after = withRoutes(eth0Lab());
    after.links[0]!.b.ifname = 'veth-red-b2';
    expect(lines(before, after)).toEqual([
      'ip netns exec red ip route del 10.8.0.0/16 dev eth0',
      'ip -n red link del eth0',
      'ip link add eth0 netns red type veth peer name veth-red-b2',
      'ip link set veth-red-b2 master v-net-0',
      'ip -n red addr add 192.168.15.1/24 dev eth0',
      'ip link set veth-red-b2 up',
      'ip -n red link set eth0 up',
      'ip netns exec red ip route add 10.8.0.0/16 dev eth0',
    ]);
    const sim = new KernelSim();
    for (const { step } of planLabs(EMPTY_LAB, before)) sim.apply(step);
    for (const { step } of planLabs(before, after)) sim.apply(step);
    expect(comparable(sim.toModel())).toEqual(comparable(compileLab(after)));
  });

  it('the random labs are valid and reuse names across namespaces', () => {
    fc.assert(
      fc.property(labArbitrary, (lab) => {
        expect(validateLab(lab).issues.filter((i) => i.severity === 'error')).toEqual([]);
      }),
    );
    const samples = fc.sample(labArbitrary, { numRuns: 300, seed: 1 });
    const shared = samples.filter((lab) => {
      const names = Object.values(compileLab(lab).iface).map((i) => i.ifname);
      return new Set(names).size < names.length;
    });
    const samePair = samples.filter((lab) => lab.links.some((l) => l.a.ifname === l.b.ifname));
    expect(shared.length).toBeGreaterThan(30);
    expect(samePair.length).toBeGreaterThan(10);
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
