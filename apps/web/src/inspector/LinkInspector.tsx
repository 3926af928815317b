/** The inspector for one cable: both ends of the veth pair. */
import { indexNodes, type Lab, type LabIssue } from '@netns-lab/model';
import { IssueList } from '../common/fields';
import { StatusPill } from '../common/StatusPill';
import type { ElementStatus } from '../lab/status';
import { appStore } from '../store/store';
import { InterfaceEditor } from './InterfaceEditor';
import { hasOwnField } from './paths';

export function LinkInspector({
  lab,
  index,
  issues,
  status,
}: {
  lab: Lab;
  index: number;
  issues: readonly LabIssue[];
  status: ElementStatus;
}) {
  const link = lab.links[index];
  if (link === undefined) return null;
  const nodes = indexNodes(lab);
  const name = (id: string): string => {
    const node = nodes.get(id);
    return node === undefined ? id : node.kind === 'host' ? 'host' : node.name;
  };
  const other = issues.filter((i) => !hasOwnField(i.path));
  return (
    <div className="inspector-body">
      <header className="inspector-head">
        <div>
          <p className="inspector-kind">Cable (veth pair)</p>
          <h2 className="inspector-title">
            {name(link.a.node)} ↔ {name(link.b.node)}
          </h2>
        </div>
        <StatusPill status={status} />
      </header>
      <p className="muted small">
        A veth pair is a virtual cable: what goes in one end comes out of the other.
      </p>
      <div className="inspector-actions">
        <button
          type="button"
          className="small-button danger"
          onClick={() => appStore.getState().deleteElements([], [link.id])}
        >
          Delete cable
        </button>
      </div>
      <IssueList issues={other} title="Problems" />
      <InterfaceEditor
        lab={lab}
        linkIndex={index}
        side="a"
        issues={issues}
        legend={`End in ${name(link.a.node)}`}
      />
      <InterfaceEditor
        lab={lab}
        linkIndex={index}
        side="b"
        issues={issues}
        legend={`End in ${name(link.b.node)}`}
      />
    </div>
  );
}
