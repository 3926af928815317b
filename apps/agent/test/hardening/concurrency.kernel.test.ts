/**
 * Concurrency: two clients of the real server apply different labs at the same moment, round
 * after round. Applies run one at a time (every client's stream shows each apply's start, steps
 * and end together, never mixed with another's), no NAT rule is ever doubled, and both clients
 * end up with the same lab, the one the kernel holds.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleLab, HOST_NS, type Lab, type ServerMessage } from '@netns-lab/model';
import type { TestClient } from '../../src/server/test-support';
import { startAgentServer, type AgentServer } from './support/agent-server';
import { readKernelNamespace } from './support/kernel-read';

const ROUNDS = 8;

let agent: AgentServer;
beforeAll(async () => {
  agent = await startAgentServer();
});
afterAll(async () => {
  await agent?.close();
});

/** seed-gateway with blue moved to another address: the same NAT rule, other steps. */
function gatewayVariant(): Lab {
  const lab = exampleLab('seed-gateway');
  const link = lab.links.find((l) => l.a.node === 'blue' || l.b.node === 'blue');
  if (link === undefined) throw new Error('no link to blue');
  const end = link.a.node === 'blue' ? link.a : link.b;
  end.addresses = ['192.168.15.7/24'];
  lab.name = 'gateway, blue at .7';
  return lab;
}

/** seed-gateway with a second MASQUERADE rule. */
function gatewayTwoRules(): Lab {
  const lab = exampleLab('seed-gateway');
  for (const node of lab.nodes)
    if (node.kind === 'host')
      node.nat = [...node.nat, { kind: 'masquerade', source: '10.9.0.0/16' }];
  lab.name = 'gateway, two rules';
  return lab;
}

const LABS: Lab[] = [
  exampleLab('seed-gateway'),
  gatewayVariant(),
  gatewayTwoRules(),
  exampleLab('router'),
];

type Progress = Extract<ServerMessage, { type: 'apply-started' | 'apply-step' | 'apply-done' }>;

/** The applies in a client's stream, in order; throws if two of them interleave. */
function appliesIn(client: TestClient): string[] {
  const order: string[] = [];
  let open: string | null = null;
  for (const m of client.received) {
    if (m.type !== 'apply-started' && m.type !== 'apply-step' && m.type !== 'apply-done') continue;
    const p = m as Progress;
    if (p.type === 'apply-started') {
      if (open !== null) throw new Error(`apply ${p.applyId} started inside ${open}`);
      open = p.applyId;
      order.push(p.applyId);
    } else if (p.applyId !== open) {
      throw new Error(`${p.type} of ${p.applyId} arrived inside ${String(open)}`);
    } else if (p.type === 'apply-done') {
      open = null;
    }
  }
  if (open !== null) throw new Error(`apply ${open} never ended`);
  return order;
}

function send(client: TestClient, lab: Lab | null): string {
  const requestId = randomUUID();
  client.send(lab === null ? { type: 'destroy', requestId } : { type: 'apply', requestId, lab });
  return requestId;
}

describe('two clients applying at once', () => {
  it(`never interleave, never double a rule, and agree on the final lab (${ROUNDS} rounds)`, async () => {
    const a = await agent.connect();
    const b = await agent.connect();
    const labOf = new Map<string, Lab | null>();
    let masqueradeLines = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      const labA = LABS[round % LABS.length]!;
      // Every fourth round, B tears the lab down while A builds one.
      const labB = round % 4 === 2 ? null : LABS[(round + 1) % LABS.length]!;
      const idA = send(a, labA);
      const idB = send(b, labB);
      labOf.set(idA, labA);
      labOf.set(idB, labB);
      const doneA = await a.next('apply-done', (m) => m.requestId === idA, 30_000);
      const doneB = await b.next('apply-done', (m) => m.requestId === idB, 30_000);
      expect(doneA.ok, JSON.stringify(doneA.failure)).toBe(true);
      expect(doneB.ok, JSON.stringify(doneB.failure)).toBe(true);

      // Whichever ran second is what the kernel holds, with each MASQUERADE at most once.
      const host = await readKernelNamespace(agent.engine.runner, HOST_NS);
      masqueradeLines += host.masquerade.length;
      expect(new Set(host.masquerade).size).toBe(host.masquerade.length);
      const order = appliesIn(a);
      const lastDone = a.received.filter((m) => m.type === 'apply-done').at(-1) as Progress & {
        requestId: string;
      };
      expect(lastDone.applyId).toBe(order.at(-1));
      const last = labOf.get(lastDone.requestId) ?? null;
      const wantNat = (last?.nodes ?? []).flatMap((n) => (n.kind === 'host' ? n.nat : []));
      expect(host.masquerade).toEqual(wantNat.map((r) => `-s ${r.source}`).sort());
    }

    // Both streams: the same applies, in the same order, none interleaved.
    const orderA = appliesIn(a);
    const orderB = appliesIn(b);
    expect(orderA).toHaveLength(ROUNDS * 2);
    expect(orderB).toEqual(orderA);
    // Both clients' last `lab` is the kernel's lab.
    await expect
      .poll(() => {
        const lastA = a.received.filter((m) => m.type === 'lab').at(-1);
        const lastB = b.received.filter((m) => m.type === 'lab').at(-1);
        return [lastA, lastB];
      })
      .toEqual([
        { type: 'lab', ...agent.engine.shownLab() },
        { type: 'lab', ...agent.engine.shownLab() },
      ]);
    expect(agent.engine.shownLab().lab).toBe(agent.engine.appliedLab());
    console.info(
      `concurrency: ${ROUNDS * 2} applies from 2 clients at once, ${masqueradeLines} MASQUERADE rules checked, none doubled`,
    );
    a.close();
    b.close();
  }, 120_000);
});
