/**
 * What the app shows about a lab, derived by the model and cached by the lab's topology (its
 * nodes and links arrays): moving a node (layout only) recomputes nothing.
 */
import {
  EMPTY_LAB,
  planLabs,
  validateLab,
  type Lab,
  type LabIssue,
  type PlanStep,
  type ValidationResult,
} from '@netns-lab/model';

type Topology = Pick<Lab, 'nodes' | 'links'>;

/** A cache keyed by a lab's nodes and links arrays (both kept when only the layout changes). */
class TopologyCache<T> {
  private readonly byNodes = new WeakMap<object, WeakMap<object, T>>();
  get(lab: Topology, compute: () => T): T {
    let byLinks = this.byNodes.get(lab.nodes);
    if (byLinks === undefined) {
      byLinks = new WeakMap();
      this.byNodes.set(lab.nodes, byLinks);
    }
    let value = byLinks.get(lab.links);
    if (value === undefined) {
      value = compute();
      byLinks.set(lab.links, value);
    }
    return value;
  }
}

const validations = new TopologyCache<ValidationResult>();

export function validationOf(lab: Lab): ValidationResult {
  return validations.get(lab, () => validateLab(lab));
}

export function errorsOf(lab: Lab): LabIssue[] {
  return validationOf(lab).issues.filter((i) => i.severity === 'error');
}

const plans = new WeakMap<object, TopologyCache<PlanStep[]>>();

/** The steps the next Apply runs: planLabs(applied ?? EMPTY_LAB, lab). */
export function planOf(applied: Lab | null, lab: Lab): PlanStep[] {
  const prev = applied ?? EMPTY_LAB;
  let cache = plans.get(prev);
  if (cache === undefined) {
    cache = new TopologyCache();
    plans.set(prev, cache);
  }
  return cache.get(lab, () => planLabs(prev, lab));
}

/** The issues that belong to each node and link (a link end's issue marks its node too). */
export interface IssueIndex {
  byNode: Map<string, LabIssue[]>;
  byLink: Map<string, LabIssue[]>;
}

const issueIndexes = new WeakMap<ValidationResult, IssueIndex>();
const END_PATH = /^links\[(\d+)\]\.(a|b)\b/;

export function issueIndexOf(lab: Lab): IssueIndex {
  const result = validationOf(lab);
  const cached = issueIndexes.get(result);
  if (cached) return cached;
  const index: IssueIndex = { byNode: new Map(), byLink: new Map() };
  const push = (map: Map<string, LabIssue[]>, id: string, issue: LabIssue): void => {
    const list = map.get(id);
    if (list) {
      if (!list.includes(issue)) list.push(issue);
    } else map.set(id, [issue]);
  };
  for (const issue of result.issues) {
    if (issue.nodeId !== undefined) push(index.byNode, issue.nodeId, issue);
    if (issue.linkId !== undefined) push(index.byLink, issue.linkId, issue);
    const end = END_PATH.exec(issue.path);
    if (end) {
      const link = lab.links[Number(end[1])];
      const side = end[2] === 'a' ? 'a' : 'b';
      if (link) {
        push(index.byLink, link.id, issue);
        push(index.byNode, link[side].node, issue);
      }
    }
  }
  issueIndexes.set(result, index);
  return index;
}
