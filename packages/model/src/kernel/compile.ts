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
import { EXTERNAL_BRIDGE, HOST_NS, type Lab, type Route, type RoutingNode } from '../lab/schema';
import { bridgeNamespace, externalHostNames, indexNodes, placeEnd } from '../lab/topology';
import {
  emptyKernelModel,
  entityKey,
  type EntityKind,
  type EntityTypes,
  type KernelModel,
  type Origin,
} from './model';

function put<K extends EntityKind>(model: KernelModel, kind: K, entity: EntityTypes[K]): void {
  // The first one wins on a clash; validation reports clashes, compile stays total.
  const key = entityKey[kind](entity);
  const bucket = model[kind] as Record<string, EntityTypes[K]>;
  if (!(key in bucket)) bucket[key] = entity;
}

function routeEntity(ns: string, route: Route, origin: Origin): EntityTypes['route'] {
  const entity: EntityTypes['route'] = { ns, to: canonicalDestination(route.to), origin };
  if (route.via !== undefined) entity.via = canonicalIp(route.via);
  if (route.dev !== undefined) entity.dev = route.dev;
  if (route.metric !== undefined) entity.metric = route.metric;
  return entity;
}

function compileRouting(
  model: KernelModel,
  ns: string,
  node: RoutingNode,
  nodeIndex: number,
): void {
  const origin: Origin = { nodeId: node.id, path: `nodes[${nodeIndex}]` };
  node.routes.forEach((route, i) =>
    put(
      model,
      'route',
      routeEntity(ns, route, { nodeId: node.id, path: `nodes[${nodeIndex}].routes[${i}]` }),
    ),
  );
  if (node.ipForward)
    put(model, 'forward', { ns, origin: { ...origin, path: `nodes[${nodeIndex}].ipForward` } });
  node.nat.forEach((rule, i) => {
    const entity: EntityTypes['nat'] = {
      ns,
      source: canonicalCidr(rule.source),
      origin: { nodeId: node.id, path: `nodes[${nodeIndex}].nat[${i}]` },
    };
    if (rule.outInterface !== undefined) entity.outInterface = rule.outInterface;
    put(model, 'nat', entity);
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

/** The kernel model of a lab. Total: an invalid lab compiles to something, validation says what. */
export function compileLab(lab: Lab): KernelModel {
  const model = emptyKernelModel();
  const nodes = indexNodes(lab);

  lab.nodes.forEach((node, i) => {
    const origin: Origin = { nodeId: node.id, path: `nodes[${i}]` };
    switch (node.kind) {
      case 'host':
        compileRouting(model, HOST_NS, node, i);
        break;
      case 'namespace':
        put(model, 'netns', { name: node.name, origin });
        if (node.loopback) put(model, 'loopback', { ns: node.name, origin });
        compileRouting(model, node.name, node, i);
        break;
      case 'bridge': {
        const ns = bridgeNamespace(node, nodes);
        if (ns === null) break;
        put(model, 'bridge', { ns, name: node.name, origin });
        put(model, 'iface', interfaceEntity(ns, node.name, 'bridge', node, origin));
        node.addresses.forEach((cidr, j) =>
          put(model, 'address', {
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
        put(model, 'netns', { name: lan, origin });
        put(model, 'bridge', { ns: lan, name: EXTERNAL_BRIDGE, origin });
        put(model, 'iface', interfaceEntity(lan, EXTERNAL_BRIDGE, 'bridge', { up: true }, origin));
        const subnet = parseCidr(node.subnet);
        node.hosts.forEach((host, j) => {
          const hostOrigin: Origin = { nodeId: node.id, path: `nodes[${i}].hosts[${j}]` };
          const names = externalHostNames(host);
          put(model, 'netns', { name: names.ns, origin: hostOrigin });
          put(model, 'veth', {
            a: { ns: names.ns, ifname: names.ifname },
            b: { ns: lan, ifname: names.port },
            origin: hostOrigin,
          });
          put(
            model,
            'iface',
            interfaceEntity(names.ns, names.ifname, 'veth', { up: true }, hostOrigin),
          );
          put(
            model,
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
            subnet === null
              ? `${host.address}/32`
              : `${canonicalIp(host.address)}/${subnet.prefix}`;
          put(model, 'address', {
            ns: names.ns,
            ifname: names.ifname,
            cidr: canonicalCidr(cidr),
            origin: hostOrigin,
          });
          if (host.gateway !== undefined)
            put(model, 'route', {
              ns: names.ns,
              to: 'default',
              via: canonicalIp(host.gateway),
              origin: { ...hostOrigin, path: `nodes[${i}].hosts[${j}].gateway` },
            });
        });
        break;
      }
    }
  });

  lab.links.forEach((link, i) => {
    const a = placeEnd(link.a, nodes);
    const b = placeEnd(link.b, nodes);
    if (a === null || b === null) return;
    const origin: Origin = { linkId: link.id, path: `links[${i}]` };
    put(model, 'veth', {
      a: { ns: a.ns, ifname: link.a.ifname },
      b: { ns: b.ns, ifname: link.b.ifname },
      origin,
    });
    for (const [side, end, place] of [
      ['a', link.a, a],
      ['b', link.b, b],
    ] as const) {
      const endOrigin: Origin = { linkId: link.id, path: `links[${i}].${side}` };
      put(
        model,
        'iface',
        interfaceEntity(place.ns, end.ifname, 'veth', { ...end, master: place.master }, endOrigin),
      );
      end.addresses.forEach((cidr, j) =>
        put(model, 'address', {
          ns: place.ns,
          ifname: end.ifname,
          cidr: canonicalCidr(cidr),
          origin: { linkId: link.id, path: `links[${i}].${side}.addresses[${j}]` },
        }),
      );
    }
  });
  return model;
}
