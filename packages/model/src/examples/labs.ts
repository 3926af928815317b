/**
 * The built-in labs: the seed's three steps with its own names and addresses, and a router lab.
 */
import { LabSchema, type Lab, type LabInput } from '../lab/schema';

export interface ExampleLab {
  id: string;
  title: string;
  description: string;
  lab: Lab;
}

const veth = (
  id: string,
  a: { node: string; ifname: string; addresses?: string[] },
  b: { node: string; ifname: string; addresses?: string[] },
): NonNullable<LabInput['links']>[number] => ({ id, a, b });

const seedVeth: LabInput = {
  version: 1,
  name: 'Two namespaces, one veth',
  description:
    "The seed's section 4: red and blue joined by a veth pair (a virtual cable). Afterwards each namespace's route and ARP tables hold the other's details.",
  nodes: [
    { kind: 'host', id: 'host' },
    { kind: 'namespace', id: 'red', name: 'red' },
    { kind: 'namespace', id: 'blue', name: 'blue' },
  ],
  links: [
    veth(
      'red-blue',
      { node: 'red', ifname: 'veth-red', addresses: ['192.168.15.1/24'] },
      { node: 'blue', ifname: 'veth-blue', addresses: ['192.168.15.2/24'] },
    ),
  ],
  layout: {
    nodes: {
      host: { x: 300, y: 40 },
      red: { x: 120, y: 260 },
      blue: { x: 480, y: 260 },
    },
  },
};

const bridgeNodes: LabInput['nodes'] = [
  { kind: 'host', id: 'host' },
  { kind: 'namespace', id: 'red', name: 'red' },
  { kind: 'namespace', id: 'blue', name: 'blue' },
  { kind: 'bridge', id: 'v-net-0', name: 'v-net-0' },
];
const bridgeLinks: NonNullable<LabInput['links']> = [
  veth(
    'red-br',
    { node: 'red', ifname: 'veth-red', addresses: ['192.168.15.1/24'] },
    { node: 'v-net-0', ifname: 'veth-red-br' },
  ),
  veth(
    'blue-br',
    { node: 'blue', ifname: 'veth-blue', addresses: ['192.168.15.2/24'] },
    { node: 'v-net-0', ifname: 'veth-blue-br' },
  ),
];
const bridgeLayout = {
  host: { x: 300, y: 20 },
  'v-net-0': { x: 300, y: 200 },
  red: { x: 80, y: 380 },
  blue: { x: 520, y: 380 },
};

const seedBridge: LabInput = {
  version: 1,
  name: 'Many namespaces on a bridge',
  description:
    "The seed's section 5: red and blue each join the Linux bridge v-net-0 with a veth pair; the -br ends are ports of the bridge. The network is still private.",
  nodes: bridgeNodes,
  links: bridgeLinks,
  layout: { nodes: bridgeLayout },
};

const seedGateway: LabInput = {
  version: 1,
  name: 'Reach the LAN through the host',
  description:
    "The seed's section 6: the bridge gets the host's address 192.168.15.5, blue routes the LAN 192.168.1.0/24 through it, and the host forwards and masquerades.",
  nodes: [
    {
      kind: 'host',
      id: 'host',
      ipForward: true,
      nat: [{ kind: 'masquerade', source: '192.168.15.0/24' }],
    },
    { kind: 'namespace', id: 'red', name: 'red' },
    {
      kind: 'namespace',
      id: 'blue',
      name: 'blue',
      routes: [{ to: '192.168.1.0/24', via: '192.168.15.5' }],
    },
    { kind: 'bridge', id: 'v-net-0', name: 'v-net-0', addresses: ['192.168.15.5/24'] },
    {
      kind: 'external',
      id: 'lan',
      name: 'lan',
      subnet: '192.168.1.0/24',
      hosts: [{ name: 'lan-pc', address: '192.168.1.3' }],
    },
  ],
  links: [
    ...bridgeLinks,
    veth(
      'host-lan',
      { node: 'host', ifname: 'veth-lan', addresses: ['192.168.1.2/24'] },
      { node: 'lan', ifname: 'veth-lan-br' },
    ),
  ],
  layout: {
    nodes: { ...bridgeLayout, lan: { x: 720, y: 20 } },
  },
};

const routerLab: LabInput = {
  version: 1,
  name: 'Two subnets and a router',
  description:
    'Two bridges on two subnets, joined by the namespace router, which forwards between them. red and green reach each other through static default routes.',
  nodes: [
    { kind: 'host', id: 'host' },
    {
      kind: 'namespace',
      id: 'red',
      name: 'red',
      routes: [{ to: 'default', via: '192.168.15.254' }],
    },
    {
      kind: 'namespace',
      id: 'green',
      name: 'green',
      routes: [{ to: 'default', via: '192.168.16.254' }],
    },
    { kind: 'namespace', id: 'router', name: 'router', ipForward: true },
    { kind: 'bridge', id: 'v-net-0', name: 'v-net-0' },
    { kind: 'bridge', id: 'v-net-1', name: 'v-net-1' },
  ],
  links: [
    veth(
      'red-br',
      { node: 'red', ifname: 'veth-red', addresses: ['192.168.15.1/24'] },
      { node: 'v-net-0', ifname: 'veth-red-br' },
    ),
    veth(
      'router-0',
      { node: 'router', ifname: 'veth-rt-0', addresses: ['192.168.15.254/24'] },
      { node: 'v-net-0', ifname: 'veth-rt-0-br' },
    ),
    veth(
      'router-1',
      { node: 'router', ifname: 'veth-rt-1', addresses: ['192.168.16.254/24'] },
      { node: 'v-net-1', ifname: 'veth-rt-1-br' },
    ),
    veth(
      'green-br',
      { node: 'green', ifname: 'veth-green', addresses: ['192.168.16.1/24'] },
      { node: 'v-net-1', ifname: 'veth-green-br' },
    ),
  ],
  layout: {
    nodes: {
      host: { x: 420, y: 20 },
      'v-net-0': { x: 0, y: 220 },
      'v-net-1': { x: 860, y: 220 },
      router: { x: 420, y: 220 },
      red: { x: 0, y: 420 },
      green: { x: 860, y: 420 },
    },
  },
};

export const EXAMPLE_LABS: ExampleLab[] = [
  { id: 'seed-veth', input: seedVeth },
  { id: 'seed-bridge', input: seedBridge },
  { id: 'seed-gateway', input: seedGateway },
  { id: 'router', input: routerLab },
].map(({ id, input }) => ({
  id,
  title: input.name ?? id,
  description: input.description ?? '',
  lab: LabSchema.parse(input),
}));

export function exampleLab(id: string): Lab {
  const example = EXAMPLE_LABS.find((e) => e.id === id);
  if (example === undefined) throw new Error(`no built-in lab called ${id}`);
  // A copy, so that editing it never changes the built-in one.
  return JSON.parse(JSON.stringify(example.lab)) as Lab;
}

const CLASS_BRIDGE = 'v-net-0';

/** Namespace i's address: 10.0.0.1, 10.0.0.2, ... (/16: up to 65534 namespaces). */
export function classAddressOf(i: number): string {
  const n = i + 1;
  return `10.0.${n >> 8}.${n & 255}`;
}

export interface ClassLabOptions {
  /** Namespace indexes to leave out. */
  without?: readonly number[];
  /** Namespace index -> address (without prefix) instead of classAddressOf(i). */
  addresses?: ReadonlyMap<number, string>;
}

/**
 * A class's lab, the seed's section 5 N times over: one bridge `v-net-0` in the host and
 * namespaces ns0..ns{n-1}, each joined to it by a veth (`veth{i}` inside, `veth{i}-br` on the
 * bridge) with one address in 10.0.0.0/16. The benchmarks' lab, and the tests' big lab.
 */
export function classLab(n: number, options: ClassLabOptions = {}): Lab {
  const skip = new Set(options.without ?? []);
  const indexes = Array.from({ length: n }, (_, i) => i).filter((i) => !skip.has(i));
  const input: LabInput = {
    version: 1,
    name: `${indexes.length} namespaces on one bridge`,
    nodes: [
      { kind: 'host', id: 'host' },
      { kind: 'bridge', id: CLASS_BRIDGE, name: CLASS_BRIDGE },
      ...indexes.map((i) => ({ kind: 'namespace' as const, id: `ns${i}`, name: `ns${i}` })),
    ],
    links: indexes.map((i) => ({
      id: `l${i}`,
      a: {
        node: `ns${i}`,
        ifname: `veth${i}`,
        addresses: [`${options.addresses?.get(i) ?? classAddressOf(i)}/16`],
      },
      b: { node: CLASS_BRIDGE, ifname: `veth${i}-br` },
    })),
  };
  return LabSchema.parse(input);
}
