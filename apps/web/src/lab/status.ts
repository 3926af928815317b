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
  const changedNodes = new Set<string>();
  const changedLinks = new Set<string>();
  for (const { origin } of plan) {
    if (origin.nodeId !== undefined) changedNodes.add(origin.nodeId);
    if (origin.linkId !== undefined) changedLinks.add(origin.linkId);
  }
  const appliedNodes = new Set(applied?.nodes.map((n) => n.id) ?? []);
  const appliedLinks = new Set(applied?.links.map((l) => l.id) ?? []);
  const decide = (
    hasErrors: boolean,
    failed: boolean,
    inApplied: boolean,
    changed: boolean,
    differs: boolean,
  ): ElementStatus => {
    if (hasErrors || failed) return 'error';
    // Drawn anew but identical in the kernel to something applied (no step for it): applied.
    if (!inApplied && (applied === null || changed)) return 'not-applied';
    if (changed) return 'changed';
    if (differs) return 'differs';
    return 'applied';
  };
  const nodes = new Map<string, ElementStatus>();
  for (const node of lab.nodes) {
    const errors = (issues.byNode.get(node.id) ?? []).some((i) => i.severity === 'error');
    nodes.set(
      node.id,
      decide(
        errors,
        failure?.nodeId === node.id,
        // The host is always there; it counts as applied once anything is.
        appliedNodes.has(node.id),
        changedNodes.has(node.id),
        drift.nodes.has(node.id),
      ),
    );
  }
  const links = new Map<string, ElementStatus>();
  for (const link of lab.links) {
    const errors = (issues.byLink.get(link.id) ?? []).some((i) => i.severity === 'error');
    links.set(
      link.id,
      decide(
        errors,
        failure?.linkId === link.id,
        appliedLinks.has(link.id),
        changedLinks.has(link.id),
        drift.links.has(link.id),
      ),
    );
  }
  return { nodes, links };
}
