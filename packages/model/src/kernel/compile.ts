/**
 * compileLab: a lab (nodes, links, routes, NAT) to the flat kernel model. External LANs expand
 * here into what the kernel really holds: a namespace with a switch (bridge br0) and one
 * namespace per LAN host, wired with veths.
 */
import {
  canonicalCidr,
  canonicalDestination,
  canonicalIp,
  parseCidr,
  parseMac,
} from '../lab/address';
import {
  EXTERNAL_BRIDGE,
  HOST_NS,
  type Lab,
  type LabNode,
  type Link,
  type Route,
  type RoutingNode,
} from '../lab/schema';
import {
  bridgeNamespace,
  externalHostNames,
  indexNodes,
  placeEnd,
  type Placement,
} from '../lab/topology';
import {
  emptyKernelModel,
  entityKey,
  type EntityKind,
  type EntityTypes,
  type KernelModel,
  type Origin,
} from './model';

/** One entity with its key, as a node or link contributes it. */
interface Entry {
  kind: EntityKind;
  key: string;
  entity: EntityTypes[EntityKind];
}

/** What one node or link compiles to, in order: the entities it makes, keyed. */
class Fragment {
  readonly entries: Entry[] = [];
  constructor(
    /** Its position in the lab (origins name it) and where its ends or bridge live. */
    readonly index: number,
    readonly context: string,
  ) {}
  add<K extends EntityKind>(kind: K, entity: EntityTypes[K]): void {
    this.entries.push({ kind, key: entityKey[kind](entity), entity });
  }
}

function routeEntity(ns: string, route: Route, origin: Origin): EntityTypes['route'] {
  const entity: EntityTypes['route'] = { ns, to: canonicalDestination(route.to), origin };
  if (route.via !== undefined) entity.via = canonicalIp(route.via);
  if (route.dev !== undefined) entity.dev = route.dev;
  if (route.metric !== undefined) entity.metric = route.metric;
  return entity;
}

function compileRouting(out: Fragment, ns: string, node: RoutingNode, nodeIndex: number): void {
  const origin: Origin = { nodeId: node.id, path: `nodes[${nodeIndex}]` };
  node.routes.forEach((route, i) =>
    out.add(
      'route',
      routeEntity(ns, route, { nodeId: node.id, path: `nodes[${nodeIndex}].routes[${i}]` }),
    ),
  );
  if (node.ipForward)
    out.add('forward', { ns, origin: { ...origin, path: `nodes[${nodeIndex}].ipForward` } });
  node.nat.forEach((rule, i) => {
    const entity: EntityTypes['nat'] = {
      ns,
      source: canonicalCidr(rule.source),
      origin: { nodeId: node.id, path: `nodes[${nodeIndex}].nat[${i}]` },
    };
    if (rule.outInterface !== undefined) entity.outInterface = rule.outInterface;
    out.add('nat', entity);
  });
}

function interfaceEntity(
  ns: string,
  ifname: string,
  kind: 'veth' | 'bridge',
  attrs: {
    up: boolean;
    mac?: string | undefined;
    mtu?: number | undefined;
    master?: string | undefined;
  },
  origin: Origin,
): EntityTypes['iface'] {
  const entity: EntityTypes['iface'] = { ns, ifname, kind, up: attrs.up, origin };
  if (attrs.mac !== undefined) entity.mac = parseMac(attrs.mac) ?? attrs.mac;
  if (attrs.mtu !== undefined) entity.mtu = attrs.mtu;
  if (attrs.master !== undefined) entity.master = attrs.master;
  return entity;
}

function compileNode(node: LabNode, i: number, bridgeNs: string | null): Fragment {
  const out = new Fragment(i, JSON.stringify(bridgeNs));
  const origin: Origin = { nodeId: node.id, path: `nodes[${i}]` };
  switch (node.kind) {
    case 'host':
      compileRouting(out, HOST_NS, node, i);
      break;
    case 'namespace':
      out.add('netns', { name: node.name, origin });
      if (node.loopback) out.add('loopback', { ns: node.name, origin });
      compileRouting(out, node.name, node, i);
      break;
    case 'bridge': {
      const ns = bridgeNs;
      if (ns === null) break;
      out.add('bridge', { ns, name: node.name, origin });
      out.add('iface', interfaceEntity(ns, node.name, 'bridge', node, origin));
      node.addresses.forEach((cidr, j) =>
        out.add('address', {
          ns,
          ifname: node.name,
          cidr: canonicalCidr(cidr),
          origin: { nodeId: node.id, path: `nodes[${i}].addresses[${j}]` },
        }),
      );
      break;
    }
    case 'external': {
      const lan = node.name;
      out.add('netns', { name: lan, origin });
      out.add('bridge', { ns: lan, name: EXTERNAL_BRIDGE, origin });
      out.add('iface', interfaceEntity(lan, EXTERNAL_BRIDGE, 'bridge', { up: true }, origin));
      const subnet = parseCidr(node.subnet);
      node.hosts.forEach((host, j) => {
        const hostOrigin: Origin = { nodeId: node.id, path: `nodes[${i}].hosts[${j}]` };
        const names = externalHostNames(host);
        out.add('netns', { name: names.ns, origin: hostOrigin });
        out.add('veth', {
          a: { ns: names.ns, ifname: names.ifname },
          b: { ns: lan, ifname: names.port },
          origin: hostOrigin,
        });
        out.add('iface', interfaceEntity(names.ns, names.ifname, 'veth', { up: true }, hostOrigin));
        out.add(
          'iface',
          interfaceEntity(
            lan,
            names.port,
            'veth',
            { up: true, master: EXTERNAL_BRIDGE },
            hostOrigin,
          ),
        );
        const cidr =
          subnet === null ? `${host.address}/32` : `${canonicalIp(host.address)}/${subnet.prefix}`;
        out.add('address', {
          ns: names.ns,
          ifname: names.ifname,
          cidr: canonicalCidr(cidr),
          origin: hostOrigin,
        });
        if (host.gateway !== undefined)
          out.add('route', {
            ns: names.ns,
            to: 'default',
            via: canonicalIp(host.gateway),
            origin: { ...hostOrigin, path: `nodes[${i}].hosts[${j}].gateway` },
          });
      });
      break;
    }
  }
  return out;
}

function compileLink(link: Link, i: number, a: Placement | null, b: Placement | null): Fragment {
  const out = new Fragment(i, placesKey(a, b));
  if (a === null || b === null) return out;
  const origin: Origin = { linkId: link.id, path: `links[${i}]` };
  out.add('veth', {
    a: { ns: a.ns, ifname: link.a.ifname },
    b: { ns: b.ns, ifname: link.b.ifname },
    origin,
  });
  for (const [side, end, place] of [
    ['a', link.a, a],
    ['b', link.b, b],
  ] as const) {
    const endOrigin: Origin = { linkId: link.id, path: `links[${i}].${side}` };
    out.add(
      'iface',
      interfaceEntity(place.ns, end.ifname, 'veth', { ...end, master: place.master }, endOrigin),
    );
    end.addresses.forEach((cidr, j) =>
      out.add('address', {
        ns: place.ns,
        ifname: end.ifname,
        cidr: canonicalCidr(cidr),
        origin: { linkId: link.id, path: `links[${i}].${side}.addresses[${j}]` },
      }),
    );
  }
  return out;
}

/** Where a link's ends live, as one unambiguous text (names may hold any printable character). */
const placesKey = (a: Placement | null, b: Placement | null): string =>
  JSON.stringify([a?.ns ?? null, a?.master ?? null, b?.ns ?? null, b?.master ?? null]);

/**
 * Each node's and link's fragment, remembered per object: with shareUnchanged, an unchanged
 * node of the next lab is the same object, and compiles to the same entities at no cost. A
 * fragment is reused only at the same position (origins name it) and, for bridges and links,
 * with the same placement (the namespace a bridge or a link end lives in is another node's).
 */
const nodeFragments = new WeakMap<LabNode, Fragment>();
const linkFragments = new WeakMap<Link, Fragment>();

/** The kernel model of a lab. Total: an invalid lab compiles to something, validation says what. */
export function compileLab(lab: Lab): KernelModel {
  const model = emptyKernelModel();
  const nodes = indexNodes(lab);
  const put = (fragment: Fragment): void => {
    // The first one wins on a clash; validation reports clashes, compile stays total.
    for (const { kind, key, entity } of fragment.entries) {
      const bucket = model[kind] as Record<string, unknown>;
      if (!(key in bucket)) bucket[key] = entity;
    }
  };
  lab.nodes.forEach((node, i) => {
    const bridgeNs = node.kind === 'bridge' ? bridgeNamespace(node, nodes) : null;
    let fragment = nodeFragments.get(node);
    if (
      fragment === undefined ||
      fragment.index !== i ||
      fragment.context !== JSON.stringify(bridgeNs)
    ) {
      fragment = compileNode(node, i, bridgeNs);
      nodeFragments.set(node, fragment);
    }
    put(fragment);
  });
  lab.links.forEach((link, i) => {
    const a = placeEnd(link.a, nodes);
    const b = placeEnd(link.b, nodes);
    let fragment = linkFragments.get(link);
    if (fragment === undefined || fragment.index !== i || fragment.context !== placesKey(a, b)) {
      fragment = compileLink(link, i, a, b);
      linkFragments.set(link, fragment);
    }
    put(fragment);
  });
  return model;
}
