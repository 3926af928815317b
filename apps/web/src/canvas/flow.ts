/**
 * The mapping between the lab and React Flow: lab nodes become flow nodes (with what their
 * component shows), veth links become edges; and back, flow changes become lab edits (positions
 * at the end of a drag, never during one). Pure: no React, no store.
 */
import type { Edge, EdgeChange, Node, NodeChange } from '@xyflow/react';
import type { LabIssue, LabNode, Lab, Link, NodeKind } from '@netns-lab/model';
import type { IssueIndex } from '../lab/derived';
import type { Point } from '../lab/edit';
import type { CanvasPath } from '../lab/path';
import type { ElementStatus, Statuses } from '../lab/status';

/** One interface of a node, as its card lists it. */
export type PortView = {
  linkId: string;
  ifname: string;
  addresses: string[];
  up: boolean;
  /** The node at the other end. */
  peer: string;
};

export type LabNodeData = {
  node: LabNode;
  ports: PortView[];
  status: ElementStatus;
  issues: LabIssue[];
  /** The kernel's message when the last apply failed here. */
  failure: string | null;
  onPath: boolean;
};

export type LabFlowNode = Node<LabNodeData, NodeKind>;

export type VethEdgeData = {
  link: Link;
  status: ElementStatus;
  issues: LabIssue[];
  failure: string | null;
  onPath: boolean;
  /** Which of the parallel cables between the same two nodes this is, and how many there are. */
  parallel: { index: number; count: number };
};

export type VethFlowEdge = Edge<VethEdgeData, 'veth'>;

export interface FlowContext {
  statuses: Statuses;
  issues: IssueIndex;
  failure: { nodeId?: string; linkId?: string; message: string } | null;
  path: CanvasPath | null;
  selection: { nodes: readonly string[]; links: readonly string[] };
}

/** The name shown for a node: its kernel name, or "host". */
export function displayName(node: LabNode): string {
  return node.kind === 'host' ? 'host' : node.name;
}

export const KIND_LABEL: Record<NodeKind, string> = {
  host: 'Host',
  namespace: 'Namespace',
  bridge: 'Bridge',
  external: 'External network',
};

/** The accessible name of a node on the canvas, e.g. "Namespace red". */
export function nodeAriaLabel(node: LabNode): string {
  return node.kind === 'host' ? 'Host' : `${KIND_LABEL[node.kind]} ${node.name}`;
}

export function linkAriaLabel(link: Link): string {
  return `Cable ${link.a.ifname} to ${link.b.ifname}`;
}

// Shared empty lists: a node without ports or issues has the same data from one render to the
// next (see mergeFlowNodes).
const NO_PORTS: PortView[] = [];
const NO_ISSUES: LabIssue[] = [];

/** Each node's ports (its cable ends), in link order: one pass over the links for all nodes. */
function portsByNode(lab: Lab, names: Map<string, string>): Map<string, PortView[]> {
  const ports = new Map<string, PortView[]>();
  for (const link of lab.links) {
    for (const [side, other] of [
      ['a', 'b'],
      ['b', 'a'],
    ] as const) {
      const end = link[side];
      let list = ports.get(end.node);
      if (list === undefined) ports.set(end.node, (list = []));
      list.push({
        linkId: link.id,
        ifname: end.ifname,
        addresses: end.addresses,
        up: end.up,
        peer: names.get(link[other].node) ?? link[other].node,
      });
    }
  }
  return ports;
}

export function labToFlowNodes(lab: Lab, ctx: FlowContext): LabFlowNode[] {
  const names = new Map(lab.nodes.map((n) => [n.id, displayName(n)]));
  const ports = portsByNode(lab, names);
  const selected = new Set(ctx.selection.nodes);
  const onPath = new Set(ctx.path?.nodes ?? []);
  return lab.nodes.map((node) => {
    const position = lab.layout.nodes[node.id] ?? { x: 0, y: 0 };
    const flowNode: LabFlowNode = {
      id: node.id,
      type: node.kind,
      position: { x: position.x, y: position.y },
      data: {
        node,
        ports: ports.get(node.id) ?? NO_PORTS,
        status: ctx.statuses.nodes.get(node.id) ?? 'not-applied',
        issues: ctx.issues.byNode.get(node.id) ?? NO_ISSUES,
        failure: ctx.failure?.nodeId === node.id ? ctx.failure.message : null,
        onPath: onPath.has(node.id),
      },
      selected: selected.has(node.id),
      deletable: node.kind !== 'host',
      ariaLabel: nodeAriaLabel(node),
    };
    return flowNode;
  });
}

export function labToFlowEdges(lab: Lab, ctx: FlowContext): VethFlowEdge[] {
  const ids = new Set(lab.nodes.map((n) => n.id));
  const selected = new Set(ctx.selection.links);
  const onPath = new Set(ctx.path?.links ?? []);
  const pairKey = (l: Link): string => [l.a.node, l.b.node].sort().join('\u0000');
  const pairs = new Map<string, number>();
  for (const link of lab.links) pairs.set(pairKey(link), (pairs.get(pairKey(link)) ?? 0) + 1);
  const seen = new Map<string, number>();
  const edges: VethFlowEdge[] = [];
  for (const link of lab.links) {
    // A cable to a node that does not exist cannot be drawn; validation says what is wrong.
    if (!ids.has(link.a.node) || !ids.has(link.b.node)) continue;
    const key = pairKey(link);
    const index = seen.get(key) ?? 0;
    seen.set(key, index + 1);
    edges.push({
      id: link.id,
      type: 'veth',
      source: link.a.node,
      target: link.b.node,
      selected: selected.has(link.id),
      ariaLabel: linkAriaLabel(link),
      data: {
        link,
        status: ctx.statuses.links.get(link.id) ?? 'not-applied',
        issues: ctx.issues.byLink.get(link.id) ?? NO_ISSUES,
        failure: ctx.failure?.linkId === link.id ? ctx.failure.message : null,
        onPath: onPath.has(link.id),
        parallel: { index, count: pairs.get(key) ?? 1 },
      },
    });
  }
  return edges;
}

/**
 * Fresh flow edges from the lab, as the previous objects where nothing they show changed: React
 * Flow draws a cable again only when its own object is new (1000 cables, one of them changed).
 */
export function reuseFlowEdges(
  next: VethFlowEdge[],
  prev: readonly VethFlowEdge[],
): VethFlowEdge[] {
  if (prev.length === 0) return next;
  const before = new Map(prev.map((e) => [e.id, e]));
  let reused = 0;
  const out = next.map((edge) => {
    const old = before.get(edge.id);
    if (old === undefined || !sameFlowEdge(old, edge)) return edge;
    reused += 1;
    return old;
  });
  // Everything as it was: the previous array itself, so React Flow has nothing to look at.
  return reused === prev.length && out.length === prev.length ? (prev as VethFlowEdge[]) : out;
}

function sameFlowEdge(a: VethFlowEdge, b: VethFlowEdge): boolean {
  const x = a.data!;
  const y = b.data!;
  return (
    a.source === b.source &&
    a.target === b.target &&
    a.selected === b.selected &&
    a.ariaLabel === b.ariaLabel &&
    x.link === y.link &&
    x.status === y.status &&
    x.issues === y.issues &&
    x.failure === y.failure &&
    x.onPath === y.onPath &&
    x.parallel.index === y.parallel.index &&
    x.parallel.count === y.parallel.count
  );
}

/**
 * Fresh flow nodes from the lab, keeping what React Flow learnt about the previous ones (their
 * measured size) and, for a node being dragged, its position under the pointer.
 */
export function mergeFlowNodes(next: LabFlowNode[], prev: readonly LabFlowNode[]): LabFlowNode[] {
  const before = new Map(prev.map((n) => [n.id, n]));
  return next.map((node) => {
    const old = before.get(node.id);
    if (old === undefined) return node;
    // Nothing shown changed: the same object, so that React Flow renders the node again only
    // when it must (a state streaming in for one of 1000 namespaces re-renders one node).
    if (!old.dragging && sameFlowNode(old, node)) return old;
    const merged: LabFlowNode = { ...node };
    if (old.measured !== undefined) merged.measured = old.measured;
    if (old.dragging) {
      merged.position = old.position;
      merged.dragging = true;
    }
    return merged;
  });
}

function samePorts(a: readonly PortView[], b: readonly PortView[]): boolean {
  return (
    a === b ||
    (a.length === b.length &&
      a.every((p, i) => {
        const q = b[i]!;
        return (
          p.linkId === q.linkId &&
          p.ifname === q.ifname &&
          p.addresses === q.addresses &&
          p.up === q.up &&
          p.peer === q.peer
        );
      }))
  );
}

/** Whether two flow nodes of one lab node show the same (what labToFlowNodes sets). */
function sameFlowNode(a: LabFlowNode, b: LabFlowNode): boolean {
  return (
    a.type === b.type &&
    a.position.x === b.position.x &&
    a.position.y === b.position.y &&
    a.selected === b.selected &&
    a.deletable === b.deletable &&
    a.ariaLabel === b.ariaLabel &&
    a.data.node === b.data.node &&
    a.data.status === b.data.status &&
    a.data.issues === b.data.issues &&
    a.data.failure === b.data.failure &&
    a.data.onPath === b.data.onPath &&
    samePorts(a.data.ports, b.data.ports)
  );
}

/**
 * Positions to commit to the lab from a batch of node changes: only settled ones (a drag's end,
 * or a move by keyboard), never the ones while a drag goes on.
 */
export function settledPositions(changes: readonly NodeChange[]): Record<string, Point> | null {
  let out: Record<string, Point> | null = null;
  for (const change of changes) {
    if (change.type !== 'position' || change.dragging !== false || !change.position) continue;
    out ??= {};
    out[change.id] = { x: Math.round(change.position.x), y: Math.round(change.position.y) };
  }
  return out;
}

/** Node changes React Flow may apply to its own copy (removals go through the lab instead). */
export function localChanges(changes: readonly NodeChange[]): NodeChange<LabFlowNode>[] {
  return changes.filter(
    (c) => c.type !== 'remove' && c.type !== 'add' && c.type !== 'replace',
  ) as NodeChange<LabFlowNode>[];
}

/**
 * The selected ids after React Flow's select changes; the same array when nothing changed (so
 * the store is not touched).
 */
export function applySelectChanges(
  ids: readonly string[],
  changes: readonly (NodeChange | EdgeChange)[],
): string[] {
  let next: string[] | null = null;
  for (const change of changes) {
    if (change.type !== 'select') continue;
    const current: string[] = next ?? [...ids];
    const has = current.includes(change.id);
    if (change.selected && !has) next = [...current, change.id];
    else if (!change.selected && has) next = current.filter((id) => id !== change.id);
  }
  return next ?? (ids as string[]);
}
