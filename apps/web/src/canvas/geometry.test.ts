import { describe, expect, it } from 'vitest';
import { BADGE_ABOVE, cableEnds, LABEL_OVERLAP, labelSpot, overlaps, type Box } from './geometry';

const label = { width: 180, height: 34 };
const clearOf = (p: { x: number; y: number }, ...boxes: Box[]): boolean =>
  boxes.every(
    (box) =>
      !overlaps(
        { x: p.x - label.width / 2, y: p.y - label.height / 2, ...label },
        { ...box, y: box.y - BADGE_ABOVE, height: box.height + BADGE_ABOVE },
        -LABEL_OVERLAP,
        0,
      ),
  );

describe('labelSpot', () => {
  it('puts the label in the middle of a cable long enough for it', () => {
    const a: Box = { x: 0, y: 0, width: 170, height: 70 };
    const b: Box = { x: 0, y: 400, width: 170, height: 70 };
    const { from, to } = cableEnds(a, b);
    expect(labelSpot(from, to, a, b, label)).toEqual({ x: 85, y: 235 });
  });

  it('lifts the label of a short cable between two tall nodes side by side above both', () => {
    // The router lab as it was: a bridge and the router 90 px apart, the label 180 px wide.
    const bridge: Box = { x: 120, y: 220, width: 170, height: 72 };
    const router: Box = { x: 380, y: 220, width: 200, height: 155 };
    const { from, to } = cableEnds(bridge, router);
    const spot = labelSpot(from, to, bridge, router, label);
    expect(clearOf(spot, bridge, router)).toBe(true);
    // Above the cable, not below it, and near it.
    expect(spot.y).toBeLessThan(Math.min(from.y, to.y));
    expect(spot.y).toBeGreaterThan(220 - 120);
  });

  it('moves the label of a short vertical cable to the left of it', () => {
    const a: Box = { x: 0, y: 0, width: 100, height: 60 };
    const b: Box = { x: 0, y: 70, width: 100, height: 60 };
    const { from, to } = cableEnds(a, b);
    const spot = labelSpot(from, to, a, b, label);
    expect(clearOf(spot, a, b)).toBe(true);
    expect(spot.x).toBeLessThan(50);
  });
});
