/**
 * The applier: turns the kernel into the wanted lab. It diffs the wanted lab against what the
 * kernel actually holds (not against what it last sent), runs only the differences in as few
 * processes as it can, reports each step, and on a failure rolls back to the last good lab.
 * Applies are serialised: one at a time, whoever asks.
 */
import {
  compileLab as compileLabOnce,
  diffModels,
  EMPTY_LAB,
  endsFreedByNamespaceDeletes,
  emptyKernelModel,
  ENTITY_KINDS,
  entityKey,
  entityNamespace,
  HOST_NS,
  linksComingUp,
  observedModel,
  planDiff,
  stepArgv,
  type ApplyFailure,
  type EntityTypes,
  type KernelModel,
  type KernelView,
  type Lab,
  type LabDiff,
  type PlannedStep,
  type PlanStep,
} from '@netns-lab/model';
import type { Runner } from '../kernel/runner';
import { batchPlan } from './batches';
import type { ExecuteReport } from './execute';
import { executeSettling, type SettleOptions } from './settle';
import { LINK_UP, waitForLinks, watchLinks, type LinkReports } from './link-waits';
import type { Journal, JournalRecord } from './journal';

/** The live tables as last read; `refresh` reads namespaces again now. */
export interface KernelCache {
  view(): KernelView;
  refresh(namespaces: readonly string[]): Promise<void>;
  /**
   * Namespaces a plan deletes or makes, told before it runs and again after: names that stood
   * for them (nsids) no longer do.
   */
  replacing(namespaces: readonly string[]): void;
  /** Reports of links until the returned function is called (the observer's monitor). */
  linkReports?: LinkReports;
}

export interface ApplyListener {
  started?(steps: PlannedStep[]): void;
  step?(index: number, total: number, ok: boolean, argv: string[]): void;
  /** Called with the outcome before the next queued apply starts (so reports keep order). */
  finished?(outcome: ApplyOutcome): void;
}

export interface ApplyOutcome {
  ok: boolean;
  steps: PlannedStep[];
  /** Mutating commands run (0: the kernel already held the lab). */
  commandsRun: number;
  processes: number;
  durationMs: number;
  /** Of durationMs, the time spent before the first command: the kernel model, diff and plan. */
  planMs: number;
  /** planMs in parts (ms): compiling the lab, the kernel's state of it, the diff, the plan. */
  planParts: { compile: number; kernel: number; diff: number; plan: number };
  /** Of durationMs, the time spent after the commands waiting for links to come up. */
  linksUpMs: number;
  failure?: ApplyFailure;
  rolledBack?: boolean;
  /** Namespaces the apply changed. */
  touched: string[];
  /**
   * Namespaces where it changed what makes no kernel event (ip_forward, NAT rules): the
   * observer must read them again to see it.
   */
  unheard: string[];
}

export interface ApplierOptions {
  runner: Runner;
  cache: KernelCache;
  journal: Journal;
  /** Host mode: tag NAT rules and wait for the xtables lock. */
  hostMode?: boolean;
}

export interface Applier {
  /** The lab the kernel holds (null: none). */
  applied(): Lab | null;
  apply(lab: Lab, listener?: ApplyListener): Promise<ApplyOutcome>;
  destroy(listener?: ApplyListener): Promise<ApplyOutcome>;
  /**
   * Looks at the kernel's tables for the applied lab now, while nothing else runs, so that the
   * next apply finds that work remembered (the observed model keeps it per entity and table).
   * Skipped while an apply runs or waits.
   */
  prepare(): void;
}

/**
 * How long an apply waits for the links it brought up to be up before it says done anyway (the
 * live tables then show them down), and for reports of them before it looks (ms). No wait
 * before the first look: most often the kernel has brought them up by the time the commands
 * are done, and a look (one process, only the names not yet reported) says so before the
 * reports come through the monitor. On a loaded machine its background pass (linkwatch) can
 * lag for a second or more: then the reports end the wait.
 */
const UP_TIMEOUT_MS = 5000;
const UP_FIRST_LOOK_MS = 0;

/** Host mode: the tag on what netns-lab makes there (NAT rule comment, interface alias). */
export const NAT_COMMENT = 'netns-lab';

function diffNamespaces(diff: LabDiff): Set<string> {
  const out = new Set<string>();
  for (const kind of ENTITY_KINDS) {
    const d = diff[kind];
    const entities = [...d.added, ...d.removed, ...d.updated.flat()] as EntityTypes[typeof kind][];
    for (const e of entities) {
      out.add(entityNamespace(kind, e));
      if (kind === 'veth') out.add((e as EntityTypes['veth']).b.ns);
    }
  }
  return out;
}

/** The namespaces a diff deletes or makes. */
function replacedNamespaces(diff: LabDiff): string[] {
  return [...diff.netns.removed, ...diff.netns.added].map((n) => n.name);
}

/** Namespaces where a plan changes ip_forward or NAT rules (they make no kernel events). */
function unheardNamespaces(...plans: (readonly PlanStep[])[]): string[] {
  const out = new Set<string>();
  for (const plan of plans)
    for (const { step } of plan)
      if (step.op === 'forward' || step.op === 'nat-add' || step.op === 'nat-del') out.add(step.ns);
  return [...out];
}

/** Namespaces whose NAT rules a plan changes. */
function natNamespaces(plan: readonly PlanStep[]): string[] {
  const out = new Set<string>();
  for (const { step } of plan) if (step.op === 'nat-add' || step.op === 'nat-del') out.add(step.ns);
  return [...out];
}

/**
 * compileLab, remembered per lab object: the applied lab and the journal's labs are the same
 * objects from one apply to the next (a new lab reuses its unchanged nodes' fragments, but
 * still assembles a model of ~6000 entries for a 1000-namespace lab). Compiled models and
 * their entities are shared: never changed by their users.
 */
const compiledLabs = new WeakMap<Lab, KernelModel>();
function compileLab(lab: Lab): KernelModel {
  let model = compiledLabs.get(lab);
  if (model === undefined) {
    model = compileLabOnce(lab);
    compiledLabs.set(lab, model);
  }
  return model;
}

function toPlanned(plan: readonly PlanStep[]): PlannedStep[] {
  return plan.map((s, index) => ({ index, argv: stepArgv(s.step), target: s.origin }));
}

export function createApplier(options: ApplierOptions): Applier {
  const { runner, cache, journal } = options;
  const planOptions = options.hostMode ? { natComment: NAT_COMMENT, linkAlias: NAT_COMMENT } : {};
  const iptablesArgs = options.hostMode ? ['-w'] : [];
  let applied: Lab | null = journal.read().applied;
  /** What the kernel holds after our last apply, for namespaces not yet read since. */
  let believed: KernelModel = emptyKernelModel();
  const touchedAt = new Map<string, number>();
  let queue: Promise<unknown> = Promise.resolve();

  /**
   * The kernel's state of the candidates' entities (several models count as their union): read
   * tables where fresh, our own record where not.
   */
  function currentModel(candidates: readonly KernelModel[]): KernelModel {
    const view = cache.view();
    const stale = new Set<string>();
    for (const [ns, at] of touchedAt) {
      const state = view.states.get(ns);
      // Read since we touched it, or (deleted) gone from the kernel as we believe: fresh. (A
      // deleted namespace counted as stale made every later apply take the slow way below.)
      const fresh =
        state === undefined
          ? ns !== HOST_NS && !(ns in believed.netns) && !view.namespaces.has(ns)
          : state.readAt > at;
      if (!fresh) stale.add(ns);
    }
    const observed = observedModel(candidates, view);
    if (stale.size === 0) return observed;
    const isStale = <K extends keyof EntityTypes>(kind: K, e: EntityTypes[K]): boolean =>
      stale.has(entityNamespace(kind, e)) ||
      (kind === 'veth' && stale.has((e as EntityTypes['veth']).b.ns));
    const out = emptyKernelModel();
    for (const kind of ENTITY_KINDS) {
      const target = out[kind] as Record<string, unknown>;
      for (const [key, e] of Object.entries(observed[kind]))
        if (!isStale(kind, e as never)) target[key] = e;
      for (const e of Object.values(believed[kind]) as EntityTypes[typeof kind][])
        if (isStale(kind, e) && candidates.some((c) => entityKey[kind](e as never) in c[kind]))
          target[entityKey[kind](e as never)] = e;
    }
    return out;
  }

  async function refreshNat(plan: readonly PlanStep[]): Promise<void> {
    const namespaces = natNamespaces(plan);
    if (namespaces.length > 0) await cache.refresh(namespaces).catch(() => undefined);
  }

  /**
   * Runs a diff's plan towards `want`, waiting for the veth ends its namespace deletes free
   * (those of the candidate models too), and then for the links it brings up to be up: only
   * then does the lab carry traffic (linksComingUp says why). The observer hears of the
   * namespaces it deletes or makes before and after: what it learns of them meanwhile is soon
   * out of date.
   */
  async function runPlan(
    diff: LabDiff,
    plan: PlanStep[],
    want: KernelModel,
    current: KernelModel,
    candidates: readonly KernelModel[],
    how: Pick<SettleOptions, 'onStep' | 'keepGoing'>,
  ): Promise<ExecuteReport & { linksUpMs: number }> {
    const replaced = replacedNamespaces(diff);
    cache.replacing(replaced);
    const comingUp = watchLinks(cache.linkReports, LINK_UP);
    try {
      const report = await executeSettling(runner, batchPlan(plan), {
        ...how,
        freed: endsFreedByNamespaceDeletes(diff, candidates),
        ...(cache.linkReports ? { reports: cache.linkReports } : {}),
        iptablesArgs,
      });
      cache.replacing(replaced);
      if (report.failure !== undefined) return { ...report, linksUpMs: 0 };
      // Reports usually came in while the commands ran: then this costs nothing.
      const waitStarted = performance.now();
      const { processes } = await waitForLinks(
        runner,
        linksComingUp(plan, want, current),
        comingUp,
        LINK_UP,
        { timeoutMs: UP_TIMEOUT_MS, firstLookMs: UP_FIRST_LOOK_MS },
      );
      const linksUpMs = performance.now() - waitStarted;
      return { ...report, processes: report.processes + processes, linksUpMs };
    } finally {
      comingUp.stop();
    }
  }

  function markTouched(namespaces: Iterable<string>): void {
    // The clock of the observer's readAt (ms since the epoch, sub-millisecond): Date.now() is
    // another clock, and the two drift apart by milliseconds.
    const now = performance.timeOrigin + performance.now();
    for (const ns of namespaces) touchedAt.set(ns, now);
  }

  /**
   * Host mode must leave the real host as it found it: if ip_forward was already on before
   * netns-lab turned it on (Docker and routers need it), removing the lab leaves it on.
   */
  function keepHostForwarding(plan: PlanStep[], record: JournalRecord): PlanStep[] {
    if (!options.hostMode || record.hostForwardBefore !== true) return plan;
    return plan.filter(
      ({ step }) => !(step.op === 'forward' && step.ns === HOST_NS && !step.enabled),
    );
  }

  /**
   * What ip_forward the real host had before a lab of netns-lab first wanted it on, taken from
   * the kernel model the plan is made from (the observer's cache alone may be stale: sysctls
   * make no kernel events).
   */
  function rememberHostForwarding(
    want: KernelModel,
    current: KernelModel,
    record: JournalRecord,
  ): Partial<JournalRecord> {
    const hostForward = (model: KernelModel): boolean =>
      Object.values(model.forward).some((f) => f.ns === HOST_NS);
    if (!options.hostMode || (record.hostForwardBefore ?? null) !== null) return {};
    if (!hostForward(want)) return {};
    return { hostForwardBefore: hostForward(current) };
  }

  async function run(lab: Lab, listener: ApplyListener = {}): Promise<ApplyOutcome> {
    const started = performance.now();
    const want = compileLab(lab);
    const record = journal.read();
    // Usually the applied lab and the journal's are one object: each model once.
    const candidates = [
      ...new Set([
        want,
        compileLab(applied ?? EMPTY_LAB),
        compileLab(record.applied ?? EMPTY_LAB),
        compileLab(record.pending ?? EMPTY_LAB),
      ]),
    ];
    const compiled = performance.now();
    const current = currentModel(candidates);
    const known = performance.now();
    const diff = diffModels(current, want);
    const diffed = performance.now();
    const plan = keepHostForwarding(planDiff(diff, planOptions), record);
    const steps = toPlanned(plan);
    const planMs = performance.now() - started;
    const planParts = {
      compile: compiled - started,
      kernel: known - compiled,
      diff: diffed - known,
      plan: started + planMs - diffed,
    };
    listener.started?.(steps);
    const touched = diffNamespaces(diff);
    if (plan.length === 0) {
      applied = lab === EMPTY_LAB ? null : lab;
      const remembered = rememberHostForwarding(want, current, record);
      if (record.pending !== null || record.applied !== lab || Object.keys(remembered).length > 0)
        await journal.write({ applied, pending: null, ...remembered });
      return {
        ok: true,
        steps,
        commandsRun: 0,
        processes: 0,
        durationMs: performance.now() - started,
        planMs,
        planParts,
        linksUpMs: 0,
        touched: [],
        unheard: [],
      };
    }
    await journal.write({
      applied: record.applied,
      pending: lab,
      ...rememberHostForwarding(want, current, record),
    });
    const report = await runPlan(diff, plan, want, current, candidates, {
      onStep: (index, ok) => listener.step?.(index, steps.length, ok, steps[index]?.argv ?? []),
    });
    markTouched(touched);
    // NAT rules make no kernel events, and a read of a namespace may skip them and keep the
    // rules it saw last, under a fresh readAt: read the rules again now, or the next apply
    // would trust a list from before this one (and add a rule twice, or never delete it).
    await refreshNat(plan);
    if (report.failure === undefined) {
      applied = lab === EMPTY_LAB ? null : lab;
      believed = want;
      const keepsForwarding = Object.values(want.forward).some((f) => f.ns === HOST_NS);
      await journal.write({
        applied,
        pending: null,
        ...(keepsForwarding ? {} : { hostForwardBefore: null }),
      });
      return {
        ok: true,
        steps,
        commandsRun: report.done,
        processes: report.processes,
        durationMs: performance.now() - started,
        planMs,
        planParts,
        linksUpMs: report.linksUpMs,
        touched: [...touched],
        unheard: unheardNamespaces(plan),
      };
    }

    // Roll back to the last good lab: read what the failed apply left, then undo it.
    const failure = report.failure;
    const failedStep = plan[failure.index]!;
    await cache.refresh([...touched]);
    const lastGood = applied ?? EMPTY_LAB;
    const goodModel = compileLab(lastGood);
    const undoCurrent = currentModel([...candidates, goodModel]);
    const undoDiff = diffModels(undoCurrent, goodModel);
    const undo = planDiff(undoDiff, planOptions);
    const undone = await runPlan(
      undoDiff,
      undo,
      goodModel,
      undoCurrent,
      [...candidates, goodModel],
      {
        keepGoing: true,
      },
    );
    markTouched(touched);
    await refreshNat(undo);
    believed = goodModel;
    await journal.write({ applied, pending: null });
    return {
      ok: false,
      steps,
      commandsRun: report.done + undone.done,
      processes: report.processes + undone.processes,
      durationMs: performance.now() - started,
      planMs,
      planParts,
      linksUpMs: undone.linksUpMs,
      failure: {
        index: failure.index,
        argv: stepArgv(failure.step),
        stderr: failure.stderr,
        message: failure.message,
        target: failedStep.origin,
      },
      rolledBack: undone.failure === undefined,
      touched: [...touched],
      unheard: unheardNamespaces(plan, undo),
    };
  }

  let queued = 0;
  function enqueue(lab: Lab, listener?: ApplyListener): Promise<ApplyOutcome> {
    queued += 1;
    const next = queue.then(async () => {
      try {
        const outcome = await run(lab, listener);
        listener?.finished?.(outcome);
        return outcome;
      } finally {
        queued -= 1;
      }
    });
    queue = next.catch(() => undefined);
    return next;
  }

  return {
    applied: () => applied,
    apply: enqueue,
    destroy: (listener) => enqueue(EMPTY_LAB, listener),
    prepare() {
      if (queued === 0 && applied !== null) currentModel([compileLab(applied)]);
    },
  };
}
