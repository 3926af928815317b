import { EMPTY_LAB, exampleLab } from '@netns-lab/model';
import type { NodeChange } from '@xyflow/react';
import { describe, expect, it } from 'vitest';
import { settledPositions } from '../canvas/flow';
import { createAppStore } from './store';

describe('undo and redo', () => {
  it('undoes and redoes adding a namespace', () => {
    const store = createAppStore();
    const id = store.getState().addNode('namespace', { x: 0, y: 0 });
    expect(store.getState().lab.nodes.map((n) => n.id)).toEqual(['host', id]);
    store.getState().undo();
    expect(store.getState().lab).toBe(EMPTY_LAB);
    store.getState().redo();
    expect(store.getState().lab.nodes.map((n) => n.id)).toEqual(['host', id]);
  });

  it('records a drag once, at its end, and undo puts the node back where it was', () => {
    const store = createAppStore();
    store.getState().openLab(exampleLab('seed-bridge'));
    const before = store.getState().past.length;
    const drag: NodeChange[][] = [
      [{ type: 'position', id: 'red', position: { x: 90, y: 390 }, dragging: true }],
      [{ type: 'position', id: 'red', position: { x: 120, y: 400 }, dragging: true }],
      [{ type: 'position', id: 'red', position: { x: 140, y: 410 }, dragging: false }],
    ];
    for (const changes of drag) {
      const settled = settledPositions(changes);
      if (settled) store.getState().moveNodes(settled);
    }
    expect(store.getState().past.length).toBe(before + 1);
    expect(store.getState().lab.layout.nodes.red).toEqual({ x: 140, y: 410 });
    store.getState().undo();
    expect(store.getState().lab.layout.nodes.red).toEqual({ x: 80, y: 380 });
    store.getState().redo();
    expect(store.getState().lab.layout.nodes.red).toEqual({ x: 140, y: 410 });
  });

  it('does not record a click that moves nothing', () => {
    const store = createAppStore();
    store.getState().openLab(exampleLab('seed-bridge'));
    const before = store.getState().past.length;
    store.getState().moveNodes({ red: { x: 80, y: 380 } });
    expect(store.getState().past.length).toBe(before);
  });

  it('makes typing into one field one undo step', () => {
    const store = createAppStore();
    store.getState().openLab(exampleLab('seed-veth'));
    const before = store.getState().past.length;
    for (const name of ['r', 'ro', 'ros', 'rose'])
      store.getState().editLab(
        (lab) => ({
          ...lab,
          nodes: lab.nodes.map((n) =>
            n.id === 'red' && n.kind === 'namespace' ? { ...n, name } : n,
          ),
        }),
        { coalesce: 'nodes[1].name' },
      );
    expect(store.getState().past.length).toBe(before + 1);
    store.getState().undo();
    expect(store.getState().lab.nodes[1]).toMatchObject({ name: 'red' });
  });

  it('starts a new step after the field is left', () => {
    const store = createAppStore();
    store.getState().openLab(exampleLab('seed-veth'));
    const before = store.getState().past.length;
    const rename = (name: string) =>
      store.getState().editLab(
        (lab) => ({
          ...lab,
          nodes: lab.nodes.map((n) =>
            n.id === 'red' && n.kind === 'namespace' ? { ...n, name } : n,
          ),
        }),
        { coalesce: 'nodes[1].name' },
      );
    rename('ro');
    store.getState().sealEdit();
    rename('rose');
    expect(store.getState().past.length).toBe(before + 2);
  });

  it('forgets the redo branch after a new edit', () => {
    const store = createAppStore();
    store.getState().addNode('namespace', { x: 0, y: 0 });
    store.getState().undo();
    store.getState().addNode('bridge', { x: 0, y: 0 });
    expect(store.getState().future).toEqual([]);
    store.getState().redo();
    expect(store.getState().lab.nodes.map((n) => n.kind)).toEqual(['host', 'bridge']);
  });

  it('drops the selection of what an undo removes', () => {
    const store = createAppStore();
    const id = store.getState().addNode('namespace', { x: 0, y: 0 });
    expect(store.getState().selection.nodes).toEqual([id]);
    store.getState().undo();
    expect(store.getState().selection.nodes).toEqual([]);
  });

  it('deletes a node with its cables in one step, and never the host', () => {
    const store = createAppStore();
    store.getState().openLab(exampleLab('seed-bridge'));
    store.getState().deleteElements(['v-net-0', 'host'], []);
    const lab = store.getState().lab;
    expect(lab.nodes.map((n) => n.id)).toEqual(['host', 'red', 'blue']);
    expect(lab.links).toEqual([]);
    store.getState().undo();
    expect(store.getState().lab.links.length).toBe(2);
  });
});
