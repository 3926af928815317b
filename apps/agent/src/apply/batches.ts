/**
 * Groups a plan into as few processes as possible without changing what it does: one
 * `ip -batch -` per namespace and phase, namespaces side by side. Steps that touch only their
 * own namespace (addresses, links up, routes, forwarding, NAT) from consecutive phases share one
 * batch per namespace, so a lab of N namespaces costs about N processes, not N per phase.
 */
import { HOST_NS, stepCommand, type PlanStep, type StepOp } from '@netns-lab/model';

export interface BatchStep {
  /** Position in the plan (0-based). */
  index: number;
  planStep: PlanStep;
}

export interface Batch {
  ns: string;
  tool: 'ip' | 'iptables' | 'sysctl';
  steps: BatchStep[];
}

/** Batches that may run at the same time; phases run one after another. */
export type Phase = Batch[];

/** Ops whose effect stays inside the namespace they run in. */
const LOCAL_OPS = new Set<StepOp>([
  'addr-add',
  'addr-del',
  'link-up',
  'link-down',
  'link-mac',
  'link-mtu',
  'link-alias',
  'link-master',
  'link-nomaster',
  'route-add',
  'route-del',
  'forward',
  'nat-add',
  'nat-del',
]);

/** Ops that make namespaces, bridges and veths. */
const CREATE_OPS = new Set<StepOp>(['netns-add', 'bridge-add', 'veth-add']);

/**
 * Cross-namespace ops that may share a phase with others of the same class. Creations that all
 * run in the lab's host share one: one `ip -batch` runs them in plan order (namespaces before
 * the veths into them), so nothing runs beside them that could need them first.
 */
function phaseClass(step: PlanStep['step']): string {
  const { op } = step;
  if (LOCAL_OPS.has(op)) return 'local';
  if (CREATE_OPS.has(op) && stepCommand(step).ns === HOST_NS) return 'host-create';
  if (op === 'veth-add') return 'veth';
  return op;
}

export function batchPlan(plan: readonly PlanStep[]): Phase[] {
  const phases: Phase[] = [];
  let segment: Map<string, Batch[]> = new Map();
  let segmentClass: string | null = null;
  const flush = (): void => {
    // The j-th batch of every namespace runs together; a namespace's batches keep plan order.
    const runs = [...segment.values()];
    const depth = Math.max(0, ...runs.map((r) => r.length));
    for (let j = 0; j < depth; j++)
      phases.push(
        runs.flatMap((r) => {
          const batch = r[j];
          return batch === undefined ? [] : [batch];
        }),
      );
    segment = new Map();
  };
  plan.forEach((planStep, index) => {
    const cls = phaseClass(planStep.step);
    if (cls !== segmentClass) {
      flush();
      segmentClass = cls;
    }
    const { ns, tool } = stepCommand(planStep.step);
    const runs = segment.get(ns) ?? [];
    segment.set(ns, runs);
    const last = runs[runs.length - 1];
    if (last !== undefined && last.tool === 'ip' && tool === 'ip')
      last.steps.push({ index, planStep });
    else runs.push({ ns, tool, steps: [{ index, planStep }] });
  });
  flush();
  return phases;
}

/** The text fed to `ip -batch -`: each step's arguments, one command per line. */
export function batchInput(batch: Batch): string {
  return batch.steps.map((s) => `${stepCommand(s.planStep.step).args.join(' ')}\n`).join('');
}
