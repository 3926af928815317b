/**
 * The lab document: what a student draws, version 1.
 *
 * Topology (nodes, links) is kept apart from layout (positions, colours, notes), so moving a
 * node never changes the plan. Kernel names are plain strings here; their rules are checked by
 * `validateLab`, which can say what is wrong and where, rather than by the parser.
 */
import { z } from 'zod';

/** Upper bounds that keep a document (and a protocol message) small enough to handle safely. */
export const LIMITS = {
  nodes: 4096,
  links: 8192,
  addressesPerInterface: 32,
  routesPerNamespace: 256,
  natRulesPerNamespace: 64,
  hostsPerExternal: 64,
  stringLength: 256,
  noteLength: 2000,
} as const;

const text = z.string().max(LIMITS.stringLength);
/** A node's stable identity: links and layout refer to it; renaming a node keeps it. */
export const NodeIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.-]+$/, 'ids use letters, digits, "_", "." and "-"');

export const RouteSchema = z.strictObject({
  /** "default" or a prefix in CIDR notation (IPv4 or IPv6). */
  to: text,
  /** The next hop: an address on a connected subnet. */
  via: text.optional(),
  /** The outgoing interface (kernel name in this namespace). */
  dev: text.optional(),
  metric: z.number().int().min(0).max(4294967295).optional(),
});

export const NatRuleSchema = z.strictObject({
  kind: z.literal('masquerade'),
  /** Source prefix whose packets are masqueraded, e.g. 192.168.15.0/24. */
  source: text,
  /** Only packets leaving through this interface (iptables -o). */
  outInterface: text.optional(),
});

const routingFields = {
  /** net.ipv4.ip_forward in this namespace. */
  ipForward: z.boolean().default(false),
  routes: z.array(RouteSchema).max(LIMITS.routesPerNamespace).default([]),
  nat: z.array(NatRuleSchema).max(LIMITS.natRulesPerNamespace).default([]),
};

export const HostNodeSchema = z.strictObject({
  kind: z.literal('host'),
  id: z.literal('host'),
  ...routingFields,
});

export const NamespaceNodeSchema = z.strictObject({
  kind: z.literal('namespace'),
  id: NodeIdSchema,
  /** The network namespace's name, as in `ip netns add red`. */
  name: text,
  /** Bring `lo` up (the seed leaves it down). */
  loopback: z.boolean().default(false),
  ...routingFields,
});

export const BridgeNodeSchema = z.strictObject({
  kind: z.literal('bridge'),
  id: NodeIdSchema,
  /** The bridge device's name, as in `ip link add v-net-0 type bridge`. */
  name: text,
  /** Id of the namespace node that holds the bridge; absent: the host. */
  namespace: NodeIdSchema.optional(),
  /** Addresses on the bridge itself, e.g. the seed's gateway 192.168.15.5/24. */
  addresses: z.array(text).max(LIMITS.addressesPerInterface).default([]),
  up: z.boolean().default(true),
  mac: text.optional(),
  mtu: z.number().int().min(68).max(65535).optional(),
});

export const ExternalHostSchema = z.strictObject({
  /** The LAN host's namespace name. */
  name: text,
  /** Its address on the LAN, without prefix (the LAN's subnet gives it). */
  address: text,
  /** A default route for the LAN host; without it, it can only answer its own subnet. */
  gateway: text.optional(),
});

export const ExternalNodeSchema = z.strictObject({
  kind: z.literal('external'),
  id: NodeIdSchema,
  /** Name of the namespace that holds the LAN's switch (bridge `br0`). */
  name: text,
  /** The LAN's subnet, e.g. 192.168.1.0/24. */
  subnet: text,
  hosts: z.array(ExternalHostSchema).max(LIMITS.hostsPerExternal).default([]),
});

export const NodeSchema = z.discriminatedUnion('kind', [
  HostNodeSchema,
  NamespaceNodeSchema,
  BridgeNodeSchema,
  ExternalNodeSchema,
]);

export const LinkEndSchema = z.strictObject({
  /** The node this end attaches to. On a bridge or an external LAN, the end becomes a port. */
  node: NodeIdSchema,
  /** Kernel name of this end, e.g. veth-red or veth-red-br. */
  ifname: text,
  addresses: z.array(text).max(LIMITS.addressesPerInterface).default([]),
  mac: text.optional(),
  mtu: z.number().int().min(68).max(65535).optional(),
  up: z.boolean().default(true),
});

export const LinkSchema = z.strictObject({
  id: NodeIdSchema,
  /** Only veth pairs for now: a virtual cable with two ends. */
  kind: z.literal('veth').default('veth'),
  a: LinkEndSchema,
  b: LinkEndSchema,
});

export const NodeLayoutSchema = z.strictObject({
  x: z.number().finite(),
  y: z.number().finite(),
  color: text.optional(),
  note: z.string().max(LIMITS.noteLength).optional(),
});

export const LayoutSchema = z.strictObject({
  nodes: z.record(NodeIdSchema, NodeLayoutSchema).default({}),
});

export const LabSchema = z.strictObject({
  version: z.literal(1),
  name: text.optional(),
  description: z.string().max(LIMITS.noteLength).optional(),
  nodes: z.array(NodeSchema).max(LIMITS.nodes),
  links: z.array(LinkSchema).max(LIMITS.links).default([]),
  layout: LayoutSchema.default({ nodes: {} }),
});

export type Route = z.output<typeof RouteSchema>;
export type NatRule = z.output<typeof NatRuleSchema>;
export type HostNode = z.output<typeof HostNodeSchema>;
export type NamespaceNode = z.output<typeof NamespaceNodeSchema>;
export type BridgeNode = z.output<typeof BridgeNodeSchema>;
export type ExternalHost = z.output<typeof ExternalHostSchema>;
export type ExternalNode = z.output<typeof ExternalNodeSchema>;
export type LabNode = z.output<typeof NodeSchema>;
export type LinkEnd = z.output<typeof LinkEndSchema>;
export type Link = z.output<typeof LinkSchema>;
export type NodeLayout = z.output<typeof NodeLayoutSchema>;
export type Layout = z.output<typeof LayoutSchema>;
export type Lab = z.output<typeof LabSchema>;
/** A lab as written by hand: defaults may be left out. */
export type LabInput = z.input<typeof LabSchema>;
export type NodeKind = LabNode['kind'];
/** A node that owns a network namespace with routes, forwarding and NAT. */
export type RoutingNode = HostNode | NamespaceNode;

export const HOST_ID = 'host';
/** The lab's own root namespace, as a namespace name inside netns-lab's kernel model. */
export const HOST_NS = 'host';
/** The switch inside an external LAN's namespace. */
export const EXTERNAL_BRIDGE = 'br0';

/** The empty lab: only the host. First apply is plan(diff(EMPTY_LAB, lab)). */
export const EMPTY_LAB: Lab = {
  version: 1,
  nodes: [{ kind: 'host', id: HOST_ID, ipForward: false, routes: [], nat: [] }],
  links: [],
  layout: { nodes: {} },
};
