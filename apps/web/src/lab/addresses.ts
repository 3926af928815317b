/**
 * Address proposals: the next free address in the subnet already used on a segment (blue joins
 * v-net-0 where red has 192.168.15.1/24: propose 192.168.15.2/24), or a fresh subnet when there
 * is none yet (the seed's 192.168.15.0/24 first). Parsing and arithmetic are the model's.
 */
import {
  formatCidr,
  hostAddress,
  indexNodes,
  isReservedIpv4Host,
  networkOf,
  overlaps,
  parseCidr,
  parseIp,
  type Cidr,
  type IpAddress,
  type Lab,
  type LabNode,
  type Link,
} from '@netns-lab/model';

type LabTopology = Pick<Lab, 'nodes' | 'links'>;

const ipKey = (ip: IpAddress): string => `${ip.family}:${ip.value.toString(16)}`;

export const isSwitchNode = (node: LabNode | undefined): boolean =>
  node?.kind === 'bridge' || node?.kind === 'external';
export const isRoutingNode = (node: LabNode | undefined): boolean =>
  node?.kind === 'host' || node?.kind === 'namespace';

/** Every address an interface of the lab holds (link ends, bridges, LAN hosts). */
export function addressesInUse(lab: LabTopology): Set<string> {
  const used = new Set<string>();
  const addCidr = (text: string): void => {
    const cidr = parseCidr(text);
    if (cidr) used.add(ipKey(cidr.address));
  };
  for (const node of lab.nodes) {
    if (node.kind === 'bridge') node.addresses.forEach(addCidr);
    if (node.kind === 'external')
      for (const host of node.hosts) {
        const ip = parseIp(host.address);
        if (ip) used.add(ipKey(ip));
      }
  }
  for (const link of lab.links) {
    link.a.addresses.forEach(addCidr);
    link.b.addresses.forEach(addCidr);
  }
  return used;
}

/** Every network the lab uses somewhere (to keep a fresh subnet clear of them). */
function networksInUse(lab: LabTopology): Cidr[] {
  const nets: Cidr[] = [];
  const add = (text: string): void => {
    const cidr = parseCidr(text);
    if (cidr) nets.push(networkOf(cidr));
  };
  for (const node of lab.nodes) {
    if (node.kind === 'bridge') node.addresses.forEach(add);
    if (node.kind === 'external') add(node.subnet);
    if (node.kind === 'host' || node.kind === 'namespace')
      for (const route of node.routes) if (route.to !== 'default') add(route.to);
  }
  for (const link of lab.links) {
    link.a.addresses.forEach(add);
    link.b.addresses.forEach(add);
  }
  return nets;
}

/** The first 192.168.X.0/24 (X from 15, the seed's) that overlaps nothing in the lab. */
export function proposeSubnet(lab: LabTopology, firstThird = 15): Cidr {
  const used = networksInUse(lab);
  for (let k = 0; k < 256; k++) {
    const third = (firstThird + k) % 256;
    const candidate = parseCidr(`192.168.${third}.0/24`);
    if (candidate && !used.some((net) => overlaps(net, candidate))) return candidate;
  }
  for (let second = 0; second < 256; second++) {
    const candidate = parseCidr(`10.${second}.0.0/24`);
    if (candidate && !used.some((net) => overlaps(net, candidate))) return candidate;
  }
  return parseCidr('10.255.255.0/24') as Cidr;
}

/** The lowest free host address of `network`, as CIDR text, or null when it is full. */
export function nextFreeAddress(network: Cidr, used: ReadonlySet<string>): string | null {
  const net = networkOf(network);
  const limit = Math.min(
    2 ** Math.min(30, (net.address.family === 4 ? 32 : 128) - net.prefix),
    65536,
  );
  for (let n = 1; n < limit; n++) {
    const ip = hostAddress(net, n);
    if (ip === null) return null;
    const cidr = { address: ip, prefix: net.prefix };
    if (isReservedIpv4Host(cidr)) continue;
    if (!used.has(ipKey(ip))) return formatCidr(cidr);
  }
  return null;
}

const peerEnd = (link: Link, nodeId: string): Link['a'] | null =>
  link.a.node === nodeId ? link.b : link.b.node === nodeId ? link.a : null;

/**
 * The subnet in use on the segment of a bridge or LAN: the switches joined to it (directly,
 * switch to switch) with their addresses or LAN subnet, and the addresses of the interfaces
 * plugged into them. Null when nothing there has an address yet.
 */
export function segmentSubnet(lab: LabTopology, switchId: string): Cidr | null {
  const nodes = indexNodes(lab);
  const seen = new Set<string>([switchId]);
  const queue = [switchId];
  const found: Cidr[] = [];
  const add = (text: string): void => {
    const cidr = parseCidr(text);
    if (cidr) found.push(networkOf(cidr));
  };
  while (queue.length > 0) {
    const id = queue.shift() as string;
    const node = nodes.get(id);
    if (node?.kind === 'bridge') node.addresses.forEach(add);
    if (node?.kind === 'external') add(node.subnet);
    for (const link of lab.links) {
      const peer = peerEnd(link, id);
      if (peer === null) continue;
      const other = nodes.get(peer.node);
      if (isSwitchNode(other)) {
        if (!seen.has(peer.node)) {
          seen.add(peer.node);
          queue.push(peer.node);
        }
      } else peer.addresses.forEach(add);
    }
  }
  return found.find((c) => c.address.family === 4) ?? found[0] ?? null;
}

/**
 * Addresses for the two ends of a new veth from `a` to `b`: an end in a namespace (or the host)
 * plugged into a bridge or LAN gets the next free address of that segment; two namespaces get
 * .1 and .2 of a fresh subnet; ends on switches get none (they are ports).
 */
export function proposeEndAddresses(
  lab: LabTopology,
  a: LabNode,
  b: LabNode,
): { a: string[]; b: string[] } {
  const used = addressesInUse(lab);
  const routingA = isRoutingNode(a);
  const routingB = isRoutingNode(b);
  if (routingA && routingB) {
    const subnet = proposeSubnet(lab);
    const first = nextFreeAddress(subnet, used);
    if (first === null) return { a: [], b: [] };
    const cidr = parseCidr(first);
    if (cidr) used.add(ipKey(cidr.address));
    const second = nextFreeAddress(subnet, used);
    return { a: [first], b: second === null ? [] : [second] };
  }
  if (routingA === routingB) return { a: [], b: [] };
  const sw = routingA ? b : a;
  const subnet = segmentSubnet(lab, sw.id) ?? proposeSubnet(lab);
  const address = nextFreeAddress(subnet, used);
  const proposal = address === null ? [] : [address];
  return routingA ? { a: proposal, b: [] } : { a: [], b: proposal };
}

/**
 * A new address for an interface that already exists: the next free one on its segment (for a
 * bridge, its own segment; for a veth end, the segment of its peer or the peer's subnet).
 */
export function proposeAddressFor(
  lab: LabTopology,
  target: { nodeId: string } | { linkId: string; side: 'a' | 'b' },
): string {
  const used = addressesInUse(lab);
  const nodes = indexNodes(lab);
  if ('nodeId' in target) {
    const subnet = segmentSubnet(lab, target.nodeId) ?? proposeSubnet(lab);
    return nextFreeAddress(subnet, used) ?? '';
  }
  const link = lab.links.find((l) => l.id === target.linkId);
  if (link === undefined) return '';
  const end = link[target.side];
  const peer = link[target.side === 'a' ? 'b' : 'a'];
  const ownSubnet = end.addresses.map(parseCidr).find((c): c is Cidr => c !== null);
  const peerSubnet = peer.addresses.map(parseCidr).find((c): c is Cidr => c !== null);
  const peerNode = nodes.get(peer.node);
  const subnet =
    ownSubnet ??
    (isSwitchNode(peerNode) ? segmentSubnet(lab, peer.node) : (peerSubnet ?? null)) ??
    proposeSubnet(lab);
  return nextFreeAddress(subnet, used) ?? '';
}

/** The first subnet a routing node is attached to, for a MASQUERADE rule's source. */
export function proposeNatSource(lab: LabTopology, nodeId: string): string {
  const nodes = indexNodes(lab);
  const node = nodes.get(nodeId);
  const candidates: Cidr[] = [];
  const add = (text: string): void => {
    const cidr = parseCidr(text);
    if (cidr) candidates.push(networkOf(cidr));
  };
  // A router masquerades the private networks behind it: those of the bridges it holds first
  // (the seed's case: the host and v-net-0), then its own interfaces' subnets.
  const holds = (bridgeNs: string | undefined): boolean =>
    node?.kind === 'host' ? bridgeNs === undefined || bridgeNs === node.id : bridgeNs === nodeId;
  for (const n of lab.nodes)
    if (n.kind === 'bridge' && holds(n.namespace)) {
      const subnet = segmentSubnet(lab, n.id);
      if (subnet) candidates.push(subnet);
    }
  for (const link of lab.links) {
    if (link.a.node === nodeId) link.a.addresses.forEach(add);
    if (link.b.node === nodeId) link.b.addresses.forEach(add);
  }
  const first = candidates[0];
  return first ? formatCidr(first) : formatCidr(proposeSubnet(lab));
}
