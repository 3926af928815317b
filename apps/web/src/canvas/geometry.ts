/** Where a cable meets a node's border: the canvas draws cables centre to centre. */

export type Point = { x: number; y: number };
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export function centre(box: Box): Point {
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** The point where a ray from `from` (inside the box) towards `to` leaves the box. */
export function exitPoint(box: Box, from: Point, to: Point): Point {
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  if (dx === 0 && dy === 0) return from;
  const ts: number[] = [];
  if (dx > 0) ts.push((box.x + box.width - from.x) / dx);
  if (dx < 0) ts.push((box.x - from.x) / dx);
  if (dy > 0) ts.push((box.y + box.height - from.y) / dy);
  if (dy < 0) ts.push((box.y - from.y) / dy);
  const t = Math.max(0, Math.min(...ts));
  return { x: from.x + dx * t, y: from.y + dy * t };
}

/**
 * The two ends of a cable between boxes `a` and `b`, shifted sideways by `offset` (parallel
 * cables between the same nodes are drawn apart).
 */
export function cableEnds(a: Box, b: Box, offset = 0): { from: Point; to: Point } {
  const ca = centre(a);
  const cb = centre(b);
  const dx = cb.x - ca.x;
  const dy = cb.y - ca.y;
  const length = Math.hypot(dx, dy) || 1;
  // Perpendicular shift, kept inside both boxes.
  const limit = Math.min(a.width, a.height, b.width, b.height) / 2 - 4;
  const shift = Math.max(-limit, Math.min(limit, offset));
  const nx = (-dy / length) * shift;
  const ny = (dx / length) * shift;
  const sa = { x: ca.x + nx, y: ca.y + ny };
  const sb = { x: cb.x + nx, y: cb.y + ny };
  return { from: exitPoint(a, sa, sb), to: exitPoint(b, sb, sa) };
}

/** A point `distance` along the segment from `p` to `q` (clamped to its middle). */
export function along(p: Point, q: Point, distance: number): Point {
  const length = Math.hypot(q.x - p.x, q.y - p.y) || 1;
  const t = Math.min(0.5, distance / length);
  return { x: p.x + (q.x - p.x) * t, y: p.y + (q.y - p.y) * t };
}
