/**
 * The plan: the exact commands the next Apply runs (the model's plan from what the kernel holds
 * to the lab on screen), the Apply button with the reason when it cannot be pressed, progress
 * step by step while the agent works, and where it failed. A big plan (thousands of commands)
 * shows a window of its steps around the running or failed one, and all of them on request.
 */
import { stepLine, type PlanStep } from '@netns-lab/model';
import { memo, useMemo } from 'react';
import { agentClient } from '../agent/client';
import { useApplying, usePlan, useValidation } from '../hooks';
import type { ApplyProgress, StepStatus } from '../store/agentSlice';
import { appStore, useApp } from '../store/store';
import { StepList } from './StepList';

export function commandCount(n: number): string {
  return n === 0 ? 'No commands' : `${n} command${n === 1 ? '' : 's'}`;
}

const StepIcon = memo(function StepIcon({
  status,
  current,
}: {
  status: StepStatus;
  current: boolean;
}) {
  if (status === 'ok')
    return (
      <span className="step-icon is-ok" role="img" aria-label="done">
        ✓
      </span>
    );
  if (status === 'failed')
    return (
      <span className="step-icon is-failed" role="img" aria-label="failed">
        ✗
      </span>
    );
  return (
    <span
      className={`step-icon ${current ? 'is-running' : 'is-pending'}`}
      role="img"
      aria-label={current ? 'running' : 'waiting'}
    />
  );
});

/** A step's command: the same argv array renders once, however often the progress changes. */
const Command = memo(function Command({ argv }: { argv: readonly string[] }) {
  return <code>{argv.join(' ')}</code>;
});

/**
 * What a student comparing the plan with the note should know: netns-lab makes a veth with its
 * ends already in place (the note makes it in the host and moves each end), and deleting a
 * namespace takes its veths along (so the plan deletes no veth by hand).
 */
/** 42 ms, 0.6 s, 4.4 s: an apply of the seed's labs takes tens of milliseconds. */
export function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function PlanNotes({ plan }: { plan: readonly PlanStep[] }) {
  const veth = plan.find(
    ({ step }) => step.op === 'veth-add' && (step.ns !== 'host' || step.peerNs !== 'host'),
  )?.step;
  const deletesNamespace = plan.some(({ step }) => step.op === 'netns-del');
  if (veth?.op !== 'veth-add' && !deletesNamespace) return null;
  return (
    <div className="plan-notes small muted">
      {veth?.op === 'veth-add' ? (
        <p>
          <code>{stepLine(veth)}</code> makes the pair with each end already in its namespace. The
          note does it in two steps:{' '}
          <code>
            ip link add {veth.ifname} type veth peer name {veth.peer}
          </code>
          , then{' '}
          <code>
            ip link set {veth.ns !== 'host' ? veth.ifname : veth.peer} netns{' '}
            {veth.ns !== 'host' ? veth.ns : veth.peerNs}
          </code>
          . One step is faster: moving an interface to another namespace makes the kernel wait until
          no CPU still uses it.
        </p>
      ) : null}
      {deletesNamespace ? (
        <p>
          <code>ip netns del</code> also deletes the namespace’s veth ends, and with each its peer
          outside it: no <code>ip link del</code> is needed for them.
        </p>
      ) : null}
    </div>
  );
}

function lineAt(plan: readonly PlanStep[], position: number): string {
  const step = plan[position];
  return step ? stepLine(step.step) : '';
}

interface Tally {
  ok: number;
  failed: number;
  /** The first step not run yet (-1: none). */
  firstPending: number;
  /** The first failed step (-1: none). */
  firstFailed: number;
}

/** Counts the statuses in one pass (once per store update, not once per step message). */
function tally(statuses: readonly StepStatus[]): Tally {
  const t: Tally = { ok: 0, failed: 0, firstPending: -1, firstFailed: -1 };
  statuses.forEach((status, i) => {
    if (status === 'ok') t.ok += 1;
    else if (status === 'failed') {
      t.failed += 1;
      if (t.firstFailed < 0) t.firstFailed = i;
    } else if (t.firstPending < 0) t.firstPending = i;
  });
  return t;
}

function Progress({ progress }: { progress: ApplyProgress }) {
  const total = progress.steps.length;
  const counts = useMemo(() => tally(progress.statuses), [progress.statuses]);
  const finished = counts.ok + counts.failed;
  const current = counts.firstPending;
  const running = progress.done === null;
  const what = progress.kind === 'destroy' ? 'Destroying' : 'Applying';
  const statusAt = (i: number): StepStatus => progress.statuses[i] ?? 'pending';
  return (
    <div className="apply-progress">
      <p className="progress-line" role="status">
        {running
          ? `${what}: step ${Math.min(finished + 1, total)} of ${total}`
          : progress.done?.ok
            ? progress.done.commandsRun === 0
              ? 'Applied: the kernel already held this lab.'
              : `${progress.kind === 'destroy' ? 'Destroyed' : 'Applied'}: ${commandCount(progress.done.commandsRun).toLowerCase()} ran in ${duration(progress.done.durationMs)}`
            : progress.done?.interrupted
              ? 'The connection to the agent dropped during the apply.'
              : `Failed at step ${(progress.done?.failure?.index ?? 0) + 1} of ${total}`}
      </p>
      {total > 0 ? <progress max={total} value={finished} aria-label="Apply progress" /> : null}
      <StepList
        label="Apply steps"
        total={total}
        anchor={counts.firstFailed >= 0 ? counts.firstFailed : Math.max(0, current)}
        summary={`${commandCount(total)}: ${counts.ok} done, ${counts.failed} failed${running ? ', running…' : ''}`}
        rowClass={(i) => `step-${statusAt(i)}`}
        row={(i) => (
          <>
            <StepIcon status={statusAt(i)} current={running && i === current} />
            <Command argv={progress.steps[i]?.argv ?? []} />
          </>
        )}
      />
    </div>
  );
}

function Failure({ progress }: { progress: ApplyProgress }) {
  const lab = useApp((s) => s.lab);
  const failure = progress.done?.failure;
  if (!failure) return null;
  const node = lab.nodes.find((n) => n.id === failure.target.nodeId);
  const link = lab.links.find((l) => l.id === failure.target.linkId);
  const where = node
    ? node.kind === 'host'
      ? 'the host'
      : node.name
    : link
      ? `the cable ${link.a.ifname} – ${link.b.ifname}`
      : null;
  return (
    <div className="apply-failure" role="alert">
      <p>
        <strong>Step {failure.index + 1} failed</strong>
        {where ? ` (at ${where})` : ''}: {failure.message}
      </p>
      <code className="failure-command">{failure.argv.join(' ')}</code>
      {failure.stderr.trim() ? <pre className="failure-stderr">{failure.stderr.trim()}</pre> : null}
      {progress.done?.rolledBack ? (
        <p className="small">The steps before it were undone: the kernel is as it was.</p>
      ) : null}
    </div>
  );
}

export function PlanPanel() {
  const lab = useApp((s) => s.lab);
  const applied = useApp((s) => s.appliedLab);
  const connection = useApp((s) => s.connection.status);
  const progress = useApp((s) => s.applyProgress);
  const agentError = useApp((s) => s.agentError);
  const plan = usePlan();
  const validation = useValidation();
  const applying = useApplying();
  const errors = validation.issues.filter((i) => i.severity === 'error').length;
  const connected = connection === 'connected';

  const reason =
    errors > 0
      ? `${errors} error${errors === 1 ? '' : 's'}: fix them to apply`
      : !connected
        ? 'Not connected to the agent: start it with npx netns-lab'
        : applying
          ? null
          : plan.length === 0
            ? 'Nothing to change: the kernel holds this lab.'
            : null;
  const canApply = errors === 0 && connected && !applying;
  const showProgress =
    progress !== null && (progress.done === null || plan.length === 0 || !progress.done.ok);

  const apply = (): void => {
    appStore.getState().sealEdit();
    agentClient()?.apply(appStore.getState().lab);
  };
  const destroy = (): void => {
    agentClient()?.destroy();
  };

  return (
    <section className="plan panel" aria-label="Plan">
      <header className="plan-head">
        <div>
          <h2 className="panel-title">Plan</h2>
          <p className="plan-count" aria-live="polite">
            {commandCount(plan.length)}{' '}
            <span className="plan-count-what">
              {applied === null ? 'to build the lab' : 'to update the kernel'}
            </span>
          </p>
        </div>
        <button
          type="button"
          className="primary-button"
          disabled={!canApply}
          aria-describedby="apply-reason"
          onClick={apply}
        >
          {applying ? 'Applying…' : 'Apply'}
        </button>
      </header>
      <p id="apply-reason" className={`apply-reason ${errors > 0 ? 'is-error' : ''}`}>
        {reason ??
          (applying
            ? 'The agent is running the commands below.'
            : 'Apply runs these commands, in this order.')}
      </p>
      {agentError ? (
        <div className="apply-failure" role="alert">
          <p>
            <strong>The agent refused:</strong> {agentError.message}
          </p>
          {agentError.issues.length ? (
            <ul className="small">
              {agentError.issues.map((i, k) => (
                <li key={k}>
                  <span className="mono">{i.path}</span>: {i.message}
                </li>
              ))}
            </ul>
          ) : null}
          <button
            type="button"
            className="link-button small"
            onClick={() => appStore.getState().dismissAgentError()}
          >
            Dismiss
          </button>
        </div>
      ) : null}
      <div className="plan-body">
        {progress && showProgress ? <Failure progress={progress} /> : null}
        {progress && showProgress ? (
          <Progress progress={progress} />
        ) : plan.length === 0 ? (
          <p className="muted plan-empty">
            {lab.nodes.length <= 1
              ? 'Add namespaces and bridges to see the commands that build them.'
              : 'Nothing to run.'}
          </p>
        ) : (
          <StepList
            label="Commands"
            total={plan.length}
            anchor={0}
            row={(i) => <code>{lineAt(plan, i)}</code>}
          />
        )}
        {!(progress && showProgress) ? <PlanNotes plan={plan} /> : null}
        {progress?.done?.ok && !showProgress ? (
          <p className="muted small last-apply">
            Last apply: {commandCount(progress.done.commandsRun).toLowerCase()} ran, all fine.
          </p>
        ) : null}
      </div>
      <footer className="plan-foot">
        <button
          type="button"
          className="small-button danger"
          disabled={!connected || applying || applied === null}
          onClick={destroy}
        >
          Destroy lab
        </button>
        <span className="muted small">Removes everything the lab built from the kernel.</span>
      </footer>
    </section>
  );
}
