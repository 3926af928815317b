/**
 * netns-lab's side of the benchmark: the agent as a separate process, driven over the
 * WebSocket as the browser drives it. Every apply is timed from sending it to apply-done, and
 * what it cost is read from /proc (the agent's CPU, children included) and from the sandbox's
 * PID namespace (every process started, the observer's reads included).
 */
import type { Lab } from '@netns-lab/model';
import { startAgent, startInProcessAgent, type AgentProcess } from './agent-process';
import { bridgeLab, otherAddressOf, addressOf } from './labs';
import { measureLiveLatency, type LiveResult } from './live';
import { lastPidIn, ownCpuSeconds, rssBytes, settle, treeCpuSeconds, treeRssBytes } from './proc';
import { BenchClient, type ApplyTiming } from './ws-client';

export interface AgentRun {
  timing: ApplyTiming;
  /** Processes started in the sandbox while it ran (applier and observer, with their children). */
  sandboxProcesses: number;
  /** CPU seconds of the agent's node process alone, and of its whole tree. */
  nodeCpuS: number;
  treeCpuS: number;
  /** The agent's own account of where the time went (its NETNS_LAB_TRACE line). */
  trace?: string;
  /**
   * From sending to the last message of the burst it caused (ns-state of every namespace it
   * changed): when the browser's live tables have caught up. Only measured for applies.
   */
  caughtUpMs?: number;
}

export type EditKind = 'add' | 'change' | 'remove';

export interface IdleResult {
  seconds: number;
  cpuPercentOfOneCore: number;
  nodeCpuPercent: number;
  nodeRssBytes: number;
  treeRssBytes: number;
  sandboxProcesses: number;
  messages: number;
}

export interface NetnsLabResult {
  n: number;
  applies: AgentRun[];
  teardowns: AgentRun[];
  edits: Map<EditKind, AgentRun[]>;
  live?: LiveResult;
  idle?: IdleResult;
  /** Set when something failed or timed out; the numbers so far are kept. */
  problem?: string;
  /**
   * When the packaged agent could not apply the lab, the apply as the agent in the bench's
   * process did it with a long command timeout (edits and teardown then use that agent).
   */
  inProcess?: AgentRun;
  /** Set when the last teardown failed. */
  teardownProblem?: string;
  /** What stopped the run after the applies (the agent died, a step failed). */
  later?: string;
}

export interface NetnsLabPlan {
  n: number;
  applyReps: number;
  editCycles: number;
  liveCount: number;
  idleSeconds: number;
  cpuProfDir?: string;
  /** ms; a repetition does not start after it. */
  deadline: number;
  timeoutMs: number;
}

async function measured(agent: AgentProcess, what: () => Promise<ApplyTiming>): Promise<AgentRun> {
  const pid0 = lastPidIn(agent.sandboxPid);
  const node0 = ownCpuSeconds(agent.pid);
  const tree0 = treeCpuSeconds(agent.pid);
  const timing = await what();
  const tree1 = treeCpuSeconds(agent.pid);
  const node1 = ownCpuSeconds(agent.pid);
  const pid1 = lastPidIn(agent.sandboxPid);
  const trace = await agent.nextTrace();
  return {
    timing,
    sandboxProcesses: Math.max(0, pid1 - pid0 - 1),
    nodeCpuS: node1 - node0,
    treeCpuS: tree1 - tree0,
    ...(trace === undefined ? {} : { trace }),
  };
}

/** The agent and its sandbox settle: no ns-state for a while (bounded). */
async function quiet(client: BenchClient, ms: number, maxMs: number): Promise<void> {
  const started = Date.now();
  let last = client.messagesReceived;
  let lastChange = Date.now();
  while (Date.now() - started < maxMs) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (client.messagesReceived !== last) {
      last = client.messagesReceived;
      lastChange = Date.now();
    } else if (Date.now() - lastChange >= ms) return;
  }
}

/**
 * Waits until the agent starts no process for `ms` (the observer has read everything the last
 * change touched), at most `maxMs`. Each check starts one process itself, in the sandbox.
 */
async function agentIdle(agent: AgentProcess, ms: number, maxMs: number): Promise<void> {
  const started = Date.now();
  let last = lastPidIn(agent.sandboxPid);
  let since = Date.now();
  while (Date.now() - started < maxMs) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = lastPidIn(agent.sandboxPid);
    if (now - last > 1) since = Date.now();
    last = now;
    if (Date.now() - since >= ms) return;
  }
}

async function measureIdle(
  agent: AgentProcess,
  client: BenchClient,
  seconds: number,
): Promise<IdleResult> {
  const pid0 = lastPidIn(agent.sandboxPid);
  const node0 = ownCpuSeconds(agent.pid);
  const tree0 = treeCpuSeconds(agent.pid);
  const messages0 = client.messagesReceived;
  const t0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const elapsed = (performance.now() - t0) / 1000;
  const tree1 = treeCpuSeconds(agent.pid);
  const node1 = ownCpuSeconds(agent.pid);
  const pid1 = lastPidIn(agent.sandboxPid);
  return {
    seconds: elapsed,
    cpuPercentOfOneCore: ((tree1 - tree0) / elapsed) * 100,
    nodeCpuPercent: ((node1 - node0) / elapsed) * 100,
    nodeRssBytes: rssBytes(agent.pid),
    treeRssBytes: treeRssBytes(agent.pid),
    sandboxProcesses: Math.max(0, pid1 - pid0 - 1),
    messages: client.messagesReceived - messages0,
  };
}

/** Command timeout for the in-process retry of an apply the packaged agent's 10 s stopped. */
const IN_PROCESS_TIMEOUT_MS = 600_000;

const fmt = (run: AgentRun): string =>
  `${(run.timing.totalMs / 1000).toFixed(2)} s, ${run.timing.done.commandsRun} commands, ` +
  `${run.timing.done.processes} applier processes, ${run.sandboxProcesses} in the sandbox, ` +
  `agent CPU ${run.treeCpuS.toFixed(2)} s`;

export async function benchNetnsLab(
  plan: NetnsLabPlan,
  progress: (line: string) => void,
): Promise<NetnsLabResult> {
  const { n } = plan;
  const result: NetnsLabResult = { n, applies: [], teardowns: [], edits: new Map() };
  const agentOptions = plan.cpuProfDir === undefined ? {} : { cpuProfDir: plan.cpuProfDir };
  let agent = await startAgent(agentOptions);
  let client: BenchClient | undefined;
  try {
    client = await BenchClient.connect(agent.port, agent.token);
    let c = client;
    const base = bridgeLab(n);
    const keepLab = plan.editCycles > 0 || plan.liveCount > 0 || plan.idleSeconds > 0;
    for (let rep = 0; rep < plan.applyReps; rep++) {
      await settle();
      let apply: AgentRun;
      try {
        apply = await measured(agent, () => c.apply(base, plan.timeoutMs));
      } catch (error) {
        result.problem = error instanceof Error ? error.message : String(error);
        progress(`  netns-lab apply ${n} #${rep + 1}: ${result.problem}`);
        if (!keepLab) throw error;
        // Once more in this process with a command timeout the apply fits in, so that the
        // apply's real time, the edits and the teardown can be measured. A fresh sandbox: a
        // command the runner stopped on its timeout can take the old one down a little later.
        progress(
          `  netns-lab apply ${n} again, agent in the bench's process, ` +
            `${IN_PROCESS_TIMEOUT_MS / 1000} s command timeout`,
        );
        client.close();
        await agent.close();
        agent = await startInProcessAgent(IN_PROCESS_TIMEOUT_MS);
        client = c = await BenchClient.connect(agent.port, agent.token);
        await settle();
        const retry = await measured(agent, () => c.apply(base, plan.timeoutMs));
        await quiet(c, 500, 180_000);
        retry.caughtUpMs = c.lastMessageAt - retry.timing.sentAt;
        result.inProcess = retry;
        progress(
          `  netns-lab apply ${n} (in process): ${fmt(retry)}; live view caught up after ` +
            `${(retry.caughtUpMs / 1000).toFixed(2)} s`,
        );
        break;
      }
      result.applies.push(apply);
      await quiet(c, 500, 120_000);
      apply.caughtUpMs = c.lastMessageAt - apply.timing.sentAt;
      progress(
        `  netns-lab apply ${n} #${rep + 1}: ${fmt(apply)}; live view caught up after ` +
          `${(apply.caughtUpMs / 1000).toFixed(2)} s`,
      );
      const last = rep === plan.applyReps - 1 || Date.now() > plan.deadline;
      // The last lab stays for the edits, live latency and idle cost; destroyed at the end.
      if (last && keepLab) break;
      await agentIdle(agent, 300, 30_000);
      await settle();
      const teardown = await measured(agent, () => c.destroy(plan.timeoutMs));
      result.teardowns.push(teardown);
      progress(`  netns-lab teardown ${n} #${rep + 1}: ${fmt(teardown)}`);
      if (last) break;
    }

    const addresses = new Map<number, string>();
    if (plan.editCycles > 0) {
      // Edits are measured on a settled lab: after a big apply the kernel goes on for tens of
      // seconds (IPv6 duplicate address detection, router solicitations and MLD on every new
      // link), and each of those events has the observer read a namespace again.
      await agentIdle(agent, 300, 30_000);
      const waited = await settle(0.15, 60_000);
      progress(`  the machine settled after the apply in ${(waited / 1000).toFixed(1)} s`);
    }
    for (let cycle = 0; cycle < plan.editCycles; cycle++) {
      if (cycle > 0 && Date.now() > plan.deadline) break;
      await agentIdle(agent, 300, 30_000);
      await settle();
      const steps: [EditKind, Lab][] = [];
      steps.push(['add', bridgeLab(n + 1, { addresses })]);
      const toggled = addresses.has(0) ? addressOf(0) : otherAddressOf(0);
      if (toggled === addressOf(0)) addresses.delete(0);
      else addresses.set(0, toggled);
      steps.push(['change', bridgeLab(n + 1, { addresses })]);
      steps.push(['remove', bridgeLab(n, { addresses })]);
      for (const [kind, lab] of steps) {
        // Each edit starts from a kernel the observer has caught up with, as a student's would.
        await agentIdle(agent, 300, 30_000);
        await settle(0.15, 5000);
        const run = await measured(agent, () => c.apply(lab, plan.timeoutMs));
        const runs = result.edits.get(kind) ?? [];
        runs.push(run);
        result.edits.set(kind, runs);
        progress(`  netns-lab edit ${n} ${kind} #${cycle + 1}: ${fmt(run)}`);
        if (run.trace !== undefined) progress(`    inside the agent: ${run.trace}`);
      }
    }

    if (plan.idleSeconds > 0) {
      // Steady state: for a minute after links come up, IPv6 (DAD, router solicitations, MLD)
      // makes kernel events, each of which has the observer read a namespace again.
      await agentIdle(agent, 5000, 60_000);
      await settle();
      progress(`  idle cost with ${n} namespaces and one client: ${plan.idleSeconds} s`);
      result.idle = await measureIdle(agent, c, plan.idleSeconds);
    }
    if (plan.liveCount > 0) {
      await agentIdle(agent, 300, 30_000);
      progress(`  live latency on ${n} namespaces: ${plan.liveCount} changes of each kind`);
      result.live = await measureLiveLatency(agent, c, plan.liveCount, progress);
    }
    if (keepLab) {
      await agentIdle(agent, 300, 30_000);
      await settle();
      try {
        const teardown = await measured(agent, () => c.destroy(plan.timeoutMs));
        result.teardowns.push(teardown);
        progress(`  netns-lab teardown ${n}: ${fmt(teardown)}`);
      } catch (error) {
        result.teardownProblem = error instanceof Error ? error.message : String(error);
        progress(`  netns-lab teardown ${n}: ${result.teardownProblem}`);
      }
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const why = agent.exited() ?? message;
    result.later = why;
    result.problem ??= why;
    progress(`  netns-lab ${n}: ${why}`);
  } finally {
    client?.close();
    await agent.close();
  }
  return result;
}
