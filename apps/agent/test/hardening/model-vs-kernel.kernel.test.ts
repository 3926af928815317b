/**
 * Model against kernel: random sequences of edits, applied through the agent in its sandbox;
 * after each, the kernel's own tables (read with `ip -j`, sysctl and iptables-save, not through
 * the agent's observer) hold exactly the lab: its namespaces, its interfaces with their kind,
 * up state, master, MTU and MAC, its addresses, routes, ip_forward and MASQUERADE rules.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileLab, EXAMPLE_LABS, HOST_NS, type KernelModel, type Lab } from '@netns-lab/model';
import { labArbitrary } from '../../../../packages/model/test/arbitraries';
import { createEngine, type KernelEngine } from '../../src/engine/engine';
import { EngineClient } from '../engine-client';
import {
  kernelIsEmpty,
  kernelNamespaces,
  readKernelNamespace,
  type KernelNamespace,
} from './support/kernel-read';

const SEQUENCES = 10;
const SEED = 7_001;

let engine: KernelEngine;
let client: EngineClient;
let applies = 0;

beforeAll(async () => {
  engine = await createEngine({ mode: 'sandbox' });
  client = new EngineClient(engine);
});

afterAll(async () => {
  client?.close();
  await engine?.close();
});

/** A namespace's tables as the lab says the kernel must hold them (the same shape as read). */
function expected(
  model: KernelModel,
  ns: string,
): Omit<KernelNamespace, 'links'> & {
  links: Partial<KernelNamespace['links'][number]>[];
} {
  const inNs = <T extends { ns: string }>(entities: Record<string, T>): T[] =>
    Object.values(entities).filter((e) => e.ns === ns);
  const links: Partial<KernelNamespace['links'][number]>[] = inNs(model.iface).map((i) => ({
    ifname: i.ifname,
    kind: i.kind,
    up: i.up,
    master: i.master,
    ...(i.mtu === undefined ? {} : { mtu: i.mtu }),
    ...(i.mac === undefined ? {} : { mac: i.mac }),
  }));
  if (ns !== HOST_NS) links.push({ ifname: 'lo', kind: undefined, up: ns in model.loopback });
  return {
    links: links.sort((a, b) => (a.ifname ?? '').localeCompare(b.ifname ?? '')),
    addresses: inNs(model.address)
      .map((a) => `${a.ifname} ${a.cidr}`)
      .sort(),
    routes: inNs(model.route)
      .map((r) => ({ to: r.to, via: r.via, dev: r.dev }))
      .sort((a, b) => a.to.localeCompare(b.to)),
    ipForward: ns in model.forward,
    masquerade: inNs(model.nat)
      .map((n) =>
        n.outInterface === undefined ? `-s ${n.source}` : `-s ${n.source} -o ${n.outInterface}`,
      )
      .sort(),
  };
}

/** Compares the kernel with the lab; returns the differences (empty: they match). */
async function differences(lab: Lab): Promise<string[]> {
  const model = compileLab(lab);
  const problems: string[] = [];
  const wantNamespaces = Object.keys(model.netns).sort();
  const haveNamespaces = await kernelNamespaces(engine.runner);
  if (JSON.stringify(haveNamespaces) !== JSON.stringify(wantNamespaces))
    problems.push(
      `namespaces: want ${wantNamespaces.join(',')}, kernel ${haveNamespaces.join(',')}`,
    );
  for (const ns of [HOST_NS, ...wantNamespaces]) {
    if (ns !== HOST_NS && !haveNamespaces.includes(ns)) continue;
    const have = await readKernelNamespace(engine.runner, ns);
    const want = expected(model, ns);
    // The kernel's links, with only the attributes the lab sets (MTU and MAC when it sets them).
    const haveLinks = have.links
      .filter((l) => ns !== HOST_NS || l.ifname !== 'lo')
      .map((l) => {
        const w = want.links.find((x) => x.ifname === l.ifname);
        return {
          ifname: l.ifname,
          kind: l.ifname === 'lo' ? undefined : l.kind,
          up: l.up,
          master: l.master,
          ...(w?.mtu === undefined ? {} : { mtu: l.mtu }),
          ...(w?.mac === undefined ? {} : { mac: l.mac }),
        };
      });
    // Routes: the device too when the lab names it (the kernel always says which).
    const haveRoutes = have.routes.map((r) => {
      const w = want.routes.find((x) => x.to === r.to);
      return { to: r.to, via: r.via, dev: w?.dev === undefined ? undefined : r.dev };
    });
    const haveNs = {
      ...have,
      links: haveLinks,
      routes: haveRoutes,
      addresses: have.addresses.filter((a) => !a.startsWith('lo ')),
    };
    for (const key of ['links', 'addresses', 'routes', 'ipForward', 'masquerade'] as const) {
      const a = JSON.stringify(haveNs[key]);
      const b = JSON.stringify(want[key]);
      if (a !== b) problems.push(`${ns} ${key}: want ${b}, kernel ${a}`);
    }
  }
  return problems;
}

const labs = fc.oneof(
  { weight: 4, arbitrary: labArbitrary },
  { weight: 1, arbitrary: fc.constantFrom(...EXAMPLE_LABS.map((e) => e.lab)) },
);

const edits = fc.tuple(labs, fc.constantFrom('now', 'pause', 'refresh'));

describe('the kernel holds exactly the lab', () => {
  it(`after every edit of ${SEQUENCES} random sequences, and nothing after destroy`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(edits, { minLength: 3, maxLength: 6 }), async (sequence) => {
        for (const [i, [lab, before]] of sequence.entries()) {
          // The agent diffs against its cache of the kernel: right after an apply it trusts its
          // own record for the namespaces it changed; once they are read again, their tables
          // (a read on a kernel event, or a full refresh). Edits are made in each state.
          if (before === 'refresh') await client.send({ type: 'refresh' });
          if (before === 'pause') await new Promise((resolve) => setTimeout(resolve, 200));
          const done = await client.apply(lab);
          applies += 1;
          expect(done.ok, `edit ${i}: ${JSON.stringify(done.failure)}`).toBe(true);
          expect(await differences(lab), `after edit ${i}`).toEqual([]);
        }
        expect((await client.destroy()).ok).toBe(true);
        const { empty, detail } = await kernelIsEmpty(engine.runner);
        expect(empty, detail).toBe(true);
      }),
      { numRuns: SEQUENCES, seed: SEED, endOnFailure: true },
    );
    console.info(`model against kernel: ${applies} applies checked against the kernel`);
  }, 120_000);
});
