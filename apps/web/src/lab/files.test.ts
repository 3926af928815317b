import { exampleLab } from '@netns-lab/model';
import { describe, expect, it } from 'vitest';
import { labFileName, labJson, readLabFile } from './files';
import { withLayout } from './layout';

describe('lab files', () => {
  it('reads back exactly the lab it saved', () => {
    const lab = exampleLab('seed-gateway');
    const result = readLabFile(labJson(lab));
    expect(result).toEqual({ ok: true, lab });
    if (result.ok) expect(withLayout(result.lab)).toBe(result.lab);
    expect(labFileName(lab)).toBe('reach-the-lan-through-the-host.json');
  });

  it('refuses a file that is not JSON, with the reason', () => {
    const result = readLabFile('{ nodes: ');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.messages[0]).toMatch(/not JSON/);
  });

  it('refuses a file without the shape of a lab, saying where', () => {
    const result = readLabFile(
      JSON.stringify({ version: 1, nodes: [{ kind: 'router', id: 'r' }] }),
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.messages.join('\n')).toMatch(/nodes/);
  });

  it('opens a lab without positions, and the layout gives every node one', () => {
    const { layout: _layout, ...bare } = exampleLab('router');
    const result = readLabFile(JSON.stringify(bare));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const laid = withLayout(result.lab);
    for (const node of laid.nodes) expect(laid.layout.nodes[node.id]).toBeDefined();
    const spots = new Set(Object.values(laid.layout.nodes).map((p) => `${p.x},${p.y}`));
    expect(spots.size).toBe(laid.nodes.length);
  });
});
