/** The inspector: edits the selected node or cable. */
import { useEffect, useRef } from 'react';
import { StatusPill } from '../common/StatusPill';
import { useIssueIndex, useStatuses } from '../hooks';
import type { ElementStatus } from '../lab/status';
import { appStore, useApp } from '../store/store';
import { LinkInspector } from './LinkInspector';
import { NodeInspector } from './NodeInspector';

const LEGEND: [ElementStatus, string][] = [
  ['not-applied', 'drawn, not built in the kernel yet'],
  ['applied', 'the kernel holds it as drawn'],
  ['changed', 'edited since the last Apply: the plan shows how'],
  ['differs', 'the kernel no longer holds what was applied'],
  ['error', 'a rule is broken (or Apply failed here): hover the red mark'],
];

export function Inspector() {
  const lab = useApp((s) => s.lab);
  const selection = useApp((s) => s.selection);
  const region = useRef<HTMLElement>(null);
  const selected = [...selection.nodes, ...selection.links].join(' ');
  // Another element: start at its top.
  useEffect(() => {
    if (region.current) region.current.scrollTop = 0;
  }, [selected]);
  const issues = useIssueIndex();
  const statuses = useStatuses();
  const count = selection.nodes.length + selection.links.length;
  let body;
  if (count === 1 && selection.nodes.length === 1) {
    const id = selection.nodes[0] ?? '';
    const index = lab.nodes.findIndex((n) => n.id === id);
    const node = lab.nodes[index];
    body = node ? (
      <NodeInspector
        key={node.id}
        lab={lab}
        node={node}
        index={index}
        issues={issues.byNode.get(node.id) ?? []}
        status={statuses.nodes.get(node.id) ?? 'not-applied'}
      />
    ) : null;
  } else if (count === 1) {
    const id = selection.links[0] ?? '';
    const index = lab.links.findIndex((l) => l.id === id);
    body =
      index >= 0 ? (
        <LinkInspector
          key={id}
          lab={lab}
          index={index}
          issues={issues.byLink.get(id) ?? []}
          status={statuses.links.get(id) ?? 'not-applied'}
        />
      ) : null;
  } else if (count > 1) {
    body = (
      <div className="inspector-body">
        <p>
          {selection.nodes.length} node{selection.nodes.length === 1 ? '' : 's'} and{' '}
          {selection.links.length} cable{selection.links.length === 1 ? '' : 's'} selected.
        </p>
        <button
          type="button"
          className="small-button danger"
          onClick={() => appStore.getState().deleteElements(selection.nodes, selection.links)}
        >
          Delete selected
        </button>
      </div>
    );
  }
  return (
    <section ref={region} className="inspector panel" aria-label="Inspector">
      {body ?? (
        <div className="inspector-body inspector-empty">
          <h2 className="panel-title">Inspector</h2>
          <p className="muted">
            Select a node or a cable to edit it. Shift-click or Shift-drag selects several; Delete
            removes them; Ctrl+Z undoes.
          </p>
          <h3 className="legend-title">What the badges say</h3>
          <dl className="legend">
            {LEGEND.map(([status, text]) => (
              <div key={status}>
                <dt>
                  <StatusPill status={status} />
                </dt>
                <dd>{text}</dd>
              </div>
            ))}
          </dl>
        </div>
      )}
    </section>
  );
}
