/**
 * Routes and NAT rules, checked the way the kernel checks them when `ip route add` and
 * `iptables -t nat -A POSTROUTING` run in that namespace.
 */
import {
  canonicalCidr,
  containsIp,
  formatCidr,
  formatIp,
  isNetworkAddress,
  networkOf,
  sameIp,
  type Cidr,
  type IpAddress,
} from '../lab/address';
import type { RoutingNode } from '../lab/schema';
import { explainCidr, explainIp } from './address-text';
import {
  interfacesIn,
  ipKey,
  nsLabel,
  routingNamespace,
  type Iface,
  type LabContext,
} from './context';
import { at, nodeWhere, type Findings, type Where } from './findings';

const LOOPBACK = 'lo';

/** A subnet the namespace reaches directly, and the interface it is reached through. */
interface Connected {
  network: Cidr;
  ifname: string;
  up: boolean;
}

/** What a namespace offers its routes: its interfaces, their subnets and its own addresses. */
export interface RoutingView {
  ns: string;
  interfaces: ReadonlyMap<string, Iface>;
  loopbackUp: boolean;
  connected: Connected[];
  own: Set<bigint>;
}

export function routingView(ctx: LabContext, node: RoutingNode): RoutingView {
  const ns = routingNamespace(node);
  const interfaces = interfacesIn(ctx, ns);
  const loopbackUp = node.kind === 'host' || node.loopback;
  const connected: Connected[] = [];
  const own = new Set<bigint>();
  for (const iface of interfaces.values())
    for (const entry of iface.addresses) {
      connected.push({ network: networkOf(entry.cidr), ifname: iface.ifname, up: iface.up });
      own.add(ipKey(entry.cidr.address));
    }
  // A route with a device and no gateway is on-link: its gateways-to-be are reachable too.
  for (const route of node.routes) {
    if (route.via !== undefined || route.dev === undefined) continue;
    const iface = interfaces.get(route.dev);
    if (iface === undefined) continue;
    const to = route.to === 'default' ? null : ctx.cidr(route.to);
    const networks: Cidr[] =
      route.to === 'default'
        ? [
            { address: { family: 4, value: 0n }, prefix: 0 },
            { address: { family: 6, value: 0n }, prefix: 0 },
          ]
        : to === null
          ? []
          : [networkOf(to)];
    for (const network of networks) connected.push({ network, ifname: iface.ifname, up: iface.up });
  }
  return { ns, interfaces, loopbackUp, connected, own };
}

/** "veth-red, veth-red2 and lo", for messages. */
function interfaceList(view: RoutingView): string {
  const names = [...view.interfaces.keys(), LOOPBACK];
  const shown = names.length > 8 ? [...names.slice(0, 7), `${names.length - 7} more`] : names;
  return shown.length === 1
    ? (shown[0] ?? LOOPBACK)
    : `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1] ?? ''}`;
}

/** "veth-blue has 192.168.15.2/24", the subnets a gateway could be on, for messages. */
function subnetList(view: RoutingView, dev: string | undefined): string {
  const parts: string[] = [];
  for (const iface of view.interfaces.values()) {
    if (dev !== undefined && iface.ifname !== dev) continue;
    for (const entry of iface.addresses) parts.push(`${formatCidr(entry.cidr)} on ${iface.ifname}`);
  }
  if (parts.length === 0)
    return dev === undefined
      ? `${nsLabel(view.ns)} has no address yet: give one of its interfaces an address on the gateway's subnet`
      : `${dev} has no address yet: give it one on the gateway's subnet`;
  const shown = parts.length > 4 ? [...parts.slice(0, 4), '...'] : parts;
  return `${nsLabel(view.ns)} has ${shown.join(', ')}: use a gateway on one of these subnets`;
}

/** The destination of a route: "default", a network, or null when it does not parse. */
export type Destination = 'default' | Cidr | null;

export function parseDestination(ctx: LabContext, to: string): Destination {
  if (to === 'default') return 'default';
  const cidr = ctx.cidr(to);
  return cidr !== null && isNetworkAddress(cidr) ? cidr : null;
}

function checkRoutes(
  ctx: LabContext,
  node: RoutingNode,
  index: number,
  view: RoutingView,
  out: Findings,
): void {
  const nodeAt = nodeWhere(index, node.id);
  const seen = new Map<string, number>();
  node.routes.forEach((route, r) => {
    const where = at(nodeAt, 'routes', r);
    const label = `Route ${route.to || '(empty)'} on ${nsLabel(view.ns)}`;
    let family: 4 | 6 | null = null;

    let to: Cidr | 'default' | null = null;
    if (route.to === 'default') to = 'default';
    else {
      const cidr = ctx.cidr(route.to);
      const ip = cidr === null ? ctx.ip(route.to) : null;
      if (ip !== null) {
        const prefix = ip.family === 4 ? 32 : 128;
        out.add(
          'route-invalid',
          at(where, 'to'),
          `${label}: "${route.to}" has no prefix length; write ${route.to}/${prefix} for this one host, or a network such as ${formatCidr(networkOf({ address: ip, prefix: ip.family === 4 ? 24 : 64 }))}`,
        );
      } else if (cidr === null)
        out.add(
          'route-invalid',
          at(where, 'to'),
          `${label}: ${explainCidr(route.to, '192.168.1.0/24')}, or "default"`,
        );
      else if (!isNetworkAddress(cidr))
        out.add(
          'route-invalid',
          at(where, 'to'),
          `${label}: ${route.to} has host bits; write ${formatCidr(networkOf(cidr))}`,
        );
      else {
        to = cidr;
        family = cidr.address.family;
      }
    }

    if (route.via === undefined && route.dev === undefined)
      out.add(
        'route-invalid',
        where,
        `${label}: a route needs a gateway ("via", e.g. 192.168.15.5) or a device ("dev"); add one`,
      );

    let via: IpAddress | null = null;
    if (route.via !== undefined) {
      const ip = ctx.ip(route.via);
      if (ip === null)
        out.add(
          'route-invalid',
          at(where, 'via'),
          `${label}: the gateway ${explainIp(route.via)}; write the address of a router on a connected subnet, e.g. 192.168.15.5`,
        );
      else if (family !== null && ip.family !== family)
        out.add(
          'route-invalid',
          at(where, 'via'),
          `${label}: the gateway ${route.via} is IPv${ip.family} but the destination is IPv${family}; use a gateway of the same family`,
        );
      else {
        via = ip;
        family = ip.family;
      }
    }

    let devKnown = true;
    if (route.dev !== undefined) {
      const iface = view.interfaces.get(route.dev);
      const up = route.dev === LOOPBACK ? view.loopbackUp : iface?.up;
      if (route.dev !== LOOPBACK && iface === undefined) {
        devKnown = false;
        out.add(
          'route-dev-unknown',
          at(where, 'dev'),
          `${label}: ${nsLabel(view.ns)} has no interface "${route.dev}"; its interfaces are ${interfaceList(view)}`,
        );
      } else if (up === false)
        out.add(
          'route-dev-down',
          at(where, 'dev'),
          route.dev === LOOPBACK
            ? `${label}: lo is down in ${nsLabel(view.ns)}, and the kernel refuses routes through a device that is down: turn loopback on`
            : `${label}: ${route.dev} is down, and the kernel refuses routes through a device that is down: set ${route.dev} up`,
        );
    }

    if (via !== null && devKnown) checkGateway(route.dev, via, label, at(where, 'via'), view, out);

    if (to !== null) {
      const keyFamily = family ?? 4;
      const metric = route.metric ?? (keyFamily === 6 ? 1024 : 0);
      const destination = to === 'default' ? 'default' : formatCidr(to);
      const key = `${keyFamily}|${destination}|${metric}`;
      const first = seen.get(key);
      if (first !== undefined)
        out.add(
          'route-duplicate',
          where,
          `${label}: routes[${first}] already goes to ${destination} with metric ${metric}; the kernel keeps one route per destination and metric: remove one, or give them different metrics`,
        );
      else {
        seen.set(key, r);
        if (to !== 'default') checkConnectedClash(to, metric, label, where, view, out);
      }
    }
  });
}

function checkGateway(
  dev: string | undefined,
  via: IpAddress,
  label: string,
  where: Where,
  view: RoutingView,
  out: Findings,
): void {
  const gateway = formatIp(via);
  if (view.own.has(ipKey(via))) {
    out.add(
      'route-gateway-unreachable',
      where,
      `${label}: the gateway ${gateway} is an address of ${nsLabel(view.ns)} itself; a gateway is another machine on a connected subnet: use its address`,
    );
    return;
  }
  let reached: Connected | null = null;
  for (const c of view.connected) {
    if ((dev !== undefined && c.ifname !== dev) || !containsIp(c.network, via)) continue;
    if (reached === null || (!reached.up && c.up)) reached = c;
  }
  if (reached === null) {
    if (dev === LOOPBACK && via.family === 4 && via.value >> 24n === 127n) return;
    out.add(
      'route-gateway-unreachable',
      where,
      `${label}: the gateway ${gateway} is on no subnet ${dev === undefined ? `of ${nsLabel(view.ns)}` : `of ${dev}`}; ${subnetList(view, dev)}`,
    );
  } else if (!reached.up && dev === undefined)
    out.add(
      'route-dev-down',
      where,
      `${label}: the gateway ${gateway} is reached through ${reached.ifname}, which is down, and the kernel refuses routes through a device that is down: set ${reached.ifname} up`,
    );
}

/** The kernel adds a route to each IPv4 subnet of an up interface, with metric 0. */
function checkConnectedClash(
  to: Cidr,
  metric: number,
  label: string,
  where: Where,
  view: RoutingView,
  out: Findings,
): void {
  if (to.address.family !== 4 || metric !== 0 || to.prefix >= 32) return;
  for (const iface of view.interfaces.values()) {
    if (!iface.up) continue;
    for (const entry of iface.addresses) {
      if (entry.cidr.prefix !== to.prefix) continue;
      if (!sameIp(networkOf(entry.cidr).address, to.address)) continue;
      out.add(
        'route-duplicate',
        where,
        `${label}: the kernel already has this route, because ${iface.ifname} holds ${formatCidr(entry.cidr)}: remove this route (the subnet is connected), or give it a metric`,
      );
      return;
    }
  }
}

function checkNat(
  ctx: LabContext,
  node: RoutingNode,
  index: number,
  view: RoutingView,
  out: Findings,
): void {
  const nodeAt = nodeWhere(index, node.id);
  const seen = new Map<string, number>();
  node.nat.forEach((rule, k) => {
    const where = at(nodeAt, 'nat', k);
    const label = `MASQUERADE ${rule.source || '(empty)'} on ${nsLabel(view.ns)}`;
    const source = ctx.cidr(rule.source);
    if (source === null)
      out.add(
        'nat-invalid',
        at(where, 'source'),
        `${label}: ${explainCidr(rule.source, '192.168.15.0/24')}`,
      );
    else if (!isNetworkAddress(source))
      out.add(
        'nat-invalid',
        at(where, 'source'),
        `${label}: ${rule.source} has host bits; write ${formatCidr(networkOf(source))}`,
      );

    const out_ = rule.outInterface;
    if (out_ !== undefined && out_ !== LOOPBACK) {
      // iptables reads a trailing "+" as a wildcard: eth+ matches eth0, eth1...
      const known = out_.endsWith('+')
        ? [...view.interfaces.keys()].some((name) => name.startsWith(out_.slice(0, -1)))
        : view.interfaces.has(out_);
      if (!known)
        out.add(
          'nat-out-unknown',
          at(where, 'outInterface'),
          `${label}: ${nsLabel(view.ns)} has no interface "${out_}"; its interfaces are ${interfaceList(view)}`,
        );
    }

    const key = `${source === null ? rule.source : canonicalCidr(rule.source)}|${out_ ?? ''}`;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, k);
    else
      out.add(
        'nat-duplicate',
        where,
        `${label}: nat[${first}] is the same rule, and iptables would add it twice: remove this one`,
      );
  });
}

/** The routing view of every host and namespace node, worked out once for all rules. */
export function routingViews(ctx: LabContext): Map<RoutingNode, RoutingView> {
  const views = new Map<RoutingNode, RoutingView>();
  for (const node of ctx.lab.nodes)
    if (node.kind === 'host' || node.kind === 'namespace') views.set(node, routingView(ctx, node));
  return views;
}

export function checkRouting(
  ctx: LabContext,
  views: ReadonlyMap<RoutingNode, RoutingView>,
  out: Findings,
): void {
  ctx.lab.nodes.forEach((node, i) => {
    if (node.kind !== 'host' && node.kind !== 'namespace') return;
    const view = views.get(node);
    if (view === undefined) return;
    checkRoutes(ctx, node, i, view, out);
    checkNat(ctx, node, i, view, out);
  });
}
