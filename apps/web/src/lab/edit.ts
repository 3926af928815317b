/**
 * Pure edits of a lab: each takes a lab and returns a new one (or the same one when nothing
 * changes), so the store can keep them in its undo history as they are.
 */
import {
  formatIp,
  hostAddress,
  HOST_ID,
  indexNodes,
  parseCidr,
  type BridgeNode,
  type ExternalNode,
  type Lab,
  type LabNode,
  type Link,
  type LinkEnd,
  type NamespaceNode,
  type NodeLayout,
} from '@netns-lab/model';
import { addressesInUse, nextFreeAddress, proposeEndAddresses, proposeSubnet } from './addresses';
import { freeSpotNear } from './layout';
import {
  proposeBridgeName,
  proposeId,
  proposeLanHostName,
  proposeLanName,
  proposeNamespaceName,
  proposeVethNames,
} from './naming';

export type AddableKind = 'namespace' | 'bridge' | 'external';
export type Point = { x: number; y: number };

export function newNode(lab: Lab, kind: AddableKind): LabNode {
  switch (kind) {
    case 'namespace': {
      const name = proposeNamespaceName(lab);
      const node: NamespaceNode = {
        kind: 'namespace',
        id: proposeId(lab, name),
        name,
        loopback: false,
        ipForward: false,
        routes: [],
        nat: [],
      };
      return node;
    }
    case 'bridge': {
      const name = proposeBridgeName(lab);
      const node: BridgeNode = {
        kind: 'bridge',
        id: proposeId(lab, name),
        name,
        addresses: [],
        up: true,
      };
      return node;
    }
    case 'external': {
      const name = proposeLanName(lab);
      // The seed's LAN is 192.168.1.0/24; its host sits at .3 (the host itself takes .2).
      const subnet = proposeSubnet(lab, 1);
      const pc = hostAddress(subnet, 3);
      const node: ExternalNode = {
        kind: 'external',
        id: proposeId(lab, name),
        name,
        subnet: `${formatIp(subnet.address)}/${subnet.prefix}`,
        hosts: pc ? [{ name: proposeLanHostName(lab, name), address: formatIp(pc) }] : [],
      };
      return node;
    }
  }
}

/** The lab with a new node of `kind` at `position` (moved off other nodes); and its id. */
export function addNode(lab: Lab, kind: AddableKind, position: Point): { lab: Lab; id: string } {
  const node = newNode(lab, kind);
  const spot = freeSpotNear(position, Object.values(lab.layout.nodes));
  return {
    id: node.id,
    lab: {
      ...lab,
      nodes: [...lab.nodes, node],
      layout: { ...lab.layout, nodes: { ...lab.layout.nodes, [node.id]: spot } },
    },
  };
}

/** Why two nodes cannot be joined by a veth, or null when they can. */
export function connectProblem(lab: Lab, sourceId: string, targetId: string): string | null {
  if (sourceId === targetId) return 'A cable needs two different nodes.';
  const nodes = indexNodes(lab);
  if (!nodes.has(sourceId) || !nodes.has(targetId)) return 'Both ends need an existing node.';
  return null;
}

/**
 * The lab with a new veth between two nodes, named as the seed names them and with the next
 * free addresses proposed; null when they cannot be joined.
 */
export function connectNodes(
  lab: Lab,
  sourceId: string,
  targetId: string,
): { lab: Lab; id: string } | null {
  if (connectProblem(lab, sourceId, targetId) !== null) return null;
  const nodes = indexNodes(lab);
  const a = nodes.get(sourceId) as LabNode;
  const b = nodes.get(targetId) as LabNode;
  const names = proposeVethNames(lab, a, b);
  const addresses = proposeEndAddresses(lab, a, b);
  const label = (n: LabNode): string => (n.kind === 'host' ? 'host' : n.name);
  const end = (node: string, ifname: string, addrs: string[]): LinkEnd => ({
    node,
    ifname,
    addresses: addrs,
    up: true,
  });
  const link: Link = {
    id: proposeId(lab, `${label(a)}-${label(b)}`),
    kind: 'veth',
    a: end(a.id, names.a, addresses.a),
    b: end(b.id, names.b, addresses.b),
  };
  return { id: link.id, lab: { ...lab, links: [...lab.links, link] } };
}

/**
 * The lab without these nodes and links. A node takes its cables with it; a bridge held by a
 * removed namespace moves back to the host. The host stays.
 */
export function removeElements(
  lab: Lab,
  nodeIds: Iterable<string>,
  linkIds: Iterable<string>,
): Lab {
  const goneNodes = new Set([...nodeIds].filter((id) => id !== HOST_ID));
  const goneLinks = new Set(linkIds);
  if (goneNodes.size === 0 && goneLinks.size === 0) return lab;
  const nodes = lab.nodes
    .filter((n) => !goneNodes.has(n.id))
    .map((n): LabNode => {
      if (n.kind === 'bridge' && n.namespace !== undefined && goneNodes.has(n.namespace)) {
        const { namespace: _namespace, ...rest } = n;
        return rest;
      }
      return n;
    });
  const links = lab.links.filter(
    (l) => !goneLinks.has(l.id) && !goneNodes.has(l.a.node) && !goneNodes.has(l.b.node),
  );
  const layoutNodes: Record<string, NodeLayout> = {};
  for (const [id, pos] of Object.entries(lab.layout.nodes))
    if (!goneNodes.has(id)) layoutNodes[id] = pos;
  return { ...lab, nodes, links, layout: { ...lab.layout, nodes: layoutNodes } };
}

/** The lab with node `id` replaced by `update(node)`. */
export function updateNode(lab: Lab, id: string, update: (node: LabNode) => LabNode): Lab {
  let changed = false;
  const nodes = lab.nodes.map((n) => {
    if (n.id !== id) return n;
    const next = update(n);
    if (next !== n) changed = true;
    return next;
  });
  return changed ? { ...lab, nodes } : lab;
}

/** The lab with link `id` replaced by `update(link)`. */
export function updateLink(lab: Lab, id: string, update: (link: Link) => Link): Lab {
  let changed = false;
  const links = lab.links.map((l) => {
    if (l.id !== id) return l;
    const next = update(l);
    if (next !== l) changed = true;
    return next;
  });
  return changed ? { ...lab, links } : lab;
}

/** The lab with one end of link `id` replaced by `update(end)`. */
export function updateEnd(
  lab: Lab,
  id: string,
  side: 'a' | 'b',
  update: (end: LinkEnd) => LinkEnd,
): Lab {
  return updateLink(lab, id, (link) => {
    const next = update(link[side]);
    return next === link[side] ? link : { ...link, [side]: next };
  });
}

/** The lab with nodes moved (layout only: never a plan step). */
export function moveNodes(lab: Lab, positions: Readonly<Record<string, Point>>): Lab {
  let changed = false;
  const nodes = { ...lab.layout.nodes };
  for (const [id, p] of Object.entries(positions)) {
    const had = nodes[id];
    if (had !== undefined && had.x === p.x && had.y === p.y) continue;
    nodes[id] = had === undefined ? { x: p.x, y: p.y } : { ...had, x: p.x, y: p.y };
    changed = true;
  }
  return changed ? { ...lab, layout: { ...lab.layout, nodes } } : lab;
}

/** Replaces the value at index `i` of a list (an address, a route...). */
export function replaceAt<T>(list: readonly T[], i: number, value: T): T[] {
  return list.map((item, k) => (k === i ? value : item));
}

export function removeAt<T>(list: readonly T[], i: number): T[] {
  return list.filter((_, k) => k !== i);
}

/** Sets or clears an optional property without writing `undefined` into the lab. */
export function withOptional<T extends object, K extends keyof T>(
  object: T,
  key: K,
  value: T[K] | undefined,
): T {
  const next = { ...object };
  if (value === undefined) delete next[key];
  else next[key] = value;
  return next;
}

/** The next free address on the LAN, for a new LAN host (without prefix, as hosts are written). */
export function proposeLanHostAddress(lab: Lab, lan: ExternalNode): string {
  const subnet = parseCidr(lan.subnet);
  if (subnet === null) return '';
  const next = nextFreeAddress(subnet, addressesInUse(lab));
  return next === null ? '' : (next.split('/')[0] ?? '');
}
