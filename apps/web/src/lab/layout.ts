/**
 * An automatic layout for labs without positions (imported files, hand-written JSON): the host
 * and LANs on top, bridges (and routers between them) in the middle, namespaces below, each
 * row ordered to keep cables short.
 */
import { indexNodes, type Lab, type LabNode, type NodeLayout } from '@netns-lab/model';

export const GRID = { x: 250, y: 190 } as const;
/** How much room a node takes on the canvas, for overlap checks. */
const NODE_BOX = { width: 220, height: 100 } as const;

type Point = { x: number; y: number };

function neighbours(lab: Pick<Lab, 'links'>, id: string): string[] {
  const out: string[] = [];
  for (const link of lab.links) {
    if (link.a.node === id) out.push(link.b.node);
    else if (link.b.node === id) out.push(link.a.node);
  }
  return out;
}

function rowOf(lab: Pick<Lab, 'nodes' | 'links'>, node: LabNode): number {
  switch (node.kind) {
    case 'host':
    case 'external':
      return 0;
    case 'bridge':
      return 1;
    case 'namespace': {
      const nodes = indexNodes(lab);
      const around = neighbours(lab, node.id).map((id) => nodes.get(id)?.kind);
      const switches = around.filter((k) => k === 'bridge' || k === 'external').length;
      // A namespace that joins two switches and nothing else is a router: between them.
      return switches >= 2 && switches === around.length ? 1 : 2;
    }
  }
}

/** Positions for every node, ignoring the ones the lab has. */
export function layoutAll(lab: Pick<Lab, 'nodes' | 'links'>): Record<string, Point> {
  const rows: string[][] = [[], [], []];
  for (const node of lab.nodes) rows[rowOf(lab, node)]?.push(node.id);
  // Barycentre ordering, a few sweeps down and up.
  const order = new Map<string, number>();
  const place = (row: string[]): void => row.forEach((id, i) => order.set(id, i));
  rows.forEach(place);
  const sweep = (row: string[]): void => {
    const score = new Map<string, number>();
    row.forEach((id, i) => {
      const ns = neighbours(lab, id).filter((n) => order.has(n) && !row.includes(n));
      const avg = ns.length ? ns.reduce((s, n) => s + (order.get(n) ?? 0), 0) / ns.length : i;
      score.set(id, avg);
    });
    row.sort((p, q) => (score.get(p) ?? 0) - (score.get(q) ?? 0));
    place(row);
  };
  for (let pass = 0; pass < 3; pass++) {
    for (const row of [rows[1], rows[2], rows[0]]) if (row) sweep(row);
  }
  const widest = Math.max(...rows.map((r) => r.length), 1);
  const out: Record<string, Point> = {};
  rows.forEach((row, r) => {
    const offset = ((widest - row.length) * GRID.x) / 2;
    row.forEach((id, i) => {
      out[id] = { x: Math.round(offset + i * GRID.x), y: r * GRID.y };
    });
  });
  return out;
}

function overlapsAny(p: Point, taken: Point[]): boolean {
  return taken.some(
    (q) => Math.abs(p.x - q.x) < NODE_BOX.width && Math.abs(p.y - q.y) < NODE_BOX.height,
  );
}

/** A free spot near `p`: `p` itself if free, else the closest free one on widening rings. */
export function freeSpotNear(p: Point, taken: Point[]): Point {
  if (!overlapsAny(p, taken)) return p;
  const step = 30;
  for (let ring = 1; ring <= 40; ring++) {
    const r = ring * step;
    // Nodes are wider than tall: look below and above first.
    const candidates: Point[] = [
      { x: p.x, y: p.y + r },
      { x: p.x, y: p.y - r },
      { x: p.x + r, y: p.y },
      { x: p.x - r, y: p.y },
      { x: p.x + r, y: p.y + r },
      { x: p.x - r, y: p.y + r },
      { x: p.x + r, y: p.y - r },
      { x: p.x - r, y: p.y - r },
    ];
    const free = candidates.find((c) => !overlapsAny(c, taken));
    if (free) return free;
  }
  return { x: p.x, y: p.y + 41 * step };
}

/**
 * The lab with a position for every node: the ones it has are kept; missing ones come from the
 * automatic layout (all of them when none has a position), moved off any placed node.
 */
export function withLayout(lab: Lab, options: { all?: boolean } = {}): Lab {
  const existing = lab.layout.nodes;
  const missing = lab.nodes.filter((n) => options.all || existing[n.id] === undefined);
  if (missing.length === 0) return lab;
  const auto = layoutAll(lab);
  const nodes: Record<string, NodeLayout> = {};
  const placed: Point[] = [];
  const everything = options.all || missing.length === lab.nodes.length;
  for (const node of lab.nodes) {
    const had = existing[node.id];
    if (had !== undefined && !options.all) {
      nodes[node.id] = had;
      placed.push(had);
    }
  }
  for (const node of missing) {
    const target = auto[node.id] ?? { x: 0, y: 0 };
    const spot = everything ? target : freeSpotNear(target, placed);
    placed.push(spot);
    const had = existing[node.id];
    nodes[node.id] = had === undefined ? spot : { ...had, x: spot.x, y: spot.y };
  }
  return { ...lab, layout: { ...lab.layout, nodes } };
}
