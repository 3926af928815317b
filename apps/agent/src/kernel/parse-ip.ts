/**
 * Maps iproute2's JSON (`ip -j`, `bridge -j`) to the live-state shapes the browser shows. Pure:
 * tested with captured output. iproute2 omits keys freely, so every field is checked.
 */
import type {
  LiveAddress,
  LiveFdbEntry,
  LiveLink,
  LiveNeighbour,
  LiveRoute,
} from '@netns-lab/model';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
function int(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}
function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Parses one JSON array as iproute2 prints it; an empty output means an empty list. */
export function parseJsonArray(text: string): Json[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const value: unknown = JSON.parse(trimmed);
  if (!Array.isArray(value)) throw new Error('expected a JSON array from iproute2');
  return value.filter(isObject);
}

/** nsid (in the reading namespace) -> namespace name, from `ip -j netns list-id`. */
export function parseNsidList(text: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const entry of parseJsonArray(text)) {
    const nsid = int(entry.nsid);
    const name = str(entry.name);
    if (nsid !== undefined && name !== undefined) names.set(nsid, name);
  }
  return names;
}

/** Every nsid that `ip -j link/addr show` names as a veth peer's namespace. */
export function linkNsids(entries: readonly Json[]): number[] {
  const ids = new Set<number>();
  for (const entry of entries) {
    const nsid = int(entry.link_netnsid);
    if (nsid !== undefined) ids.add(nsid);
  }
  return [...ids];
}

/**
 * Links from `ip -j -d addr show` (or `ip -j -d link show`). A veth's peer is `link_index` plus
 * `link_netnsid` when it lives in another namespace, or `link` (its name) when it is local.
 */
export function parseLinks(entries: readonly Json[], nsidNames: ReadonlyMap<number, string>) {
  const indexByName = new Map<string, number>();
  for (const entry of entries) {
    const name = str(entry.ifname);
    const index = int(entry.ifindex);
    if (name !== undefined && index !== undefined) indexByName.set(name, index);
  }
  const links: LiveLink[] = [];
  for (const entry of entries) {
    const ifname = str(entry.ifname);
    const ifindex = int(entry.ifindex);
    if (ifname === undefined || ifindex === undefined) continue;
    const flags = strings(entry.flags);
    const linkinfo = isObject(entry.linkinfo) ? entry.linkinfo : {};
    const kind =
      str(linkinfo.info_kind) ?? (str(entry.link_type) === 'loopback' ? 'loopback' : undefined);
    const link: LiveLink = {
      ifname,
      ifindex,
      state: str(entry.operstate) ?? 'UNKNOWN',
      adminUp: flags.includes('UP'),
    };
    const mac = str(entry.address);
    if (mac !== undefined) link.mac = mac;
    const mtu = int(entry.mtu);
    if (mtu !== undefined) link.mtu = mtu;
    if (kind !== undefined) link.kind = kind;
    const master = str(entry.master);
    if (master !== undefined) link.master = master;
    if (kind === 'veth') {
      const peerIndex = int(entry.link_index) ?? indexByName.get(str(entry.link) ?? '');
      if (peerIndex !== undefined) link.peerIfindex = peerIndex;
      const nsid = int(entry.link_netnsid);
      const peerNamespace = nsid === undefined ? undefined : nsidNames.get(nsid);
      if (peerNamespace !== undefined) link.peerNamespace = peerNamespace;
    }
    links.push(link);
  }
  return links.sort((a, b) => a.ifindex - b.ifindex);
}

export function parseAddresses(entries: readonly Json[]): LiveAddress[] {
  const addresses: LiveAddress[] = [];
  for (const entry of entries) {
    const ifname = str(entry.ifname);
    if (ifname === undefined || !Array.isArray(entry.addr_info)) continue;
    for (const info of entry.addr_info) {
      if (!isObject(info)) continue;
      const local = str(info.local);
      const prefixlen = int(info.prefixlen);
      const family = str(info.family);
      if (local === undefined || prefixlen === undefined) continue;
      if (family !== 'inet' && family !== 'inet6') continue;
      const address: LiveAddress = {
        ifname,
        cidr: `${local}/${prefixlen}`,
        family: family === 'inet' ? 4 : 6,
      };
      const scope = str(info.scope);
      if (scope !== undefined) address.scope = scope;
      addresses.push(address);
    }
  }
  return addresses;
}

/**
 * Routes of the main table from `ip -j route show table all` (one dump gives both families).
 * The kernel adds a preference (RTA_PREF) to every IPv6 route and to no IPv4 route, so "pref"
 * tells the family even for a device-only default route.
 */
export function parseRoutes(entries: readonly Json[]): LiveRoute[] {
  const routes: LiveRoute[] = [];
  for (const entry of entries) {
    const table = str(entry.table);
    if (table !== undefined && table !== 'main') continue;
    const type = str(entry.type);
    if (type !== undefined && type !== 'unicast' && !isBlackholeType(type)) continue;
    const dst = str(entry.dst);
    if (dst === undefined) continue;
    const gateway = str(entry.gateway) ?? (isObject(entry.via) ? str(entry.via.host) : undefined);
    const prefsrc = str(entry.prefsrc);
    const family: 4 | 6 =
      entry.pref !== undefined || [dst, gateway, prefsrc].some((v) => v?.includes(':')) ? 6 : 4;
    const route: LiveRoute = { to: canonicalPrefix(dst, family), family };
    if (gateway !== undefined) route.via = gateway;
    const dev = str(entry.dev);
    if (dev !== undefined) route.dev = dev;
    const metric = int(entry.metric);
    if (metric !== undefined) route.metric = metric;
    const protocol = str(entry.protocol);
    if (protocol !== undefined) route.protocol = protocol;
    const scope = str(entry.scope);
    if (scope !== undefined) route.scope = scope;
    if (prefsrc !== undefined) route.src = prefsrc;
    routes.push(route);
  }
  return routes;
}

function isBlackholeType(type: string): boolean {
  return type === 'blackhole' || type === 'unreachable' || type === 'prohibit';
}

/** ip prints a host route as a bare address; the lab writes prefixes (10.0.0.1/32). */
function canonicalPrefix(dst: string, family: 4 | 6): string {
  if (dst === 'default' || dst.includes('/')) return dst;
  return `${dst}/${family === 4 ? 32 : 128}`;
}

export function parseNeighbours(entries: readonly Json[]): LiveNeighbour[] {
  const neighbours: LiveNeighbour[] = [];
  for (const entry of entries) {
    const address = str(entry.dst);
    const dev = str(entry.dev);
    if (address === undefined || dev === undefined) continue;
    const states = strings(entry.state);
    const neighbour: LiveNeighbour = { address, dev, state: states[0] ?? 'NONE' };
    const mac = str(entry.lladdr);
    if (mac !== undefined) neighbour.mac = mac;
    neighbours.push(neighbour);
  }
  return neighbours;
}

/**
 * Bridge forwarding entries from `bridge -j fdb show`: only entries of bridge ports (they carry
 * "master"), learned ones and each port's own address. Entries without a master are a device's
 * own multicast filter, not the switch's table.
 */
export function parseFdb(entries: readonly Json[]): LiveFdbEntry[] {
  const fdb: LiveFdbEntry[] = [];
  for (const entry of entries) {
    const mac = str(entry.mac);
    const port = str(entry.ifname);
    const bridge = str(entry.master);
    if (mac === undefined || port === undefined || bridge === undefined) continue;
    const item: LiveFdbEntry = { mac, port, bridge, permanent: str(entry.state) === 'permanent' };
    const vlan = int(entry.vlan);
    if (vlan !== undefined) item.vlan = vlan;
    fdb.push(item);
  }
  return fdb;
}
