/**
 * The frame every node on the canvas shares: a plug to draw cables from, a header with the
 * kind, name, state badge and findings, and a body the kind fills in.
 */
import { Handle, Position } from '@xyflow/react';
import type { ReactNode } from 'react';
import { IssueMark } from '../../common/IssueMark';
import { StatusPill } from '../../common/StatusPill';
import { displayName, KIND_LABEL, type LabNodeData } from '../flow';
import { KindIcon } from './KindIcon';

export function NodeCard({
  data,
  selected,
  children,
  accent,
}: {
  data: LabNodeData;
  selected: boolean;
  children: ReactNode;
  /** The namespace's colour stripe (red for red...). */
  accent?: string;
}) {
  const { node } = data;
  const name = displayName(node);
  const classes = [
    'lab-node',
    `kind-${node.kind}`,
    `status-${data.status}`,
    selected ? 'is-selected' : '',
    data.onPath ? 'on-path' : '',
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <div className={classes} style={accent ? { ['--accent' as string]: accent } : undefined}>
      <div className="lab-node-head">
        <KindIcon kind={node.kind} />
        <div className="lab-node-title">
          <span className="lab-node-kind">{KIND_LABEL[node.kind]}</span>
          {node.kind !== 'host' ? <span className="lab-node-name">{name}</span> : null}
        </div>
        <IssueMark issues={data.issues} extra={data.failure} />
        <StatusPill status={data.status} />
      </div>
      <div className="lab-node-body">{children}</div>
      {data.failure ? (
        <p className="lab-node-failure" title={data.failure}>
          Apply failed: {data.failure}
        </p>
      ) : null}
      <Handle
        type="source"
        position={Position.Bottom}
        className="plug"
        aria-label={`Connect ${name}`}
        title={`Drag to another node to connect ${name} with a veth pair`}
      />
    </div>
  );
}

/** The interfaces of a node, one line each: name and addresses. */
export function PortList({ data, empty }: { data: LabNodeData; empty: string }) {
  if (data.ports.length === 0) return <p className="lab-node-empty">{empty}</p>;
  return (
    <ul className="port-list">
      {data.ports.map((port) => (
        <li key={`${port.linkId}/${port.ifname}`} className={port.up ? '' : 'is-down'}>
          <span className="port-name">{port.ifname}</span>
          <span className="port-addr">
            {port.addresses.length ? port.addresses.join(', ') : `to ${port.peer}`}
          </span>
        </li>
      ))}
    </ul>
  );
}
