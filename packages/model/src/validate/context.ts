/**
 * What the rules share: every interface the lab creates, the namespace that holds it, and its
 * addresses, worked out once (with maps) so that each rule stays a linear pass.
 */
import { parseCidr, parseIp, type Cidr, type IpAddress } from '../lab/address';
import { EXTERNAL_BRIDGE, HOST_NS, type Lab, type RoutingNode } from '../lab/schema';
import {
  bridgeNamespace,
  externalHostNames,
  indexNodes,
  placeEnd,
  type NodeIndex,
} from '../lab/topology';
import { at, linkWhere, nodeWhere, type Where } from './findings';

export type IfaceKind = 'veth' | 'bridge' | 'lan-switch' | 'lan-port' | 'lan-host';

/** An interface the lab creates in the kernel. */
export interface Iface {
  /** The namespace that holds it, or null when its node is missing or cannot hold it. */
  ns: string | null;
  ifname: string;
  kind: IfaceKind;
  up: boolean;
  /** The lab element that makes it (links[3].a, nodes[2], nodes[4].hosts[0]). */
  where: Where;
  /** Where its name is written (links[3].a.ifname, nodes[2].name). */
  namePath: string;
  /** Its addresses as written (addresses[index]), parsed once. */
  written: { text: string; cidr: Cidr | null; index: number }[];
  /** The addresses that parse as CIDR. */
  addresses: AddressEntry[];
  /** Its MAC address as written, if any. */
  mac?: { text: string; where: Where };
  /** The link end it comes from, for veths. */
  end?: { side: 'a' | 'b' };
}

export interface AddressEntry {
  cidr: Cidr;
  iface: Iface;
  /** Its position in the interface's addresses; null for a LAN host's single address. */
  index: number | null;
}

/** An interface whose name is already taken in its namespace. */
export interface NameClash {
  iface: Iface;
  first: Iface;
}

export interface NamespaceInfo {
  name: string;
  /** Interfaces by name; the first one wins and later ones are clashes. */
  interfaces: Map<string, Iface>;
  /** The host or namespace node that owns the namespace's routing, if any. */
  router: { node: RoutingNode; index: number } | null;
}

export interface LabContext {
  lab: Lab;
  nodes: NodeIndex;
  /** Every interface, in document order (nodes first, then links). */
  interfaces: Iface[];
  namespaces: Map<string, NamespaceInfo>;
  clashes: NameClash[];
  /** Every address that parses, in document order, LAN hosts included. */
  addresses: AddressEntry[];
  /** The first interface address holding each IP (key: ipKey). */
  addressOwners: Map<bigint, AddressEntry>;
  /** parseIp, remembered per text (a lab repeats its gateways). */
  ip(text: string): IpAddress | null;
  /** parseCidr, remembered per text. */
  cidr(text: string): Cidr | null;
}

const IPV6_TAG = 1n << 128n;

/** One key for an address of either family (IPv6 values are tagged above 128 bits). */
export function ipKey(ip: IpAddress): bigint {
  return ip.family === 4 ? ip.value : ip.value | IPV6_TAG;
}

/** Where an address is written: links[0].a.addresses[1], nodes[4].hosts[0].address. */
export function addressWhere(entry: Pick<AddressEntry, 'iface' | 'index'>): Where {
  return entry.index === null
    ? at(entry.iface.where, 'address')
    : at(entry.iface.where, 'addresses', entry.index);
}

function memo<T>(parse: (text: string) => T): (text: string) => T {
  const cache = new Map<string, T>();
  return (text) => {
    if (cache.has(text)) return cache.get(text) as T;
    const value = parse(text);
    cache.set(text, value);
    return value;
  };
}

/** "the host" or the namespace's name, for messages. */
export function nsLabel(ns: string | null): string {
  return ns === HOST_NS ? 'the host' : (ns ?? 'no namespace');
}

/** "veth-red on red", for messages. */
export function ifaceLabel(iface: Iface): string {
  if (iface.ns !== null) return `${iface.ifname} on ${nsLabel(iface.ns)}`;
  const end = iface.end;
  return end === undefined
    ? iface.ifname
    : `${iface.ifname} (end ${end.side} of ${iface.where.linkId ?? 'a link'})`;
}

export function routingNamespace(node: RoutingNode): string {
  return node.kind === 'host' ? HOST_NS : node.name;
}

export function buildContext(lab: Lab): LabContext {
  const nodes = indexNodes(lab);
  const ctx: LabContext = {
    lab,
    nodes,
    interfaces: [],
    namespaces: new Map(),
    clashes: [],
    addresses: [],
    addressOwners: new Map(),
    ip: memo(parseIp),
    cidr: memo(parseCidr),
  };
  const namespace = (name: string): NamespaceInfo => {
    let info = ctx.namespaces.get(name);
    if (info === undefined) {
      info = { name, interfaces: new Map(), router: null };
      ctx.namespaces.set(name, info);
    }
    return info;
  };
  namespace(HOST_NS);

  const addIface = (iface: Iface): void => {
    ctx.interfaces.push(iface);
    if (iface.ns !== null) {
      const table = namespace(iface.ns).interfaces;
      const first = table.get(iface.ifname);
      if (first === undefined) table.set(iface.ifname, iface);
      else ctx.clashes.push({ iface, first });
    }
    for (const written of iface.written)
      if (written.cidr !== null) addAddress({ cidr: written.cidr, iface, index: written.index });
  };
  const addAddress = (entry: AddressEntry): void => {
    entry.iface.addresses.push(entry);
    ctx.addresses.push(entry);
    const key = ipKey(entry.cidr.address);
    if (!ctx.addressOwners.has(key)) ctx.addressOwners.set(key, entry);
  };

  lab.nodes.forEach((node, i) => {
    const where = nodeWhere(i, node.id);
    switch (node.kind) {
      case 'host':
      case 'namespace': {
        const info = namespace(routingNamespace(node));
        if (info.router === null) info.router = { node, index: i };
        break;
      }
      case 'bridge': {
        const bridge: Iface = {
          ns: bridgeNamespace(node, nodes),
          ifname: node.name,
          kind: 'bridge',
          up: node.up,
          where,
          namePath: `${where.path}.name`,
          written: node.addresses.map((text, index) => ({ text, cidr: ctx.cidr(text), index })),
          addresses: [],
        };
        if (node.mac !== undefined) bridge.mac = { text: node.mac, where: at(where, 'mac') };
        addIface(bridge);
        break;
      }
      case 'external': {
        addIface({
          ns: node.name,
          ifname: EXTERNAL_BRIDGE,
          kind: 'lan-switch',
          up: true,
          where,
          namePath: `${where.path}.name`,
          written: [],
          addresses: [],
        });
        const subnet = ctx.cidr(node.subnet);
        node.hosts.forEach((host, j) => {
          const hostWhere = at(where, 'hosts', j);
          const names = externalHostNames(host);
          addIface({
            ns: node.name,
            ifname: names.port,
            kind: 'lan-port',
            up: true,
            where: hostWhere,
            namePath: `${hostWhere.path}.name`,
            written: [],
            addresses: [],
          });
          const hostIface: Iface = {
            ns: names.ns,
            ifname: names.ifname,
            kind: 'lan-host',
            up: true,
            where: hostWhere,
            namePath: `${hostWhere.path}.name`,
            written: [],
            addresses: [],
          };
          addIface(hostIface);
          const ip = ctx.ip(host.address);
          if (ip !== null) {
            const prefix =
              subnet !== null && subnet.address.family === ip.family
                ? subnet.prefix
                : ip.family === 4
                  ? 32
                  : 128;
            addAddress({ cidr: { address: ip, prefix }, iface: hostIface, index: null });
          }
        });
        break;
      }
    }
  });

  lab.links.forEach((link, i) => {
    const where = linkWhere(i, link.id);
    for (const side of ['a', 'b'] as const) {
      const end = link[side];
      const place = placeEnd(end, nodes);
      const endWhere = at(where, side);
      const iface: Iface = {
        ns: place?.ns ?? null,
        ifname: end.ifname,
        kind: 'veth',
        up: end.up,
        where: endWhere,
        namePath: `${endWhere.path}.ifname`,
        written: end.addresses.map((text, index) => ({ text, cidr: ctx.cidr(text), index })),
        addresses: [],
        end: { side },
      };
      if (end.mac !== undefined) iface.mac = { text: end.mac, where: at(endWhere, 'mac') };
      addIface(iface);
    }
  });
  return ctx;
}

/** The interfaces of a namespace (empty when it holds none). */
export function interfacesIn(ctx: LabContext, ns: string): ReadonlyMap<string, Iface> {
  return ctx.namespaces.get(ns)?.interfaces ?? new Map<string, Iface>();
}
