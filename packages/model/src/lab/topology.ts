/**
 * Where things live in the kernel: which namespace holds each link end, bridge and LAN host.
 * Validation, compilation and the web app all answer these questions the same way, here.
 */
import {
  EXTERNAL_BRIDGE,
  HOST_NS,
  type BridgeNode,
  type ExternalHost,
  type ExternalNode,
  type Lab,
  type LabNode,
  type LinkEnd,
} from './schema';

export interface Placement {
  /** Namespace name ("host" for the lab's root namespace). */
  ns: string;
  /** The bridge this interface is a port of, when the end attaches to a bridge or a LAN. */
  master?: string;
}

export type NodeIndex = ReadonlyMap<string, LabNode>;

export function indexNodes(lab: Pick<Lab, 'nodes'>): Map<string, LabNode> {
  const index = new Map<string, LabNode>();
  for (const node of lab.nodes) if (!index.has(node.id)) index.set(node.id, node);
  return index;
}

/** The namespace a bridge lives in: its namespace node's name, or the host. */
export function bridgeNamespace(bridge: BridgeNode, nodes: NodeIndex): string | null {
  if (bridge.namespace === undefined) return HOST_NS;
  const holder = nodes.get(bridge.namespace);
  if (holder === undefined) return null;
  if (holder.kind === 'namespace') return holder.name;
  if (holder.kind === 'host') return HOST_NS;
  return null;
}

/** Where a link end's interface lives, or null when its node does not exist. */
export function placeEnd(end: LinkEnd, nodes: NodeIndex): Placement | null {
  const node = nodes.get(end.node);
  if (node === undefined) return null;
  switch (node.kind) {
    case 'host':
      return { ns: HOST_NS };
    case 'namespace':
      return { ns: node.name };
    case 'bridge': {
      const ns = bridgeNamespace(node, nodes);
      return ns === null ? null : { ns, master: node.name };
    }
    case 'external':
      return { ns: node.name, master: EXTERNAL_BRIDGE };
  }
}

/** The names a LAN host gets in the kernel: its namespace, its interface, and its switch port. */
export function externalHostNames(host: ExternalHost): {
  ns: string;
  ifname: string;
  port: string;
} {
  return { ns: host.name, ifname: `${host.name}-eth0`, port: `${host.name}-p` };
}

/** Every namespace name a node creates (a LAN creates its own and one per host). */
export function namespacesOf(node: LabNode): string[] {
  switch (node.kind) {
    case 'namespace':
      return [node.name];
    case 'external':
      return [node.name, ...node.hosts.map((h) => externalHostNames(h).ns)];
    default:
      return [];
  }
}

export function isExternal(node: LabNode | undefined): node is ExternalNode {
  return node?.kind === 'external';
}
