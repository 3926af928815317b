/**
 * A veth pair on the canvas: a straight cable between the two nodes' borders, each end
 * labelled with its interface name and addresses, with its state and findings.
 */
import {
  BaseEdge,
  useInternalNode,
  useStore,
  type EdgeProps,
  type EdgeTypes,
  type InternalNode,
  type ReactFlowState,
} from '@xyflow/react';
import type { Link } from '@netns-lab/model';
import type { ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { IssueMark } from '../common/IssueMark';
import { appStore } from '../store/store';
import type { VethFlowEdge } from './flow';
import { along, cableEnds, labelSpot, type Box } from './geometry';

const PARALLEL_GAP = 26;
const SPLIT_LABELS_AT = 230;

/**
 * The size of a cable's one label for both ends, estimated from its text: one line per end,
 * 10.5 px monospace (6.3 px a character, a little more for the bold names), a 6 px gap between
 * name and addresses, 2+6 px padding.
 */
function pairLabelSize(link: Link): { width: number; height: number } {
  const chars = [link.a, link.b].map((end) => [end.ifname, ...end.addresses].join(' ').length);
  return { width: Math.max(...chars) * 6.5 + 18, height: 2 * 14 + 6 };
}

/** Each flow's label layer, once found (it never changes while the flow is mounted). */
const labelLayers = new WeakMap<Element, Element>();

function labelLayer(state: ReactFlowState): Element | null {
  const dom = state.domNode;
  if (!dom) return null;
  let layer = labelLayers.get(dom);
  if (layer === undefined) {
    const found = dom.querySelector('.react-flow__edgelabel-renderer');
    if (found === null) return null;
    labelLayers.set(dom, (layer = found));
  }
  return layer;
}

/**
 * React Flow's EdgeLabelRenderer, without its cost: that one looks the label layer up with
 * querySelector on every change of the flow's store, once per edge (200 cables: 1.8 s of DOM
 * queries while a lab's states streamed in). This one finds it once per flow.
 */
function EdgeLabels({ children }: { children: ReactNode }) {
  const layer = useStore(labelLayer);
  return layer === null ? null : createPortal(children, layer);
}

function boxOf(node: InternalNode): Box {
  return {
    x: node.internals.positionAbsolute.x,
    y: node.internals.positionAbsolute.y,
    width: node.measured.width ?? 0,
    height: node.measured.height ?? 0,
  };
}

function EndLabel({
  x,
  y,
  ifname,
  addresses,
  up,
  onSelect,
}: {
  x: number;
  y: number;
  ifname: string;
  addresses: string[];
  up: boolean;
  onSelect: () => void;
}) {
  return (
    <div
      className={`veth-label nodrag nopan ${up ? '' : 'is-down'}`}
      style={{ transform: `translate(-50%, -50%) translate(${x}px, ${y}px)` }}
      onClick={onSelect}
    >
      <span className="veth-label-name">{ifname}</span>
      {addresses.map((a) => (
        <span key={a} className="veth-label-addr">
          {a}
        </span>
      ))}
    </div>
  );
}

function VethEdge({ id, source, target, data, selected }: EdgeProps<VethFlowEdge>) {
  const a = useInternalNode(source);
  const b = useInternalNode(target);
  if (!a || !b || !data) return null;
  const boxA = boxOf(a);
  const boxB = boxOf(b);
  if (!boxA.width || !boxB.width) return null;
  const { index, count } = data.parallel;
  const offset = (index - (count - 1) / 2) * PARALLEL_GAP;
  const { from, to } = cableEnds(boxA, boxB, offset);
  const path = `M ${from.x} ${from.y} L ${to.x} ${to.y}`;
  const length = Math.hypot(to.x - from.x, to.y - from.y);
  // Short cables get one label in the middle; long ones a label at each end.
  const split = length >= SPLIT_LABELS_AT;
  const distance = Math.min(64, length * 0.3);
  const labelA = along(from, to, distance);
  const labelB = along(to, from, distance);
  // A cable too short for its label between the nodes gets the label beside it, clear of them.
  const middle = labelSpot(from, to, boxA, boxB, pairLabelSize(data.link));
  const select = (): void => appStore.getState().setSelection({ nodes: [], links: [id] });
  const classes = [
    'veth-edge',
    `status-${data.status}`,
    selected ? 'is-selected' : '',
    data.onPath ? 'on-path' : '',
  ].join(' ');
  const { link } = data;
  return (
    <>
      <BaseEdge id={id} path={path} className={classes} interactionWidth={18} />
      <EdgeLabels>
        {split ? (
          <>
            <EndLabel
              x={labelA.x}
              y={labelA.y}
              ifname={link.a.ifname}
              addresses={link.a.addresses}
              up={link.a.up}
              onSelect={select}
            />
            <EndLabel
              x={labelB.x}
              y={labelB.y}
              ifname={link.b.ifname}
              addresses={link.b.addresses}
              up={link.b.up}
              onSelect={select}
            />
          </>
        ) : (
          <div
            className="veth-label is-pair nodrag nopan"
            style={{ transform: `translate(-50%, -50%) translate(${middle.x}px, ${middle.y}px)` }}
            onClick={select}
          >
            {[link.a, link.b].map((end, k) => (
              <span key={k} className={`veth-pair-end ${end.up ? '' : 'is-down'}`}>
                <span className="veth-label-name">{end.ifname}</span>
                {end.addresses.map((a) => (
                  <span key={a} className="veth-label-addr">
                    {a}
                  </span>
                ))}
              </span>
            ))}
            <IssueMark issues={data.issues} extra={data.failure} />
          </div>
        )}
        {split && (data.issues.length > 0 || data.failure) ? (
          <div
            className="veth-mark nodrag nopan"
            style={{ transform: `translate(-50%, -50%) translate(${middle.x}px, ${middle.y}px)` }}
          >
            <IssueMark issues={data.issues} extra={data.failure} />
          </div>
        ) : null}
      </EdgeLabels>
    </>
  );
}

export const edgeTypes: EdgeTypes = { veth: VethEdge };
