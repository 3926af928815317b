/**
 * Small labs for the validation tests, written as a student would write them (defaults left
 * out). Kept apart from the tests so each test file builds on the same seed lab.
 */
import type { LabInput } from '../lab/schema';

type NodeInput = LabInput['nodes'][number];
type LinkInput = NonNullable<LabInput['links']>[number];
type EndInput = LinkInput['a'];

export const host = (extra: Partial<Extract<NodeInput, { kind: 'host' }>> = {}): NodeInput => ({
  kind: 'host',
  id: 'host',
  ...extra,
});

export const namespace = (
  id: string,
  extra: Partial<Extract<NodeInput, { kind: 'namespace' }>> = {},
): NodeInput => ({ kind: 'namespace', id, name: id, ...extra });

export const bridge = (
  id: string,
  extra: Partial<Extract<NodeInput, { kind: 'bridge' }>> = {},
): NodeInput => ({ kind: 'bridge', id, name: id, ...extra });

export const external = (
  id: string,
  subnet: string,
  hosts: { name: string; address: string; gateway?: string }[],
  extra: Partial<Extract<NodeInput, { kind: 'external' }>> = {},
): NodeInput => ({ kind: 'external', id, name: id, subnet, hosts, ...extra });

/** An end: node id, interface name, then addresses. */
export const end = (node: string, ifname: string, ...addresses: string[]): EndInput => ({
  node,
  ifname,
  addresses,
});

export const veth = (id: string, a: EndInput, b: EndInput): LinkInput => ({ id, a, b });

export const lab = (nodes: NodeInput[], links: LinkInput[] = []): LabInput => ({
  version: 1,
  nodes,
  links,
});

/**
 * The seed's final lab: red and blue on the bridge v-net-0 (192.168.15.5 on the host), the LAN
 * 192.168.1.0/24 reached through the host, blue routing the LAN via the host, and the host
 * forwarding and masquerading 192.168.15.0/24.
 */
export function seedLab(): LabInput {
  return lab(
    [
      host({
        ipForward: true,
        nat: [{ kind: 'masquerade', source: '192.168.15.0/24' }],
      }),
      namespace('red'),
      namespace('blue', { routes: [{ to: '192.168.1.0/24', via: '192.168.15.5' }] }),
      bridge('v-net-0', { addresses: ['192.168.15.5/24'] }),
      external('lan', '192.168.1.0/24', [{ name: 'lan-pc', address: '192.168.1.3' }]),
    ],
    [
      veth('red-br', end('red', 'veth-red', '192.168.15.1/24'), end('v-net-0', 'veth-red-br')),
      veth('blue-br', end('blue', 'veth-blue', '192.168.15.2/24'), end('v-net-0', 'veth-blue-br')),
      veth('host-lan', end('host', 'veth-lan', '192.168.1.2/24'), end('lan', 'veth-lan-br')),
    ],
  );
}

/** The seed lab's node indexes, for paths in assertions. */
export const SEED = { host: 0, red: 1, blue: 2, bridge: 3, lan: 4 } as const;

/**
 * n namespaces on one bridge in the host, each with one address in 10.0.0.0/16 (the bridge
 * holds 10.0.255.254/16).
 */
export function bridgeLab(n: number): LabInput {
  const nodes: NodeInput[] = [
    host({ ipForward: true }),
    bridge('v-net-0', { addresses: ['10.0.255.254/16'] }),
  ];
  const links: LinkInput[] = [];
  for (let i = 0; i < n; i++) {
    nodes.push(namespace(`ns${i}`, { routes: [{ to: 'default', via: '10.0.255.254' }] }));
    links.push(
      veth(
        `l${i}`,
        end(`ns${i}`, `v${i}`, `10.0.${Math.floor((i + 1) / 256)}.${(i + 1) % 256}/16`),
        end('v-net-0', `v${i}-br`),
      ),
    );
  }
  return lab(nodes, links);
}
