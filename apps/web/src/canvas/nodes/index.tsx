/** The node components, one per kind of lab node. */
import type { NodeProps, NodeTypes } from '@xyflow/react';
import type { LabFlowNode } from '../flow';
import { NodeCard, PortList } from './NodeCard';

/** The seed's namespaces are named after colours: show them in their colour. */
const COLOURS: Record<string, string> = {
  red: '#dc2626',
  blue: '#2563eb',
  green: '#16a34a',
  yellow: '#ca8a04',
  purple: '#9333ea',
  orange: '#ea580c',
  pink: '#db2777',
  cyan: '#0891b2',
  brown: '#92400e',
  grey: '#6b7280',
  gray: '#6b7280',
  white: '#cbd5e1',
  black: '#111827',
};
const FALLBACK = ['#0d9488', '#7c3aed', '#be123c', '#4d7c0f', '#0369a1', '#a16207'];

export function namespaceColour(name: string): string {
  const known = COLOURS[name.toLowerCase()];
  if (known) return known;
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  return FALLBACK[hash % FALLBACK.length] ?? '#0d9488';
}

function Chips({ chips }: { chips: (string | false)[] }) {
  const shown = chips.filter((c): c is string => Boolean(c));
  if (shown.length === 0) return null;
  return (
    <div className="chips">
      {shown.map((c) => (
        <span key={c} className="chip">
          {c}
        </span>
      ))}
    </div>
  );
}

function HostNode({ data, selected }: NodeProps<LabFlowNode>) {
  const node = data.node;
  if (node.kind !== 'host') return null;
  return (
    <NodeCard data={data} selected={selected}>
      <p className="lab-node-sub">the machine&apos;s own namespace</p>
      <PortList data={data} empty="no cables" />
      <Chips
        chips={[
          node.ipForward && 'ip_forward on',
          node.nat.length > 0 && `MASQUERADE ×${node.nat.length}`,
          node.routes.length > 0 &&
            `${node.routes.length} route${node.routes.length > 1 ? 's' : ''}`,
        ]}
      />
    </NodeCard>
  );
}

function NamespaceNode({ data, selected }: NodeProps<LabFlowNode>) {
  const node = data.node;
  if (node.kind !== 'namespace') return null;
  return (
    <NodeCard data={data} selected={selected} accent={namespaceColour(node.name)}>
      <PortList data={data} empty="no cables yet" />
      <Chips
        chips={[
          node.routes.length > 0 &&
            `${node.routes.length} route${node.routes.length > 1 ? 's' : ''}`,
          node.ipForward && 'forwarding',
          node.nat.length > 0 && 'NAT',
          node.loopback && 'lo up',
        ]}
      />
    </NodeCard>
  );
}

function BridgeNode({ data, selected }: NodeProps<LabFlowNode>) {
  const node = data.node;
  if (node.kind !== 'bridge') return null;
  return (
    <NodeCard data={data} selected={selected}>
      {node.addresses.length > 0 ? (
        <p className="lab-node-addr">{node.addresses.join(', ')}</p>
      ) : null}
      <p className="lab-node-sub">
        {data.ports.length} port{data.ports.length === 1 ? '' : 's'}
        {node.namespace !== undefined ? ` · in ${node.namespace}` : ''}
        {node.up ? '' : ' · down'}
      </p>
    </NodeCard>
  );
}

function ExternalNode({ data, selected }: NodeProps<LabFlowNode>) {
  const node = data.node;
  if (node.kind !== 'external') return null;
  return (
    <NodeCard data={data} selected={selected}>
      <p className="lab-node-addr">{node.subnet || 'no subnet'}</p>
      <ul className="port-list lan-hosts">
        {node.hosts.map((host, i) => (
          <li key={i}>
            <span className="port-name">{host.name}</span>
            <span className="port-addr">{host.address}</span>
          </li>
        ))}
      </ul>
      <p className="lab-node-sub">
        {data.ports.length} cable{data.ports.length === 1 ? '' : 's'} in
      </p>
    </NodeCard>
  );
}

export const nodeTypes: NodeTypes = {
  host: HostNode,
  namespace: NamespaceNode,
  bridge: BridgeNode,
  external: ExternalNode,
};
