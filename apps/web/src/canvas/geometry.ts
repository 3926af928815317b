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

/**
 * Whether two boxes overlap, counting `margin` around the first (negative: that much of it may
 * reach over the second); `marginY` for the vertical sides, when different.
 */
export function overlaps(a: Box, b: Box, margin = 0, marginY = margin): boolean {
  return (
    a.x - margin < b.x + b.width &&
    b.x < a.x + a.width + margin &&
    a.y - marginY < b.y + b.height &&
    b.y < a.y + a.height + marginY
  );
}

const LABEL_STEP = 16;
const LABEL_REACH = 320;
/** How far a label may reach over a node's left or right border (its padding is blank): px. */
export const LABEL_OVERLAP = 10;
/** A node's state badge sits on its top border, this far above it: px. */
export const BADGE_ABOVE = 12;

/**
 * Where to centre a label of `size` for the cable from `from` to `to` between boxes `a` and
 * `b`: the cable's middle if the label fits there clear of both boxes and their state badges
 * (it may reach over their left and right borders by LABEL_OVERLAP); else beside the cable,
 * above it (or to its left) and then below (or right), further out step by step until clear of
 * both. A short cable between two tall nodes side by side gets its label above them, not
 * under them. Nothing clear within reach: the middle.
 */
export function labelSpot(
  from: Point,
  to: Point,
  a: Box,
  b: Box,
  size: { width: number; height: number },
): Point {
  const middle = { x: (from.x + to.x) / 2, y: (from.y + to.y) / 2 };
  const clear = (p: Point): boolean => {
    const box = { x: p.x - size.width / 2, y: p.y - size.height / 2, ...size };
    return [a, b].every(
      (node) =>
        !overlaps(
          box,
          { ...node, y: node.y - BADGE_ABOVE, height: node.height + BADGE_ABOVE },
          -LABEL_OVERLAP,
          0,
        ),
    );
  };
  if (clear(middle)) return middle;
  const length = Math.hypot(to.x - from.x, to.y - from.y);
  const normal =
    length === 0 ? { x: 0, y: -1 } : { x: -(to.y - from.y) / length, y: (to.x - from.x) / length };
  // The side that goes up (or, for a vertical cable, left) first.
  const first = normal.y < 0 || (normal.y === 0 && normal.x < 0) ? 1 : -1;
  for (let d = LABEL_STEP; d <= LABEL_REACH; d += LABEL_STEP)
    for (const side of [first, -first]) {
      const p = { x: middle.x + normal.x * side * d, y: middle.y + normal.y * side * d };
      if (clear(p)) return p;
    }
  return middle;
}
