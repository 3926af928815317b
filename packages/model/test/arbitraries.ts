/**
 * fast-check generators of valid labs drawn from a small pool of names and subnets, so that
 * two random labs share much (and the diff between them is a realistic edit). Interface names
 * need only be unique in their namespace, and the pool reuses them across namespaces: eth0 in
 * several namespaces, both ends of a veth called eth0, a bridge's name on a namespace's end.
 */
import fc from 'fast-check';
import { LabSchema, type Lab, type LabInput } from '../src/index';

const NAMESPACES = ['red', 'blue', 'green', 'yellow'] as const;
const BRIDGES = ['v-net-0', 'v-net-1'] as const;
const BRIDGE_SUBNET: Record<string, number> = { 'v-net-0': 10, 'v-net-1': 11 };

type Attach = 'none' | 'v-net-0' | 'v-net-1' | 'peer';
/**
 * How a namespace names its end(s): seed (veth-red, veth-red-br; p-red between namespaces),
 * eth0 (eth0 in the namespace, whatever the other end), same (veth-red at both ends of its
 * bridge link), bridge (the namespace's end named after its bridge, v-net-0).
 */
type Naming = 'seed' | 'eth0' | 'same' | 'bridge';

interface NsChoice {
  present: boolean;
  attach: Attach;
  hostNumber: number;
  up: boolean;
  bridgeEndUp: boolean;
  extraAddress: boolean;
  route: boolean;
  forward: boolean;
  loopback: boolean;
  mtu: number | undefined;
  mac: boolean;
  naming: Naming;
}

const nsChoice: fc.Arbitrary<NsChoice> = fc.record({
  present: fc.boolean(),
  attach: fc.constantFrom<Attach>('none', 'v-net-0', 'v-net-1', 'peer'),
  hostNumber: fc.integer({ min: 1, max: 3 }),
  up: fc.boolean(),
  bridgeEndUp: fc.boolean(),
  extraAddress: fc.boolean(),
  route: fc.boolean(),
  forward: fc.boolean(),
  loopback: fc.boolean(),
  mtu: fc.constantFrom(undefined, 1400, 1500),
  mac: fc.boolean(),
  naming: fc.constantFrom<Naming>('seed', 'eth0', 'same', 'bridge'),
});

/** The name of a namespace's end on a link to a bridge (or to another namespace: `peer`). */
function nsEndName(name: string, choice: NsChoice, to: Exclude<Attach, 'none'>): string {
  if (choice.naming === 'eth0') return 'eth0';
  if (to === 'peer') return `p-${name}`;
  return choice.naming === 'bridge' ? to : `veth-${name}`;
}

export const labArbitrary: fc.Arbitrary<Lab> = fc
  .record({
    namespaces: fc.tuple(nsChoice, nsChoice, nsChoice, nsChoice),
    bridges: fc.tuple(fc.boolean(), fc.boolean()),
    bridgeAddress: fc.tuple(fc.boolean(), fc.boolean()),
    bridgeUp: fc.tuple(fc.boolean(), fc.boolean()),
    hostForward: fc.boolean(),
    hostNat: fc.boolean(),
  })
  .map((c) => {
    const nodes: LabInput['nodes'] = [
      {
        kind: 'host',
        id: 'host',
        ipForward: c.hostForward,
        nat: c.hostNat ? [{ kind: 'masquerade', source: '192.168.10.0/24' }] : [],
      },
    ];
    const links: NonNullable<LabInput['links']> = [];
    const bridgePresent = (b: string): boolean => c.bridges[BRIDGES.indexOf(b as never)] === true;
    BRIDGES.forEach((name, i) => {
      if (!c.bridges[i]) return;
      nodes.push({
        kind: 'bridge',
        id: name,
        name,
        up: c.bridgeUp[i] ?? true,
        addresses: c.bridgeAddress[i] ? [`192.168.${BRIDGE_SUBNET[name]}.254/24`] : [],
      });
    });
    // Namespaces attached by 'peer' pair up in order: the first waits for the second.
    let waiting: { name: string; index: number; choice: NsChoice } | null = null;
    NAMESPACES.forEach((name, index) => {
      const choice = c.namespaces[index]!;
      if (!choice.present) return;
      const routes: { to: string; via: string }[] = [];
      nodes.push({
        kind: 'namespace',
        id: name,
        name,
        ipForward: choice.forward,
        loopback: choice.loopback,
        routes,
      });
      const attach = choice.attach;
      if (attach === 'v-net-0' || attach === 'v-net-1') {
        if (!bridgePresent(attach)) return;
        const subnet = BRIDGE_SUBNET[attach];
        const host = index * 10 + choice.hostNumber;
        const addresses = [`192.168.${subnet}.${host}/24`];
        if (choice.extraAddress) addresses.push(`172.16.${index}.1/24`);
        const end: NonNullable<LabInput['links']>[number]['a'] = {
          node: name,
          ifname: nsEndName(name, choice, attach),
          addresses,
          up: choice.up,
        };
        if (choice.mtu !== undefined) end.mtu = choice.mtu;
        if (choice.mac) end.mac = `02:00:00:00:00:${String(10 + index)}`;
        links.push({
          id: `${name}-br`,
          a: end,
          b: {
            node: attach,
            ifname: choice.naming === 'same' ? `veth-${name}` : `veth-${name}-br`,
            up: choice.bridgeEndUp,
          },
        });
        const bridgeIndex = BRIDGES.indexOf(attach);
        if (choice.route && choice.up && c.bridgeAddress[bridgeIndex])
          routes.push({ to: '10.99.0.0/16', via: `192.168.${subnet}.254` });
      } else if (attach === 'peer') {
        if (waiting === null) {
          waiting = { name, index, choice };
          return;
        }
        const first: { name: string; index: number; choice: NsChoice } = waiting;
        waiting = null;
        const subnet = `10.0.${first.index * 10 + index}`;
        links.push({
          id: `${first.name}-${name}`,
          a: {
            node: first.name,
            ifname: nsEndName(first.name, first.choice, 'peer'),
            addresses: [`${subnet}.${first.choice.hostNumber}/24`],
            up: first.choice.up,
          },
          b: {
            node: name,
            ifname: nsEndName(name, choice, 'peer'),
            addresses: [`${subnet}.${10 + choice.hostNumber}/24`],
            up: choice.up,
          },
        });
        if (choice.route && choice.up && first.choice.up)
          routes.push({ to: '10.98.0.0/16', via: `${subnet}.${first.choice.hostNumber}` });
      }
    });
    return LabSchema.parse({ version: 1, nodes, links });
  });
