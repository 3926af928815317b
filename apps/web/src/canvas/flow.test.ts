import { exampleLab, type LabIssue } from '@netns-lab/model';
import type { NodeChange } from '@xyflow/react';
import { describe, expect, it } from 'vitest';
import type { FlowContext, LabFlowNode } from './flow';
import {
  labToFlowEdges,
  labToFlowNodes,
  localChanges,
  mergeFlowNodes,
  reuseFlowEdges,
  settledPositions,
} from './flow';

const context = (patch: Partial<FlowContext> = {}): FlowContext => ({
  statuses: { nodes: new Map(), links: new Map() },
  issues: { byNode: new Map(), byLink: new Map() },
  failure: null,
  path: null,
  selection: { nodes: [], links: [] },
  ...patch,
});

describe('the lab maps to React Flow nodes and edges', () => {
  const lab = exampleLab('seed-bridge');

  it('makes one node per lab node, typed by kind, at its layout position', () => {
    const nodes = labToFlowNodes(lab, context());
    expect(nodes.map((n) => [n.id, n.type, n.position])).toEqual([
      ['host', 'host', { x: 300, y: 20 }],
      ['red', 'namespace', { x: 80, y: 380 }],
      ['blue', 'namespace', { x: 520, y: 380 }],
      ['v-net-0', 'bridge', { x: 300, y: 200 }],
    ]);
    expect(nodes.map((n) => n.ariaLabel)).toEqual([
      'Host',
      'Namespace red',
      'Namespace blue',
      'Bridge v-net-0',
    ]);
  });

  it('keeps the host from being deleted', () => {
    const nodes = labToFlowNodes(lab, context());
    expect(nodes.find((n) => n.id === 'host')?.deletable).toBe(false);
    expect(nodes.find((n) => n.id === 'red')?.deletable).toBe(true);
  });

  it("lists each node's interfaces with their addresses and the node at the other end", () => {
    const red = labToFlowNodes(lab, context()).find((n) => n.id === 'red');
    expect(red?.data.ports).toEqual([
      {
        linkId: 'red-br',
        ifname: 'veth-red',
        addresses: ['192.168.15.1/24'],
        up: true,
        peer: 'v-net-0',
      },
    ]);
    const bridge = labToFlowNodes(lab, context()).find((n) => n.id === 'v-net-0');
    expect(bridge?.data.ports.map((p) => [p.ifname, p.peer])).toEqual([
      ['veth-red-br', 'red'],
      ['veth-blue-br', 'blue'],
    ]);
  });

  it('makes one edge per veth, from end a to end b', () => {
    const edges = labToFlowEdges(lab, context());
    expect(edges.map((e) => [e.id, e.source, e.target, e.type])).toEqual([
      ['red-br', 'red', 'v-net-0', 'veth'],
      ['blue-br', 'blue', 'v-net-0', 'veth'],
    ]);
    expect(edges[0]?.ariaLabel).toBe('Cable veth-red to veth-red-br');
  });

  it('numbers parallel cables between the same two nodes so they can be drawn apart', () => {
    const double = {
      ...lab,
      links: [
        ...lab.links,
        {
          id: 'red-br-2',
          kind: 'veth' as const,
          a: { node: 'v-net-0', ifname: 'veth-red-1-br', addresses: [], up: true },
          b: { node: 'red', ifname: 'veth-red-1', addresses: [], up: true },
        },
      ],
    };
    const edges = labToFlowEdges(double, context());
    expect(edges.map((e) => e.data?.parallel)).toEqual([
      { index: 0, count: 2 },
      { index: 0, count: 1 },
      { index: 1, count: 2 },
    ]);
  });

  it('leaves out a cable whose node does not exist', () => {
    const broken = {
      ...lab,
      links: [{ ...lab.links[0]!, b: { ...lab.links[0]!.b, node: 'nowhere' } }],
    };
    expect(labToFlowEdges(broken, context())).toEqual([]);
  });

  it('carries status, issues, failure, selection and the ping path to the components', () => {
    const issue: LabIssue = {
      severity: 'error',
      code: 'name-too-long',
      path: 'links[0].a.ifname',
      message: 'too long',
      linkId: 'red-br',
    };
    const ctx = context({
      statuses: { nodes: new Map([['red', 'changed']]), links: new Map([['red-br', 'error']]) },
      issues: { byNode: new Map([['red', [issue]]]), byLink: new Map([['red-br', [issue]]]) },
      failure: { linkId: 'blue-br', message: 'RTNETLINK answers: File exists' },
      path: { nodes: ['red', 'v-net-0'], links: ['red-br'] },
      selection: { nodes: ['blue'], links: ['red-br'] },
    });
    const nodes = labToFlowNodes(lab, ctx);
    const red = nodes.find((n) => n.id === 'red');
    expect(red?.data).toMatchObject({ status: 'changed', issues: [issue], onPath: true });
    expect(nodes.find((n) => n.id === 'blue')?.selected).toBe(true);
    const edges = labToFlowEdges(lab, ctx);
    expect(edges[0]).toMatchObject({ selected: true, data: { status: 'error', onPath: true } });
    expect(edges[1]?.data?.failure).toBe('RTNETLINK answers: File exists');
  });
});

describe('flow changes map back to the lab', () => {
  const lab = exampleLab('seed-bridge');

  it('keeps measured sizes and the position of a node being dragged', () => {
    const fresh = labToFlowNodes(lab, context());
    const prev: LabFlowNode[] = fresh.map((n) =>
      n.id === 'red'
        ? { ...n, measured: { width: 200, height: 90 }, position: { x: 5, y: 6 }, dragging: true }
        : { ...n, measured: { width: 180, height: 70 } },
    );
    const merged = mergeFlowNodes(fresh, prev);
    expect(merged.find((n) => n.id === 'red')).toMatchObject({
      position: { x: 5, y: 6 },
      measured: { width: 200, height: 90 },
      dragging: true,
    });
    expect(merged.find((n) => n.id === 'blue')).toMatchObject({
      position: { x: 520, y: 380 },
      measured: { width: 180, height: 70 },
    });
  });

  it('keeps the same node object when nothing it shows changed, so React Flow skips it', () => {
    const first = mergeFlowNodes(labToFlowNodes(lab, context()), []);
    const measured = first.map((n) => ({ ...n, measured: { width: 180, height: 70 } }));
    // A new context (another namespace's state came in) that changes only red's status.
    const statuses = { nodes: new Map([['red', 'applied' as const]]), links: new Map() };
    const next = mergeFlowNodes(labToFlowNodes(lab, context({ statuses })), measured);
    for (const node of next)
      if (node.id === 'red') {
        expect(node).not.toBe(measured.find((n) => n.id === 'red'));
        expect(node.data.status).toBe('applied');
        expect(node.measured).toEqual({ width: 180, height: 70 });
      } else expect(node).toBe(measured.find((n) => n.id === node.id));
  });

  it('keeps the cables whose look did not change, and the whole list when none did', () => {
    const first = labToFlowEdges(lab, context());
    expect(reuseFlowEdges(labToFlowEdges(lab, context()), first)).toBe(first);
    const statuses = { nodes: new Map(), links: new Map([['red-br', 'applied' as const]]) };
    const next = reuseFlowEdges(labToFlowEdges(lab, context({ statuses })), first);
    expect(next).not.toBe(first);
    expect(next.find((e) => e.id === 'red-br')?.data?.status).toBe('applied');
    expect(next.find((e) => e.id === 'blue-br')).toBe(first.find((e) => e.id === 'blue-br'));
  });

  it('commits positions only once a drag has ended', () => {
    const during: NodeChange[] = [
      { type: 'position', id: 'red', position: { x: 10, y: 10 }, dragging: true },
      { type: 'position', id: 'red', position: { x: 20, y: 20 }, dragging: true },
    ];
    expect(settledPositions(during)).toBeNull();
    const end: NodeChange[] = [
      { type: 'position', id: 'red', position: { x: 30.4, y: 40.6 }, dragging: false },
    ];
    expect(settledPositions(end)).toEqual({ red: { x: 30, y: 41 } });
  });

  it('lets React Flow apply selection and size changes but not removals', () => {
    const changes: NodeChange[] = [
      { type: 'select', id: 'red', selected: true },
      { type: 'remove', id: 'blue' },
      { type: 'dimensions', id: 'red', dimensions: { width: 1, height: 2 } },
    ];
    expect(localChanges(changes).map((c) => c.type)).toEqual(['select', 'dimensions']);
  });
});
