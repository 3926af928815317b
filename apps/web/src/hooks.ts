/**
 * Derived views of the store for components: validation, plan and each element's status, all
 * computed by the model (cached by topology) and shared by the canvas, inspector and panels.
 */
import type { ValidationResult, PlanStep } from '@netns-lab/model';
import { useMemo, useRef } from 'react';
import { issueIndexOf, planOf, validationOf, type IssueIndex } from './lab/derived';
import { elementStatuses, type ElementIds, type Statuses } from './lab/status';
import { driftOf } from './live/drift';
import { useApp } from './store/store';

export function useValidation(): ValidationResult {
  const lab = useApp((s) => s.lab);
  return validationOf(lab);
}

export function useIssueIndex(): IssueIndex {
  const lab = useApp((s) => s.lab);
  return issueIndexOf(lab);
}

export function usePlan(): PlanStep[] {
  const lab = useApp((s) => s.lab);
  const applied = useApp((s) => s.appliedLab);
  return planOf(applied, lab);
}

/** Whether an apply (or destroy) is under way: sent, or started and not done. */
export function useApplying(): boolean {
  return useApp(
    (s) => s.pendingRequest !== null || (s.applyProgress !== null && s.applyProgress.done === null),
  );
}

const NO_DRIFT: ElementIds = { nodes: new Set(), links: new Set() };

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

function sameIds(a: ElementIds, b: ElementIds): boolean {
  return sameSet(a.nodes, b.nodes) && sameSet(a.links, b.links);
}

export function useStatuses(): Statuses {
  const lab = useApp((s) => s.lab);
  const applied = useApp((s) => s.appliedLab);
  // Only the failure, not the progress: step updates during an apply re-render nothing here.
  const failure = useApp((s) => s.applyProgress?.done?.failure?.target ?? null);
  const namespaces = useApp((s) => s.namespaces);
  const liveLoaded = useApp((s) => s.liveLoaded);
  const reading = useApp((s) => s.reading);
  const connected = useApp((s) => s.connection.status === 'connected');
  const applying = useApplying();
  const plan = planOf(applied, lab);
  const issues = issueIndexOf(lab);
  const computed = useMemo(
    () => (connected && liveLoaded && !applying ? driftOf(applied, namespaces, reading) : NO_DRIFT),
    [connected, liveLoaded, applying, applied, namespaces, reading],
  );
  // The same drift as before keeps the same object, so that a table update that changes no
  // element's state re-renders no node on the canvas.
  const last = useRef(computed);
  if (!sameIds(last.current, computed)) last.current = computed;
  const drift = last.current;
  return useMemo(
    () => elementStatuses({ lab, applied, plan, issues, failure, drift }),
    [lab, applied, plan, issues, failure, drift],
  );
}
