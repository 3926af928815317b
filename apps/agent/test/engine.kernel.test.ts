/**
 * The agent's engine on the real kernel, inside its own sandbox: the seed's labs applied as the
 * browser applies them, pings for real, and the live tables compared with the kernel.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMPTY_LAB, exampleLab, labPatch, type Lab } from '@netns-lab/model';
import { createEngine, type KernelEngine } from '../src/engine/engine';
import { EngineClient } from './engine-client';

let engine: KernelEngine;
let client: EngineClient;

beforeAll(async () => {
  engine = await createEngine({ mode: 'sandbox' });
  client = new EngineClient(engine);
});

afterAll(async () => {
  client?.close();
  await engine?.close();
});

async function kernelJson<T>(ns: string, argv: string[]): Promise<T> {
  const result = await engine.runner.run(ns, argv);
  expect(result.exitCode, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

describe('the seed labs, applied through the agent', () => {
  it("joins red and blue with a veth: red pings blue and learns blue's MAC", async () => {
    const done = await client.apply(exampleLab('seed-veth'));
    expect(done.ok).toBe(true);
    expect(done.commandsRun).toBe(7);
    expect(done.processes).toBeLessThan(7);

    const result = await client.ping('red', '192.168.15.2', 2);
    expect(result.received).toBe(2);

    const red = await client.state('red');
    const blue = await client.state('blue');
    const blueMac = blue.links.find((l) => l.ifname === 'veth-blue')?.mac;
    const entry = red.neighbours.find((n) => n.address === '192.168.15.2');
    expect(blueMac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    expect(entry?.mac).toBe(blueMac);
    // The live state says what the kernel says.
    const kernel = await kernelJson<{ dst: string; lladdr?: string }[]>('red', [
      'ip',
      '-j',
      'neigh',
      'show',
    ]);
    expect(kernel.find((n) => n.dst === '192.168.15.2')?.lladdr).toBe(blueMac);
    expect(red.routes.some((r) => r.to === '192.168.15.0/24' && r.dev === 'veth-red')).toBe(true);
  });

  it('runs no command at all when the same lab is applied again', async () => {
    const done = await client.apply(exampleLab('seed-veth'));
    expect(done.ok).toBe(true);
    expect(done.commandsRun).toBe(0);
    expect(done.processes).toBe(0);
  });

  it('turns the veth lab into the bridge lab, and the bridge learns both MACs', async () => {
    const done = await client.apply(exampleLab('seed-bridge'));
    expect(done.ok).toBe(true);
    expect((await client.ping('red', '192.168.15.2', 2)).received).toBe(2);
    expect((await client.ping('blue', '192.168.15.1', 1)).received).toBe(1);
    const host = await client.state('host');
    const redMac = (await client.state('red')).links.find((l) => l.ifname === 'veth-red')?.mac;
    expect(
      host.fdb.some((e) => e.bridge === 'v-net-0' && e.mac === redMac && e.port === 'veth-red-br'),
    ).toBe(true);
  });

  it('reaches the LAN through the host gateway with MASQUERADE, and not without it', async () => {
    const gateway = exampleLab('seed-gateway');
    expect((await client.apply(gateway)).ok).toBe(true);
    const blue = await client.state('blue');
    expect(blue.routes).toContainEqual(
      expect.objectContaining({ to: '192.168.1.0/24', via: '192.168.15.5' }),
    );
    expect((await client.ping('blue', '192.168.1.3', 2)).received).toBe(2);
    const host = await client.state('host');
    expect(host.ipForward).toBe(true);
    const rule = host.nat.find((r) => r.source === '192.168.15.0/24' && r.target === 'MASQUERADE');
    expect(rule?.packets).toBeGreaterThan(0);
    // Traffic that stays on the bridge is switched, not masqueraded (even with br_netfilter):
    // the host's netfilter never sees red's ping to blue, so it has no connection for it (with
    // bridged frames in iptables it has one, whose reply goes to 192.168.15.5).
    expect((await client.ping('red', '192.168.15.2', 1)).received).toBe(1);
    const afterState = await client.state('host');
    const seen = JSON.stringify({ nat: afterState.nat, conntrack: afterState.conntrack });
    expect(afterState.conntrack, seen).toBeDefined();
    const bridged = (afterState.conntrack ?? []).filter((c) =>
      /src=192\.168\.15\.1 dst=192\.168\.15\.2\b/.test(c.original),
    );
    expect(bridged, seen).toEqual([]);
    // (Not the rule's counter: the host's own IGMP reports from 192.168.15.5 also count there,
    // whenever the kernel sends them.)

    const withoutNat: Lab = JSON.parse(JSON.stringify(gateway)) as Lab;
    const hostNode = withoutNat.nodes.find((n) => n.kind === 'host');
    if (hostNode?.kind === 'host') hostNode.nat = [];
    const done = await client.apply(withoutNat);
    expect(done.commandsRun).toBe(1);
    expect((await client.ping('blue', '192.168.1.3', 2)).received).toBe(0);
  });

  it('changes one address with two commands, and the tables follow', async () => {
    const lab = exampleLab('seed-bridge');
    expect((await client.apply(lab)).ok).toBe(true);
    const edited = exampleLab('seed-bridge');
    edited.links[0]!.a.addresses = ['192.168.15.9/24'];
    const done = await client.apply(edited);
    expect(done.commandsRun).toBe(2);
    const red = await client.state('red');
    expect(red.addresses.map((a) => a.cidr)).toContain('192.168.15.9/24');
    expect(red.addresses.map((a) => a.cidr)).not.toContain('192.168.15.1/24');
    expect((await client.ping('blue', '192.168.15.9', 1)).received).toBe(1);
  });

  it('applies a patch on the lab it last reported, and refuses a stale or unfitting one, changing nothing', async () => {
    const lab = exampleLab('seed-bridge');
    expect((await client.apply(lab)).ok).toBe(true);
    const { revision, lab: shown } = engine.shownLab();
    expect(shown).toBe(engine.appliedLab());
    const edited = exampleLab('seed-bridge');
    edited.links[1]!.a.addresses = ['192.168.15.8/24'];
    const patch = labPatch(shown!, edited)!;
    expect(patch.links).toHaveLength(1);

    const stale = await client.send({
      type: 'apply-patch',
      requestId: 's',
      base: revision + 7,
      patch,
    });
    expect(stale).toEqual([
      expect.objectContaining({ type: 'error', code: 'stale-base', path: 'base' }),
    ]);
    const unfitting = await client.send({
      type: 'apply-patch',
      requestId: 'u',
      base: revision,
      patch: { removeNodes: ['green'] },
    });
    expect(unfitting).toEqual([
      expect.objectContaining({ type: 'error', code: 'bad-message', path: 'patch.removeNodes[0]' }),
    ]);
    expect(engine.shownLab()).toEqual({ revision, lab: shown });

    await client.send({ type: 'apply-patch', requestId: 'p', base: revision, patch });
    const done = client.messages.find((m) => m.type === 'apply-done' && m.requestId === 'p');
    expect(done).toMatchObject({ ok: true, commandsRun: 2 });
    expect(engine.appliedLab()).toEqual(edited);
    // Untouched nodes and links are the reported lab's own objects.
    expect(engine.appliedLab()!.nodes.every((n, i) => n === shown!.nodes[i])).toBe(true);
    expect(engine.shownLab().revision).toBe(revision + 1);
    const blue = await client.state('blue');
    expect(blue.addresses.map((a) => a.cidr)).toContain('192.168.15.8/24');
  });

  it('routes across the router lab', async () => {
    expect((await client.apply(exampleLab('router'))).ok).toBe(true);
    expect((await client.ping('red', '192.168.16.1', 2)).received).toBe(2);
    expect((await client.ping('green', '192.168.15.1', 1)).received).toBe(1);
  });

  it('answers "which way?" with the kernel\'s route', async () => {
    const replies = await client.send({
      type: 'route-get',
      requestId: 'rg',
      ns: 'red',
      address: '192.168.16.1',
    });
    const answer = replies.find((m) => m.type === 'route-get-result');
    expect(answer).toMatchObject({ result: { dev: 'veth-red', via: '192.168.15.254' } });
  });
});

describe('failures and convergence', () => {
  it('stops at a failed step, says why in words, and rolls back to the last good lab', async () => {
    expect((await client.apply(exampleLab('seed-veth'))).ok).toBe(true);
    // Something outside netns-lab holds a name the next lab wants.
    expect(
      (await engine.runner.run('host', ['ip', 'link', 'add', 'veth-red-br', 'type', 'bridge']))
        .exitCode,
    ).toBe(0);
    const done = await client.apply(exampleLab('seed-bridge'));
    expect(done.ok).toBe(false);
    expect(done.failure?.message).toMatch(/already taken/);
    expect(done.failure?.argv.join(' ')).toContain('veth-red-br');
    expect(done.rolledBack).toBe(true);
    expect(engine.appliedLab()?.name).toBe(exampleLab('seed-veth').name);
    expect((await client.ping('red', '192.168.15.2', 1)).received).toBe(1);
    await engine.runner.run('host', ['ip', 'link', 'del', 'veth-red-br']);
  });

  it('converges when the kernel already holds part of the lab (as after a crash)', async () => {
    expect((await client.destroy()).ok).toBe(true);
    // Half of the bridge lab, typed by hand.
    for (const argv of [
      ['ip', 'netns', 'add', 'red'],
      ['ip', 'link', 'add', 'v-net-0', 'type', 'bridge'],
    ])
      expect((await engine.runner.run('host', argv)).exitCode).toBe(0);
    await client.send({ type: 'refresh' });
    const done = await client.apply(exampleLab('seed-bridge'));
    expect(done.ok, JSON.stringify(done.failure)).toBe(true);
    expect(done.commandsRun).toBe(12);
    expect((await client.ping('red', '192.168.15.2', 1)).received).toBe(1);
  });

  it('refuses an invalid lab with its errors and runs nothing', async () => {
    const before = engine.runner.processCount;
    const lab = exampleLab('seed-veth');
    lab.links[0]!.a.ifname = 'veth-red-bridge-1';
    const replies = await client.send({ type: 'apply', requestId: 'bad', lab });
    expect(replies).toContainEqual(
      expect.objectContaining({
        type: 'error',
        code: 'invalid-lab',
        issues: expect.arrayContaining([
          expect.objectContaining({ path: 'links[0].a.ifname', code: 'name-too-long' }),
        ]),
      }),
    );
    expect(engine.runner.processCount).toBe(before);
  });

  it('serialises two applies sent at once, and everyone sees both', async () => {
    const other = new EngineClient(engine);
    const [a, b] = await Promise.all([
      client.apply(exampleLab('seed-veth')),
      other.apply(exampleLab('seed-bridge')),
    ]);
    expect(a.ok && b.ok, JSON.stringify([a.failure, b.failure])).toBe(true);
    const events = other.messages
      .filter((m) => m.type === 'apply-started' || m.type === 'apply-done')
      .map((m) => m.type);
    expect(events.slice(-4)).toEqual([
      'apply-started',
      'apply-done',
      'apply-started',
      'apply-done',
    ]);
    expect(engine.appliedLab()?.name).toBe(exampleLab('seed-bridge').name);
    other.close();
  });

  it('tears the whole lab down', async () => {
    const done = await client.destroy();
    expect(done.ok).toBe(true);
    expect(engine.appliedLab()).toBeNull();
    // The sandbox names its own root "host" (for nsids); nothing else is left.
    const list = await engine.runner.run('host', ['ip', 'netns', 'list']);
    expect(
      list.stdout
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('host')),
    ).toEqual([]);
    expect((await client.apply(EMPTY_LAB)).commandsRun).toBe(0);
  });

  it('frees the veth names of deleted namespaces before it says done, so a rebuild works at once', async () => {
    for (let round = 0; round < 3; round += 1) {
      expect((await client.apply(exampleLab('seed-bridge'))).ok).toBe(true);
      const done = await client.destroy();
      expect(done.ok).toBe(true);
      // Only the bridge and the namespaces are deleted by command; the kernel takes the veths.
      expect(done.commandsRun).toBe(3);
      const veths = await engine.runner.run('host', ['ip', '-o', 'link', 'show', 'type', 'veth']);
      expect(veths.stdout).toBe('');
    }
  });
});
