/**
 * What the kernel holds, as the agent reads it (`ip -j ...`, `bridge -j fdb`, iptables, sysctl)
 * and streams to the browser. One NamespaceState per namespace; the host is "host".
 */
import { z } from 'zod';

const text = z.string().max(256);

export const LiveLinkSchema = z.strictObject({
  ifname: text,
  ifindex: z.number().int(),
  /** "UP", "DOWN", "LOWERLAYERDOWN", "UNKNOWN" (operstate). */
  state: text,
  /** Administrative up (the UP flag). */
  adminUp: z.boolean(),
  mac: text.optional(),
  mtu: z.number().int().optional(),
  /** "veth", "bridge", "loopback", ... */
  kind: text.optional(),
  /** The bridge this interface is a port of. */
  master: text.optional(),
  /** For a veth: the peer's interface index and, when in another namespace, that namespace. */
  peerIfindex: z.number().int().optional(),
  peerNamespace: text.optional(),
});

export const LiveAddressSchema = z.strictObject({
  ifname: text,
  /** CIDR, e.g. 192.168.15.1/24. */
  cidr: text,
  family: z.union([z.literal(4), z.literal(6)]),
  scope: text.optional(),
});

export const LiveRouteSchema = z.strictObject({
  /** "default" or a prefix. */
  to: text,
  via: text.optional(),
  dev: text.optional(),
  metric: z.number().int().optional(),
  protocol: text.optional(),
  scope: text.optional(),
  src: text.optional(),
  family: z.union([z.literal(4), z.literal(6)]),
});

export const LiveNeighbourSchema = z.strictObject({
  address: text,
  dev: text,
  mac: text.optional(),
  /** REACHABLE, STALE, DELAY, PROBE, INCOMPLETE, FAILED, PERMANENT, NOARP. */
  state: text,
});

export const LiveFdbEntrySchema = z.strictObject({
  mac: text,
  /** The bridge port the MAC was learned on. */
  port: text,
  bridge: text,
  /** Learned (false) or the port's own address (true). */
  permanent: z.boolean(),
  vlan: z.number().int().optional(),
});

export const LiveNatRuleSchema = z.strictObject({
  chain: text,
  /** The rule as iptables-save prints it, e.g. "-s 192.168.15.0/24 -j MASQUERADE". */
  rule: text,
  source: text.optional(),
  outInterface: text.optional(),
  target: text,
  packets: z.number().int(),
  bytes: z.number().int(),
});

export const LiveConntrackSchema = z.strictObject({
  protocol: text,
  original: text,
  reply: text,
});

export const NamespaceStateSchema = z.strictObject({
  ns: text,
  links: z.array(LiveLinkSchema),
  addresses: z.array(LiveAddressSchema),
  routes: z.array(LiveRouteSchema),
  neighbours: z.array(LiveNeighbourSchema),
  fdb: z.array(LiveFdbEntrySchema),
  ipForward: z.boolean(),
  nat: z.array(LiveNatRuleSchema),
  /** Absent when the conntrack tool is not installed. */
  conntrack: z.array(LiveConntrackSchema).optional(),
  /** When the agent read it (ms since the epoch). */
  readAt: z.number(),
});

export type LiveLink = z.output<typeof LiveLinkSchema>;
export type LiveAddress = z.output<typeof LiveAddressSchema>;
export type LiveRoute = z.output<typeof LiveRouteSchema>;
export type LiveNeighbour = z.output<typeof LiveNeighbourSchema>;
export type LiveFdbEntry = z.output<typeof LiveFdbEntrySchema>;
export type LiveNatRule = z.output<typeof LiveNatRuleSchema>;
export type LiveConntrack = z.output<typeof LiveConntrackSchema>;
export type NamespaceState = z.output<typeof NamespaceStateSchema>;

/** A namespace's tables with nothing in them, and `fields` where given (warm-up, tests). */
export function emptyNamespaceState(
  ns: string,
  fields: Partial<Omit<NamespaceState, 'ns'>> = {},
): NamespaceState {
  return {
    ns,
    links: [],
    addresses: [],
    routes: [],
    neighbours: [],
    fdb: [],
    ipForward: false,
    nat: [],
    readAt: 0,
    ...fields,
  };
}
