/**
 * The engine: one sandbox (or the host), one runner, one observer, one applier. The server
 * hands it parsed client messages; it answers the sender and broadcasts what every client
 * must see (apply progress, the applied lab, kernel changes).
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  applyLabPatch,
  checkKernelName,
  EMPTY_LAB,
  HOST_NS,
  checkLab,
  shareUnchanged,
  type ClientMessage,
  type ErrorCode,
  type KernelView,
  type Lab,
  type NamespaceState,
} from '@netns-lab/model';
import { createApplier, type Applier, type ApplyOutcome } from '../apply/applier';
import { fileJournal, memoryJournal } from '../apply/journal';
import { createObserver, type Observer } from '../kernel/observer';
import { ping, routeGet, tracepath } from '../kernel/probes';
import { namespacesIn } from '../kernel/read-namespace';
import { createRunner, type Runner } from '../kernel/runner';
import { createSandbox, type Sandbox } from '../kernel/sandbox';
import { detectTools } from '../kernel/tools';
import { timingOf, traceApply } from './timing';
import { warmUpPipeline } from './warm-up';
import type { Engine, EngineInfo, EngineOptions, Send } from './types';

/** Quiet time in the kernel's tables before the applier looks at them for the next apply. */
const PREPARE_AFTER_MS = 300;

interface Cancellable {
  cancel(): void;
}

/** An engine, plus its runner for tests that compare the live state with the kernel itself. */
export type KernelEngine = Engine & { readonly runner: Runner };

export async function createEngine(options: EngineOptions): Promise<KernelEngine> {
  const sandbox: Sandbox = await createSandbox({ mode: options.mode });
  let runner: Runner | undefined;
  let observer: Observer | undefined;
  try {
    runner = createRunner(sandbox, { timeoutMs: options.commandTimeoutMs ?? 10_000 });
    return await assemble(options, sandbox, runner, (o) => (observer = o));
  } catch (error) {
    await observer?.close();
    await runner?.close();
    await sandbox.close();
    throw error;
  }
}

async function assemble(
  options: EngineOptions,
  sandbox: Sandbox,
  runner: Runner,
  keepObserver: (o: Observer) => void,
): Promise<KernelEngine> {
  const subscribers = new Set<Send>();
  const broadcast: Send = (message) => {
    for (const send of subscribers) send(message);
  };
  const tools = await detectTools(runner);
  if (sandbox.mode === 'sandbox') await keepBridgesOutOfIptables(runner);
  const info: EngineInfo = { mode: sandbox.mode, rootless: sandbox.rootless, tools };

  // Once the kernel's tables have stopped changing for a moment, the applier looks at them for
  // the applied lab (see Applier.prepare): after a big apply every namespace was read anew, and
  // the student's next edit would otherwise pay for looking at all of them.
  let prepareTimer: NodeJS.Timeout | undefined;
  let prepare = (): void => undefined; // the applier's, once it exists (below)
  const prepareSoon = (): void => {
    if (prepareTimer) clearTimeout(prepareTimer);
    prepareTimer = setTimeout(() => {
      prepareTimer = undefined;
      prepare();
    }, PREPARE_AFTER_MS);
    prepareTimer.unref();
  };
  const observer = await createObserver(runner, {
    onChange: (_ns, state) => {
      broadcast({ type: 'ns-state', state });
      prepareSoon();
    },
    onGone: (ns) => broadcast({ type: 'ns-gone', ns }),
  });
  keepObserver(observer);

  const view = (): KernelView => {
    const states = new Map<string, NamespaceState>();
    for (const state of observer.snapshot()) states.set(state.ns, state);
    // Which namespaces exist comes from the lab's /run/netns itself, not from the observer: it
    // hears of a deletion a debounce and a read later, and an apply that trusted a namespace
    // deleted a moment ago would not create it again (and its veths would fail).
    return { namespaces: new Set(namespacesIn(sandbox.netnsDir)), states };
  };
  const journal =
    sandbox.mode === 'host'
      ? await fileJournal(join(options.stateDir ?? '/var/lib/netns-lab', 'journal.json'))
      : memoryJournal();
  const applier: Applier = createApplier({
    runner,
    journal,
    hostMode: sandbox.mode === 'host',
    cache: {
      view,
      refresh: async (namespaces) => {
        await Promise.all(namespaces.map((ns) => observer.refresh(ns)));
      },
      replacing: (namespaces) => observer.replacing(namespaces),
      linkReports: (listener) => observer.onLinkReport(listener),
    },
  });
  prepare = () => applier.prepare();
  /** The lab as clients were last told it, numbered: the base of their patches. */
  let shown: { revision: number; lab: Lab | null } = { revision: 0, lab: applier.applied() };
  const shownLab = (): { revision: number; lab: Lab | null } => {
    const lab = applier.applied();
    if (lab !== shown.lab) shown = { revision: shown.revision + 1, lab };
    return shown;
  };
  const stopWarmUp = new AbortController();
  if (options.warmUp === true)
    void warmUpPipeline({ signal: stopWarmUp.signal }).catch((error: unknown) => {
      console.error(`netns-lab: warming the lab pipeline up failed: ${String(error)}`);
    });

  // Running pings and tracepaths, per client: request ids are the client's own.
  const running = new Map<Send, Map<string, Cancellable>>();
  const jobsOf = (reply: Send): Map<string, Cancellable> => {
    let jobs = running.get(reply);
    if (jobs === undefined) running.set(reply, (jobs = new Map()));
    return jobs;
  };

  async function applyAndReport(
    message: ClientMessage & { type: 'apply' | 'apply-patch' | 'destroy' },
    run: (listener: Parameters<Applier['apply']>[1]) => Promise<ApplyOutcome>,
  ): Promise<void> {
    const kind = message.type === 'destroy' ? 'destroy' : 'apply';
    const { requestId } = message;
    const checked = performance.now();
    const applyId = randomUUID();
    // Reads asked for by the apply's own kernel events wait until it is done (see hold()).
    const release = observer.hold();
    const report = (outcome: ApplyOutcome): void => {
      release();
      traceApply(kind, timingOf(message), checked, outcome);
      broadcast({
        type: 'apply-done',
        applyId,
        requestId,
        ok: outcome.ok,
        commandsRun: outcome.commandsRun,
        processes: outcome.processes,
        durationMs: Math.round(outcome.durationMs * 10) / 10,
        ...(outcome.failure === undefined ? {} : { failure: outcome.failure }),
        ...(outcome.rolledBack === undefined ? {} : { rolledBack: outcome.rolledBack }),
        ...(outcome.touched.length === 0 ? {} : { reading: outcome.touched }),
      });
      broadcast({ type: 'lab', ...shownLab() });
    };
    const outcome = await run({
      started: (steps) => broadcast({ type: 'apply-started', applyId, requestId, kind, steps }),
      step: (index, total, ok, argv) =>
        broadcast({
          type: 'apply-step',
          applyId,
          index,
          total,
          status: ok ? 'ok' : 'failed',
          argv,
        }),
      // Before the next queued apply starts, so that every client sees them in order.
      finished: report,
    }).finally(release);
    // ip_forward and NAT rules make no kernel events: read the namespaces that changed.
    // (The rest were heard through the monitor; their reads were held until the apply ended.)
    void Promise.all(outcome.unheard.map((ns) => observer.refresh(ns).catch(() => undefined)));
  }

  /** Whether the lab has namespace `ns` now (the observer may not have seen it yet). */
  function knownNamespace(ns: string): boolean {
    if (ns === HOST_NS) return true;
    return checkKernelName(ns) === null && existsSync(join(sandbox.netnsDir, ns));
  }

  function missingTool(name: string, requestId: string, reply: Send): boolean {
    const status = tools[name];
    if (status?.available) return false;
    reply({
      type: 'error',
      requestId,
      code: 'tool-missing',
      message: `${name} is not installed${status?.install ? `: ${status.install}` : ''}`,
    });
    return true;
  }

  /**
   * The lab an apply or apply-patch asks for, checked against the lab's own rules (the message
   * itself passed the shared schema on arrival); or null, after an error reply: nothing changes.
   */
  function checkedLab(
    message: ClientMessage & { type: 'apply' | 'apply-patch' },
    reply: Send,
  ): Lab | null {
    const refuse = (
      code: ErrorCode,
      text: string,
      more: { path?: string; issues?: { code: string; path: string; message: string }[] } = {},
    ): null => {
      reply({ type: 'error', requestId: message.requestId, code, message: text, ...more });
      return null;
    };
    let wanted: Lab;
    if (message.type === 'apply') {
      // What did not change since the applied lab is that lab's objects again, so that the
      // pipeline's per-node work is remembered (an edit costs what it changes).
      wanted = shareUnchanged(applier.applied(), message.lab);
    } else {
      // A patch keeps the untouched nodes and links as they are: no need to compare.
      if (message.base !== shown.revision)
        return refuse(
          'stale-base',
          `The lab changed since revision ${message.base} (it is at ${shown.revision} now, after another apply): nothing was changed; send the whole lab.`,
          { path: 'base' },
        );
      const patched = applyLabPatch(shown.lab ?? EMPTY_LAB, message.patch);
      if ('error' in patched)
        return refuse(
          'bad-message',
          `${patched.error.path}: ${patched.error.message}; nothing was changed.`,
          { path: patched.error.path },
        );
      wanted = patched.lab;
    }
    const result = checkLab(wanted);
    const errors = result.issues.filter((i) => i.severity === 'error');
    if (result.lab !== null && errors.length === 0) return result.lab;
    const first = errors[0] ? ` ${errors[0].path}: ${errors[0].message}` : '';
    return refuse(
      'invalid-lab',
      `The lab has ${errors.length} error${errors.length === 1 ? '' : 's'}; nothing was changed.${first}`,
      { issues: errors.map((i) => ({ code: i.code, path: i.path, message: i.message })) },
    );
  }

  async function handle(message: ClientMessage, reply: Send): Promise<void> {
    // Real work warms the pipeline up itself, and must not share the thread with the warm-up.
    if (message.type === 'apply' || message.type === 'apply-patch' || message.type === 'destroy')
      stopWarmUp.abort();
    switch (message.type) {
      case 'apply':
      case 'apply-patch': {
        const lab = checkedLab(message, reply);
        if (lab !== null) await applyAndReport(message, (listener) => applier.apply(lab, listener));
        return;
      }
      case 'destroy':
        await applyAndReport(message, (listener) => applier.destroy(listener));
        return;
      case 'ping': {
        if (!knownNamespace(message.ns))
          return unknownNamespace(message.ns, message.requestId, reply);
        if (missingTool('ping', message.requestId, reply)) return;
        const { requestId } = message;
        const handle = ping(
          runner,
          message.ns,
          message.target,
          { count: message.count, intervalMs: message.intervalMs },
          (event) => {
            if (event.type === 'reply')
              reply({
                type: 'ping-reply',
                requestId,
                seq: event.seq,
                ttl: event.ttl,
                timeMs: event.timeMs,
                from: event.from,
              });
            else if (event.type === 'loss')
              reply({
                type: 'ping-loss',
                requestId,
                seq: event.seq,
                ...(event.message ? { message: event.message } : {}),
              });
          },
        );
        jobsOf(reply).set(requestId, handle);
        try {
          const summary = await handle.done;
          reply({ type: 'ping-done', requestId, ...summary });
        } finally {
          jobsOf(reply).delete(requestId);
          void observer.refresh(message.ns).catch(() => undefined);
        }
        return;
      }
      case 'route-get': {
        if (!knownNamespace(message.ns))
          return unknownNamespace(message.ns, message.requestId, reply);
        try {
          const result = await routeGet(runner, message.ns, message.address);
          reply({
            type: 'route-get-result',
            requestId: message.requestId,
            ns: message.ns,
            address: message.address,
            result,
          });
        } catch (error) {
          reply({
            type: 'route-get-result',
            requestId: message.requestId,
            ns: message.ns,
            address: message.address,
            error: (error as Error).message,
          });
        }
        return;
      }
      case 'tracepath': {
        if (!knownNamespace(message.ns))
          return unknownNamespace(message.ns, message.requestId, reply);
        if (missingTool('tracepath', message.requestId, reply)) return;
        const { requestId } = message;
        const handle = tracepath(runner, message.ns, message.target, (hop) =>
          reply({ type: 'tracepath-hop', requestId, ...hop }),
        );
        jobsOf(reply).set(requestId, handle);
        try {
          const result = await handle.done;
          reply({
            type: 'tracepath-done',
            requestId,
            ...(result.error ? { error: result.error } : {}),
          });
        } finally {
          jobsOf(reply).delete(requestId);
        }
        return;
      }
      case 'cancel':
        running.get(reply)?.get(message.requestId)?.cancel();
        return;
      case 'refresh':
        if (message.ns !== undefined && !knownNamespace(message.ns))
          return unknownNamespace(message.ns, undefined, reply);
        await observer.refresh(message.ns);
        return;
    }
  }

  function unknownNamespace(ns: string, requestId: string | undefined, reply: Send): void {
    reply({
      type: 'error',
      ...(requestId === undefined ? {} : { requestId }),
      code: 'unknown-namespace',
      message: `There is no namespace called ${JSON.stringify(ns)} in the lab.`,
      path: 'ns',
    });
  }

  let closed: Promise<void> | null = null;
  return {
    info,
    runner,
    appliedLab: () => applier.applied(),
    shownLab,
    snapshot: async () => observer.snapshot(),
    subscribe(send) {
      subscribers.add(send);
      return () => subscribers.delete(send);
    },
    handle,
    close() {
      closed ??= (async () => {
        stopWarmUp.abort();
        if (prepareTimer) clearTimeout(prepareTimer);
        for (const jobs of running.values()) for (const job of jobs.values()) job.cancel();
        await observer.close();
        await runner.close();
        await sandbox.close();
      })();
      return closed;
    },
  };
}

/**
 * Where br_netfilter is loaded (Docker loads it), bridged frames go through iptables, so the
 * seed's MASQUERADE would also rewrite red-to-blue traffic on v-net-0 and blue would see red's
 * pings come from 192.168.15.5. The note teaches a bridge that just switches frames: turn that
 * off in the sandbox (the setting is per namespace; the host is untouched).
 */
async function keepBridgesOutOfIptables(runner: Runner): Promise<void> {
  await runner.run(HOST_NS, [
    'sh',
    '-c',
    'for f in /proc/sys/net/bridge/bridge-nf-call-iptables /proc/sys/net/bridge/bridge-nf-call-ip6tables; do [ -w "$f" ] && echo 0 > "$f"; done; true',
  ]);
}
