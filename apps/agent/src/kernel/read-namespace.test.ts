import { NamespaceStateSchema } from '@netns-lab/model';
import { afterEach, describe, expect, it } from 'vitest';
import { ping } from './probes';
import { listNamespaces, readNamespace, readNamespaceDetail } from './read-namespace';
import {
  BRIDGE_LAB,
  createTestLab,
  GATEWAY_LAB,
  expectHostUntouched,
  runScript,
  VETH_LAB,
  type TestLab,
} from './testing';

expectHostUntouched();
let lab: TestLab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

async function pingOnce(ns: string, target: string) {
  if (!lab) throw new Error('no lab');
  return ping(lab.runner, ns, target, { count: 1, intervalMs: 200 }, () => undefined).done;
}

describe('reading a namespace', () => {
  it('shows the seed’s veth lab: red’s address, route, peer, and blue’s MAC after a ping', async () => {
    lab = await createTestLab();
    await runScript(lab.runner, VETH_LAB);
    expect(await listNamespaces(lab.runner)).toEqual(['host', 'blue', 'red']);

    const start = lab.runner.processCount;
    const red = await readNamespace(lab.runner, 'red');
    expect(lab.runner.processCount - start).toBe(1);
    expect(NamespaceStateSchema.parse(red)).toEqual(red);

    const vethRed = red.links.find((l) => l.ifname === 'veth-red');
    expect(vethRed).toMatchObject({ kind: 'veth', adminUp: true, peerNamespace: 'blue' });
    expect(red.addresses).toContainEqual({
      ifname: 'veth-red',
      cidr: '192.168.15.1/24',
      family: 4,
      scope: 'global',
    });
    expect(red.routes).toContainEqual(
      expect.objectContaining({ to: '192.168.15.0/24', dev: 'veth-red', family: 4 }),
    );
    expect(red.ipForward).toBe(false);

    expect((await pingOnce('red', '192.168.15.2')).received).toBe(1);
    const blue = await readNamespace(lab.runner, 'blue');
    const vethBlue = blue.links.find((l) => l.ifname === 'veth-blue');
    expect(vethBlue?.peerIfindex).toBe(vethRed?.ifindex);
    expect(vethRed?.peerIfindex).toBe(vethBlue?.ifindex);
    const afterPing = await readNamespace(lab.runner, 'red');
    const neighbour = afterPing.neighbours.find((n) => n.address === '192.168.15.2');
    expect(neighbour?.dev).toBe('veth-red');
    expect(neighbour?.mac).toBe(vethBlue?.mac);
    expect(['REACHABLE', 'STALE', 'DELAY']).toContain(neighbour?.state);
  });

  it('lists the bridge’s forwarding table with the MACs it learned on each port', async () => {
    lab = await createTestLab();
    await runScript(lab.runner, BRIDGE_LAB);
    expect((await pingOnce('red', '192.168.15.2')).received).toBe(1);

    const host = await readNamespace(lab.runner, 'host');
    const red = await readNamespace(lab.runner, 'red');
    const blue = await readNamespace(lab.runner, 'blue');
    const macOf = (state: typeof red, ifname: string) =>
      state.links.find((l) => l.ifname === ifname)?.mac;

    expect(host.links.find((l) => l.ifname === 'v-net-0')?.kind).toBe('bridge');
    expect(host.links.find((l) => l.ifname === 'veth-red-br')).toMatchObject({
      master: 'v-net-0',
      peerNamespace: 'red',
    });
    expect(red.links.find((l) => l.ifname === 'veth-red')?.peerNamespace).toBe('host');
    expect(host.fdb).toContainEqual({
      mac: macOf(red, 'veth-red'),
      port: 'veth-red-br',
      bridge: 'v-net-0',
      permanent: false,
    });
    expect(host.fdb).toContainEqual({
      mac: macOf(blue, 'veth-blue'),
      port: 'veth-blue-br',
      bridge: 'v-net-0',
      permanent: false,
    });
    // Each port's own address is there too, marked permanent; multicast filters are not.
    expect(host.fdb).toContainEqual(
      expect.objectContaining({
        port: 'veth-red-br',
        mac: macOf(host, 'veth-red-br'),
        permanent: true,
      }),
    );
    expect(host.fdb.every((e) => !e.mac.startsWith('33:33') && !e.mac.startsWith('01:00:5e'))).toBe(
      true,
    );
  });

  it('shows the MASQUERADE rule with its counters, ip_forward and conntrack in the gateway lab', async () => {
    lab = await createTestLab();
    await runScript(lab.runner, GATEWAY_LAB);
    const quiet = await readNamespace(lab.runner, 'host');
    const rule = quiet.nat.find((r) => r.target === 'MASQUERADE');
    expect(rule).toMatchObject({
      chain: 'POSTROUTING',
      rule: '-s 192.168.15.0/24 -j MASQUERADE',
      source: '192.168.15.0/24',
    });
    expect(quiet.ipForward).toBe(true);

    expect((await pingOnce('blue', '192.168.1.1')).received).toBe(1);
    const busy = await readNamespace(lab.runner, 'host');
    const counted = busy.nat.find((r) => r.target === 'MASQUERADE');
    expect(counted?.packets).toBeGreaterThan(rule?.packets ?? 0);
    expect(counted?.bytes).toBeGreaterThan(0);
    expect(busy.conntrack).toContainEqual(
      expect.objectContaining({
        protocol: 'icmp',
        reply: expect.stringContaining('dst=192.168.1.5'),
      }),
    );
    const blue = await readNamespace(lab.runner, 'blue');
    expect(blue.routes).toContainEqual(
      expect.objectContaining({ to: '192.168.1.0/24', via: '192.168.15.5', dev: 'veth-blue' }),
    );
  });

  it('skips NAT when asked, and lists peer names only when it does not know them', async () => {
    lab = await createTestLab();
    await runScript(lab.runner, VETH_LAB);
    const full = await readNamespaceDetail(lab.runner, 'red');
    expect(full.nsidNames?.size).toBeGreaterThan(0);
    const lean = await readNamespaceDetail(lab.runner, 'red', {
      nat: false,
      nsidNames: full.nsidNames ?? new Map(),
    });
    expect(lean.natRead).toBe(false);
    expect(lean.nsidNames).toBeUndefined();
    expect(lean.unresolvedNsids).toEqual([]);
    expect(lean.state.links).toEqual(full.state.links);
  });

  it('says a namespace is gone when it no longer exists', async () => {
    lab = await createTestLab();
    await expect(readNamespace(lab.runner, 'nowhere')).rejects.toMatchObject({
      name: 'ReadError',
      code: 'gone',
    });
  });
});
