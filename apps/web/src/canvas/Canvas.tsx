/**
 * The drawing: React Flow over the lab. The lab in the store is the truth; React Flow keeps a
 * copy of the nodes for what it measures and for positions during a drag, and hands back
 * settled positions, selections, new cables and deletions as lab edits.
 */
import {
  applyNodeChanges,
  Background,
  BackgroundVariant,
  ConnectionMode,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  useStore,
  type Connection,
  type EdgeChange,
  type NodeChange,
  type OnDelete,
} from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { useIssueIndex, useStatuses } from '../hooks';
import type { AddableKind } from '../lab/edit';
import { pingPath } from '../lab/path';
import { appStore, useApp } from '../store/store';
import { EmptyCanvas } from './EmptyCanvas';
import {
  applySelectChanges,
  labToFlowEdges,
  labToFlowNodes,
  localChanges,
  mergeFlowNodes,
  reuseFlowEdges,
  settledPositions,
  type FlowContext,
  type LabFlowNode,
  type VethFlowEdge,
} from './flow';
import { nodeTypes } from './nodes';
import { DRAG_TYPE } from './Palette';
import { edgeTypes } from './VethEdge';

const KINDS: readonly string[] = ['namespace', 'bridge', 'external'];

/**
 * Below this zoom the canvas's text is too small to read (a cable's 10.5 px label under 5 px),
 * and it is what costs the browser most to draw on a big lab: names, ports and cable labels are
 * hidden (their place kept), the boxes, cables and their colours stay.
 */
export const READABLE_ZOOM = 0.45;

const MINIMAP_COLOURS: Record<string, string> = {
  host: '#334155',
  namespace: '#94a3b8',
  bridge: '#0f766e',
  external: '#7c3aed',
};

export function Canvas() {
  const lab = useApp((s) => s.lab);
  const selection = useApp((s) => s.selection);
  const openedAt = useApp((s) => s.openedAt);
  // Only the failure: the steps of an apply (many updates) do not re-render the canvas.
  const failure = useApp((s) => s.applyProgress?.done?.failure);
  const ping = useApp((s) => s.ping);
  const connected = useApp((s) => s.connection.status === 'connected');
  const statuses = useStatuses();
  const issues = useIssueIndex();
  const flow = useReactFlow<LabFlowNode, VethFlowEdge>();
  const zoomedOut = useStore((s) => s.transform[2] < READABLE_ZOOM);

  const path = useMemo(
    () => (ping.ran ? pingPath(lab, ping.ran.ns, ping.ran.target) : null),
    [lab, ping.ran],
  );
  const context = useMemo<FlowContext>(
    () => ({
      statuses,
      issues,
      failure: failure
        ? {
            ...(failure.target.nodeId !== undefined ? { nodeId: failure.target.nodeId } : {}),
            ...(failure.target.linkId !== undefined ? { linkId: failure.target.linkId } : {}),
            message: failure.stderr.trim() || failure.message,
          }
        : null,
      path,
      selection,
    }),
    [statuses, issues, failure, path, selection],
  );
  const derivedNodes = useMemo(() => labToFlowNodes(lab, context), [lab, context]);
  const previousEdges = useRef<VethFlowEdge[]>([]);
  const edges = useMemo(
    () =>
      (previousEdges.current = reuseFlowEdges(labToFlowEdges(lab, context), previousEdges.current)),
    [lab, context],
  );
  const [nodes, setNodes] = useState<LabFlowNode[]>(derivedNodes);
  useEffect(() => {
    setNodes((prev) => mergeFlowNodes(derivedNodes, prev));
  }, [derivedNodes]);

  // A lab just opened (a file, a built-in lab, New): show all of it.
  useEffect(() => {
    if (openedAt === 0) return;
    const timer = setTimeout(
      () => void flow.fitView({ padding: 0.07, duration: 250, maxZoom: 1.1 }),
      60,
    );
    return () => clearTimeout(timer);
  }, [openedAt, flow]);

  // The live-table dock takes room from the canvas when it opens, and gives it back: refit.
  const docked = useApp((s) => s.openTables.length > 0);
  const wasDocked = useRef(docked);
  useEffect(() => {
    if (docked === wasDocked.current) return;
    wasDocked.current = docked;
    const timer = setTimeout(
      () => void flow.fitView({ padding: 0.07, duration: 200, maxZoom: 1.1 }),
      30,
    );
    return () => clearTimeout(timer);
  }, [docked, flow]);

  const onNodesChange = useCallback((changes: NodeChange<LabFlowNode>[]) => {
    setNodes((nds) => applyNodeChanges(localChanges(changes), nds));
    const state = appStore.getState();
    const settled = settledPositions(changes);
    if (settled) state.moveNodes(settled);
    const nodesSelected = applySelectChanges(state.selection.nodes, changes);
    if (nodesSelected !== state.selection.nodes)
      state.setSelection({ nodes: nodesSelected, links: state.selection.links });
  }, []);

  const onEdgesChange = useCallback((changes: EdgeChange<VethFlowEdge>[]) => {
    const state = appStore.getState();
    const links = applySelectChanges(state.selection.links, changes);
    if (links !== state.selection.links)
      state.setSelection({ nodes: state.selection.nodes, links });
  }, []);

  const onConnect = useCallback((connection: Connection) => {
    appStore.getState().connect(connection.source, connection.target);
  }, []);

  const onDelete: OnDelete<LabFlowNode, VethFlowEdge> = useCallback(
    ({ nodes: gone, edges: cut }) => {
      appStore.getState().deleteElements(
        gone.map((n) => n.id),
        cut.map((e) => e.id),
      );
    },
    [],
  );

  const onDragOver = useCallback((event: DragEvent) => {
    if (!event.dataTransfer.types.includes(DRAG_TYPE)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  }, []);

  const onDrop = useCallback(
    (event: DragEvent) => {
      const kind = event.dataTransfer.getData(DRAG_TYPE);
      if (!KINDS.includes(kind)) return;
      event.preventDefault();
      const p = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
      appStore
        .getState()
        .addNode(kind as AddableKind, { x: Math.round(p.x - 100), y: Math.round(p.y - 30) });
    },
    [flow],
  );

  const onNodeClick = useCallback(
    (_: unknown, node: LabFlowNode) => {
      if (connected) appStore.getState().openTable(node.id);
    },
    [connected],
  );

  const blank = lab.nodes.length === 1 && lab.links.length === 0;
  // The ping's path: blue while it runs, green when replies came back, red when none did.
  const pathTone = ping.running
    ? 'running'
    : ping.error !== null || ping.summary?.received === 0
      ? 'failed'
      : 'ok';

  return (
    <div
      className={`canvas-area path-${pathTone}${zoomedOut ? ' zoomed-out' : ''}`}
      onDragOver={onDragOver}
      onDrop={onDrop}
    >
      <ReactFlow<LabFlowNode, VethFlowEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onDelete={onDelete}
        onNodeClick={onNodeClick}
        isValidConnection={(c) => c.source !== c.target}
        connectionMode={ConnectionMode.Loose}
        connectionRadius={36}
        deleteKeyCode={['Delete', 'Backspace']}
        multiSelectionKeyCode={['Shift', 'Meta', 'Control']}
        selectionKeyCode="Shift"
        fitView
        fitViewOptions={{ padding: 0.07, maxZoom: 1.1 }}
        minZoom={0.2}
        maxZoom={2.5}
        proOptions={{ hideAttribution: false }}
        attributionPosition="bottom-left"
        aria-label="Lab canvas"
      >
        <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} color="#cbd5e1" />
        <Controls position="top-left" showInteractive={false} />
        {blank || docked ? null : (
          <MiniMap
            position="bottom-right"
            pannable
            zoomable
            ariaLabel="Minimap"
            style={{ width: 150, height: 100 }}
            nodeColor={(n) => MINIMAP_COLOURS[n.type ?? ''] ?? '#94a3b8'}
            maskColor="rgba(241, 245, 249, 0.7)"
          />
        )}
      </ReactFlow>
      {blank ? <EmptyCanvas /> : null}
      {zoomedOut ? (
        <p className="zoom-hint" role="note">
          Zoomed out: names and addresses are hidden. Zoom in to read them.
        </p>
      ) : null}
    </div>
  );
}
