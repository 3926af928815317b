/**
 * Each node's and link's state on the canvas: not applied, applied, changed since apply, error,
 * or differs from the kernel. Worked out from the model's plan (whose steps name the element
 * they come from), the model's validation, the last apply's failure and the live tables.
 */
import type { Lab, PlanStep, StepTarget } from '@netns-lab/model';
import type { IssueIndex } from './derived';

export type ElementStatus = 'not-applied' | 'applied' | 'changed' | 'error' | 'differs';

export const STATUS_LABEL: Record<ElementStatus, string> = {
  'not-applied': 'not applied',
  applied: 'applied',
  changed: 'changed since apply',
  error: 'error',
  differs: 'differs from kernel',
};

/** Shorter text for the badge on a node. */
export const STATUS_BADGE: Record<ElementStatus, string> = {
  'not-applied': 'not applied',
  applied: 'applied',
  changed: 'changed',
  error: 'error',
  differs: 'differs',
};

export interface ElementIds {
  nodes: ReadonlySet<string>;
  links: ReadonlySet<string>;
}

export interface StatusInput {
  lab: Lab;
  applied: Lab | null;
  plan: readonly PlanStep[];
  issues: IssueIndex;
  /** Where the last apply failed, if it did. */
  failure: StepTarget | null;
  /** Elements whose kernel state does not match the applied lab. */
  drift: ElementIds;
}

export interface Statuses {
  nodes: Map<string, ElementStatus>;
  links: Map<string, ElementStatus>;
}

export function elementStatuses(input: StatusInput): Statuses {
  const { lab, applied, plan, issues, failure, drift } = input;
  const changed = { nodes: new Set<string>(), links: new Set<string>() };
  for (const { origin } of plan) {
    if (origin.nodeId !== undefined) changed.nodes.add(origin.nodeId);
    if (origin.linkId !== undefined) changed.links.add(origin.linkId);
  }
  /** The status of each node (or each link): same rules, each kind's own sets. */
  const statusesOf = (
    elements: readonly { id: string }[],
    kind: 'nodes' | 'links',
    issuesOf: IssueIndex['byNode'],
    failedId: string | undefined,
  ): Map<string, ElementStatus> => {
    // The host is always there; it counts as applied once anything is.
    const inApplied = new Set(applied?.[kind].map((e) => e.id) ?? []);
    const out = new Map<string, ElementStatus>();
    for (const { id } of elements) {
      const errors = (issuesOf.get(id) ?? []).some((i) => i.severity === 'error');
      let status: ElementStatus;
      if (errors || failedId === id) status = 'error';
      // Drawn anew but identical in the kernel to something applied (no step for it): applied.
      else if (!inApplied.has(id) && (applied === null || changed[kind].has(id)))
        status = 'not-applied';
      else if (changed[kind].has(id)) status = 'changed';
      else if (drift[kind].has(id)) status = 'differs';
      else status = 'applied';
      out.set(id, status);
    }
    return out;
  };
  return {
    nodes: statusesOf(lab.nodes, 'nodes', issues.byNode, failure?.nodeId),
    links: statusesOf(lab.links, 'links', issues.byLink, failure?.linkId),
  };
}
