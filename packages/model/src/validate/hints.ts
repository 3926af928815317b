/**
 * Hints: a lab that builds fine but will not pass packets the way the student expects. They
 * teach and never block.
 */
import {
  containsIp,
  formatCidr,
  formatIp,
  networkOf,
  overlaps,
  sameIp,
  type Cidr,
  type IpAddress,
} from '../lab/address';
import { HOST_NS, type ExternalNode, type RoutingNode } from '../lab/schema';
import { ifaceLabel, ipKey, nsLabel, type LabContext, type NamespaceInfo } from './context';
import { at, nodeWhere, type Findings } from './findings';
import { parseDestination, type RoutingView } from './routes';

/** "The host" at the start of a sentence; namespace names keep their case. */
const capitalise = (s: string): string => (s === 'the host' ? 'The host' : s);

/** "the host's" or "router's". */
const possessive = (ns: string): string => (ns === HOST_NS ? "the host's" : `${ns}'s`);

function checkDown(ctx: LabContext, out: Findings): void {
  for (const iface of ctx.interfaces) {
    if (iface.up || (iface.kind !== 'veth' && iface.kind !== 'bridge')) continue;
    const command =
      iface.ns === null
        ? ''
        : ` (${iface.ns === HOST_NS ? 'ip' : `ip -n ${iface.ns}`} link set ${iface.kind === 'bridge' ? 'dev ' : ''}${iface.ifname} up)`;
    out.add(
      'hint-link-down',
      at(iface.where, 'up'),
      `${ifaceLabel(iface)} is down, and an interface that is down passes nothing: set it up${command}`,
    );
  }
}

function checkNoAddress(
  ctx: LabContext,
  views: ReadonlyMap<RoutingNode, RoutingView>,
  out: Findings,
): void {
  ctx.lab.nodes.forEach((node, i) => {
    if (node.kind !== 'namespace') return;
    const view = views.get(node);
    if (view === undefined || view.own.size > 0) return;
    const names = [...view.interfaces.keys()];
    out.add(
      'hint-no-address',
      nodeWhere(i, node.id),
      names.length === 0
        ? `${node.name} has no interfaces, so it cannot send or answer IP packets: link it to a bridge or another namespace and give its end an address, e.g. 192.168.15.1/24`
        : `${node.name} has no address on ${names.slice(0, 4).join(', ')}${names.length > 4 ? '...' : ''}, so it cannot send or answer IP packets: give ${names[0] ?? 'one'} an address, e.g. 192.168.15.1/24`,
    );
  });
}

/** The routing namespace that holds an address, if a host or namespace node holds it. */
function routerHolding(ctx: LabContext, ip: IpAddress | null): NamespaceInfo | null {
  if (ip === null) return null;
  const ns = ctx.addressOwners.get(ipKey(ip))?.iface.ns;
  if (ns === undefined || ns === null) return null;
  const info = ctx.namespaces.get(ns);
  return info === undefined || info.router === null ? null : info;
}

interface Lan {
  node: ExternalNode;
  index: number;
  subnet: Cidr;
  /** LAN hosts that have no gateway, so they answer only their own subnet. */
  stranded: { name: string; address: string; j: number }[];
}

function lansOf(ctx: LabContext): Lan[] {
  const lans: Lan[] = [];
  ctx.lab.nodes.forEach((node, index) => {
    if (node.kind !== 'external') return;
    const subnet = ctx.cidr(node.subnet);
    if (subnet === null) return;
    const stranded: Lan['stranded'] = [];
    node.hosts.forEach((host, j) => {
      const ip = ctx.ip(host.address);
      if (host.gateway === undefined && ip !== null && containsIp(subnet, ip))
        stranded.push({ name: host.name, address: formatIp(ip), j });
    });
    if (stranded.length > 0) lans.push({ node, index, subnet: networkOf(subnet), stranded });
  });
  return lans;
}

function checkForwarding(
  ctx: LabContext,
  views: ReadonlyMap<RoutingNode, RoutingView>,
  out: Findings,
): void {
  const lans = lansOf(ctx);
  const reportedHosts = new Set<string>();
  ctx.lab.nodes.forEach((node, i) => {
    if (node.kind !== 'host' && node.kind !== 'namespace') return;
    const view = views.get(node);
    if (view === undefined) return;
    node.routes.forEach((route, r) => {
      if (route.via === undefined) return;
      const via = ctx.ip(route.via);
      const to = parseDestination(ctx, route.to);
      const holder = routerHolding(ctx, via);
      if (via === null || to === null || holder === null || holder.name === view.ns) return;
      const router = holder.router;
      if (router === null) return;
      const where = at(nodeWhere(i, node.id), 'routes', r);
      const gatewayNs = nsLabel(holder.name);
      const routes = (): string =>
        `${capitalise(nsLabel(view.ns))} routes ${to === 'default' ? 'default' : formatCidr(to)} via ${formatIp(via)} (${gatewayNs})`;

      // A host route to the gateway's own machine needs no forwarding.
      const toSelf =
        to !== 'default' &&
        to.prefix === (to.address.family === 4 ? 32 : 128) &&
        routerHolding(ctx, to.address)?.name === holder.name;
      if (via.family === 4 && !router.node.ipForward && !toSelf)
        out.add(
          'hint-forward-off',
          at(where, 'via'),
          `${routes()}, but ${possessive(holder.name)} ip_forward is off: turn it on so ${gatewayNs} passes packets on`,
        );

      for (const lan of lans) {
        const subnet = lan.subnet;
        const reaches =
          to === 'default'
            ? via.family === subnet.address.family
            : to.prefix <= subnet.prefix && containsIp(to, subnet.address);
        if (!reaches) continue;
        const sources = new Map<string, Cidr>();
        let onLan = false;
        for (const iface of view.interfaces.values())
          for (const entry of iface.addresses) {
            // A namespace on the LAN itself reaches it directly, whatever its routes say.
            if (containsIp(subnet, entry.cidr.address)) onLan = true;
            const source = networkOf(entry.cidr);
            if (source.address.family !== subnet.address.family || overlaps(source, subnet))
              continue;
            if (!masquerades(ctx, router.node, source)) sources.set(formatCidr(source), source);
          }
        if (onLan || sources.size === 0) continue;
        const uncovered = [...sources.keys()].join(' and ');
        const [first, ...others] = lan.stranded;
        if (first === undefined) continue;
        const who =
          others.length === 0
            ? `${first.name} (${first.address}) has`
            : `${first.name} (${first.address}) and ${others.length} other LAN host${others.length > 1 ? 's' : ''} have`;
        out.add(
          'hint-no-way-back',
          where,
          `${routes()}, but ${who} no route back to ${uncovered} and no MASQUERADE on ${gatewayNs} covers it: replies from the LAN will be lost; add a MASQUERADE rule for ${uncovered} on ${gatewayNs}, or give ${first.name} a gateway`,
        );
        for (const host of lan.stranded)
          for (const source of sources.keys()) {
            const key = `${lan.index}|${host.j}|${source}|${holder.name}`;
            if (reportedHosts.has(key)) continue;
            reportedHosts.add(key);
            out.add(
              'hint-no-way-back',
              at(nodeWhere(lan.index, lan.node.id), 'hosts', host.j),
              `${host.name} (${host.address}) has no route back to ${source} and no MASQUERADE on ${gatewayNs} covers it: replies from the LAN will be lost; add a MASQUERADE rule for ${source} on ${gatewayNs}, or give ${host.name} a gateway`,
            );
          }
      }
    });
  });
}

function masquerades(ctx: LabContext, node: RoutingNode, source: Cidr): boolean {
  return node.nat.some((rule) => {
    const cidr = ctx.cidr(rule.source);
    return cidr !== null && overlaps(cidr, source);
  });
}

/** Whether any address of the lab lies inside a prefix; one hashed lookup per prefix length. */
class AddressIndex {
  private readonly byPrefix = new Map<string, Set<bigint>>();

  constructor(private readonly ctx: LabContext) {}

  holdsAddressIn(network: Cidr): boolean {
    const family = network.address.family;
    const key = `${family}/${network.prefix}`;
    let set = this.byPrefix.get(key);
    if (set === undefined) {
      set = new Set();
      for (const entry of this.ctx.addresses)
        if (entry.cidr.address.family === family)
          set.add(networkOf({ address: entry.cidr.address, prefix: network.prefix }).address.value);
      this.byPrefix.set(key, set);
    }
    return set.has(networkOf(network).address.value);
  }
}

function checkNatAttached(ctx: LabContext, out: Findings): void {
  const index = new AddressIndex(ctx);
  const example = ctx.addresses.find((a) => a.iface.kind === 'veth' || a.iface.kind === 'bridge');
  ctx.lab.nodes.forEach((node, i) => {
    if (node.kind !== 'host' && node.kind !== 'namespace') return;
    const ns = node.kind === 'host' ? HOST_NS : node.name;
    node.nat.forEach((rule, k) => {
      const source = ctx.cidr(rule.source);
      if (source === null || !sameIp(networkOf(source).address, source.address)) return;
      if (index.holdsAddressIn(source)) return;
      out.add(
        'hint-nat-unattached',
        at(nodeWhere(i, node.id), 'nat', k, 'source'),
        `MASQUERADE ${rule.source} on ${nsLabel(ns)}: no address in the lab is inside ${rule.source}, so the rule never matches a packet: use the subnet of the namespaces whose packets should leave${example === undefined ? '' : `, e.g. ${formatCidr(networkOf(example.cidr))}`}`,
      );
    });
  });
}

export function checkHints(
  ctx: LabContext,
  views: ReadonlyMap<RoutingNode, RoutingView>,
  out: Findings,
): void {
  checkDown(ctx, out);
  checkNoAddress(ctx, views, out);
  checkForwarding(ctx, views, out);
  checkNatAttached(ctx, out);
}
