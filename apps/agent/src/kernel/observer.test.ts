import type { NamespaceState } from '@netns-lab/model';
import { afterEach, describe, expect, it } from 'vitest';
import { createObserver, type Observer } from './observer';
import { ping } from './probes';
import {
  createTestLab,
  BRIDGE_LAB,
  GATEWAY_LAB,
  expectHostUntouched,
  runScript,
  VETH_LAB,
  type TestLab,
} from './testing';

expectHostUntouched();
let lab: TestLab | undefined;
let observer: Observer | undefined;
afterEach(async () => {
  await observer?.close();
  await lab?.close();
  observer = undefined;
  lab = undefined;
});

interface Recorded {
  changes: { ns: string; state: NamespaceState; at: number }[];
  gone: string[];
  errors: Error[];
}

/** An observer whose callbacks are recorded, and a way to wait for one that matches. */
async function watchLab(testLab: TestLab, natRefreshMs = 0) {
  const recorded: Recorded = { changes: [], gone: [], errors: [] };
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((w) => w());
  observer = await createObserver(testLab.runner, {
    onChange: (ns, state) => {
      recorded.changes.push({ ns, state, at: performance.now() });
      notify();
    },
    onGone: (ns) => {
      recorded.gone.push(ns);
      notify();
    },
    onError: (error) => recorded.errors.push(error),
    natRefreshMs,
  });
  /** Resolves with the first change from index `from` on that satisfies `match`. */
  function waitForChange(
    from: number,
    match: (ns: string, state: NamespaceState) => boolean,
    timeoutMs = 3000,
  ) {
    return new Promise<Recorded['changes'][number]>((resolve, reject) => {
      const check = () => {
        const found = recorded.changes.slice(from).find((c) => match(c.ns, c.state));
        if (!found) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error('no matching change in time'));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  }
  return { recorded, waitForChange, observer };
}

describe('the observer', () => {
  it('reads every namespace at start and reports an address added in one within ~100 ms', async () => {
    lab = await createTestLab();
    await runScript(lab.runner, VETH_LAB);
    const { recorded, waitForChange, observer: obs } = await watchLab(lab);
    expect(obs.snapshot().map((s) => s.ns)).toEqual(['host', 'blue', 'red']);

    const latencies: number[] = [];
    for (let i = 1; i <= 5; i += 1) {
      const from = recorded.changes.length;
      const cidr = `10.20.${i}.1/24`;
      const started = performance.now();
      const added = await lab.runner.run('red', ['ip', 'addr', 'add', cidr, 'dev', 'veth-red']);
      expect(added.exitCode).toBe(0);
      const finished = performance.now();
      const change = await waitForChange(
        from,
        (ns, state) => ns === 'red' && state.addresses.some((a) => a.cidr === cidr),
      );
      latencies.push(change.at - finished);
      console.info(
        `observer latency: ${(change.at - finished).toFixed(1)} ms after the command ended ` +
          `(${(change.at - started).toFixed(1)} ms after it started)`,
      );
    }
    latencies.sort((a, b) => a - b);
    expect(latencies[2]).toBeLessThan(150);
    expect(recorded.errors).toEqual([]);
  });

  it('notices a namespace created after it started, hears its events, and reports it gone', async () => {
    lab = await createTestLab();
    const { recorded, waitForChange } = await watchLab(lab);
    let from = recorded.changes.length;
    expect((await lab.runner.run('host', ['ip', 'netns', 'add', 'green'])).exitCode).toBe(0);
    await waitForChange(from, (ns) => ns === 'green');

    from = recorded.changes.length;
    await lab.runner.run('green', ['ip', 'link', 'set', 'dev', 'lo', 'up']);
    await waitForChange(
      from,
      (ns, state) => ns === 'green' && state.links.some((l) => l.ifname === 'lo' && l.adminUp),
    );

    expect((await lab.runner.run('host', ['ip', 'netns', 'del', 'green'])).exitCode).toBe(0);
    const deadline = Date.now() + 3000;
    while (!recorded.gone.includes('green') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(recorded.gone).toContain('green');
    expect(observer?.snapshot().map((s) => s.ns)).toEqual(['host']);
  });

  it('reports a neighbour learned by a ping, and sends nothing when nothing changed', async () => {
    lab = await createTestLab();
    await runScript(lab.runner, VETH_LAB);
    const { recorded, waitForChange } = await watchLab(lab);
    const from = recorded.changes.length;
    await ping(lab.runner, 'red', '192.168.15.2', { count: 1, intervalMs: 200 }, () => undefined)
      .done;
    await waitForChange(
      from,
      (ns, state) => ns === 'red' && state.neighbours.some((n) => n.address === '192.168.15.2'),
    );

    await new Promise((resolve) => setTimeout(resolve, 200));
    const settled = recorded.changes.length;
    await observer?.refresh('red');
    await observer?.refresh('blue');
    expect(recorded.changes.length).toBe(settled);
  });

  it('shows NAT counters after refresh(), and keeps them current for namespaces with NAT rules', async () => {
    lab = await createTestLab();
    await runScript(lab.runner, GATEWAY_LAB);
    const { recorded, waitForChange } = await watchLab(lab, 300);
    const packetsNow = () =>
      observer?.snapshot().find((s) => s.ns === 'host')?.nat[0]?.packets ?? -1;
    const initial = packetsNow();
    expect(initial).toBeGreaterThanOrEqual(0);

    const from = recorded.changes.length;
    await ping(lab.runner, 'blue', '192.168.1.1', { count: 1, intervalMs: 200 }, () => undefined)
      .done;
    // No refresh() call: the slow NAT timer alone must bring the new counters.
    await waitForChange(
      from,
      (ns, state) => ns === 'host' && (state.nat[0]?.packets ?? 0) > initial,
    );

    expect((await lab.runner.run('red', ['sysctl', '-w', 'net.ipv4.ip_forward=1'])).exitCode).toBe(
      0,
    );
    const before = recorded.changes.length;
    await observer?.refresh('red');
    expect(recorded.changes.slice(before).some((c) => c.ns === 'red' && c.state.ipForward)).toBe(
      true,
    );
  });

  it('stops its monitor when closed', async () => {
    lab = await createTestLab();
    const obs = (await watchLab(lab)).observer;
    const count = lab.runner.processCount;
    await obs.close();
    await obs.close();
    await lab.runner.run('host', ['ip', 'netns', 'add', 'late']);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(lab.runner.processCount).toBe(count + 1);
  });

  it('reports the links the kernel deletes, such as a deleted namespace’s veth ends in the host', async () => {
    lab = await createTestLab();
    await runScript(lab.runner, BRIDGE_LAB);
    const { observer: obs } = await watchLab(lab);
    const deleted: string[] = [];
    const stop = obs.onLinkReport((r) => {
      if (r.deleted) deleted.push(`${r.ns}/${r.ifname}`);
    });
    const heard = async (name: string): Promise<void> => {
      const deadline = Date.now() + 3000;
      while (!deleted.includes(name) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 10));
      expect(deleted).toContain(name);
    };
    // The bridge goes; its ports leave it (the kernel says "Deleted" of them too, in the
    // bridge's family) but live on: only the bridge is reported.
    expect((await lab.runner.run('host', ['ip', 'link', 'del', 'v-net-0'])).exitCode).toBe(0);
    await heard('host/v-net-0');
    expect(deleted).toEqual(['host/v-net-0']);
    expect((await lab.runner.run('host', ['ip', 'netns', 'del', 'red'])).exitCode).toBe(0);
    await heard('host/veth-red-br');
    // Addresses and routes deleted with it are not links.
    expect(deleted.every((d) => /^[\w-]+\/[\w-]+$/.test(d))).toBe(true);

    stop();
    const count = deleted.length;
    expect((await lab.runner.run('host', ['ip', 'link', 'del', 'veth-blue-br'])).exitCode).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(deleted).toHaveLength(count);
  });

  it('reports the operstate of links as the kernel changes it, UP once both veth ends are up', async () => {
    lab = await createTestLab();
    await runScript(lab.runner, BRIDGE_LAB);
    const { observer: obs } = await watchLab(lab);
    const states: string[] = [];
    const stop = obs.onLinkReport((r) => {
      if (!r.deleted && r.ns === 'host') states.push(`${r.ifname} ${r.state}`);
    });
    const run = async (argv: string[]): Promise<void> => {
      expect((await lab!.runner.run('host', argv)).exitCode).toBe(0);
    };
    await run(['ip', 'link', 'add', 'x-one', 'type', 'veth', 'peer', 'name', 'x-two']);
    await run(['ip', 'link', 'set', 'x-one', 'up']);
    const deadline = Date.now() + 10_000; // the kernel reports from a background pass: slow when loaded
    while (!states.includes('x-one LOWERLAYERDOWN') && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10));
    // Up, but its peer is down: no carrier.
    expect(states).toContain('x-one LOWERLAYERDOWN');
    expect(states.filter((s) => s.endsWith(' UP'))).toEqual([]);
    await run(['ip', 'link', 'set', 'x-two', 'up']);
    while (!(states.includes('x-one UP') && states.includes('x-two UP')) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(states).toEqual(expect.arrayContaining(['x-one UP', 'x-two UP']));
    stop();
    await run(['ip', 'link', 'del', 'x-one']);
  });

  it('holds back event reads while held, then reads each changed namespace once', async () => {
    lab = await createTestLab();
    await runScript(lab.runner, VETH_LAB);
    const { recorded, waitForChange, observer: obs } = await watchLab(lab);
    const release = obs.hold();
    const from = recorded.changes.length;
    const processes = obs.processCount;
    for (let i = 1; i <= 3; i += 1)
      await lab.runner.run('red', ['ip', 'addr', 'add', `10.30.${i}.1/24`, 'dev', 'veth-red']);
    await lab.runner.run('host', ['ip', 'netns', 'add', 'green']);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(recorded.changes.slice(from)).toEqual([]);
    expect(obs.processCount).toBe(processes);
    expect(obs.snapshot().map((s) => s.ns)).toEqual(['host', 'blue', 'red']);

    release();
    release(); // idempotent
    const red = await waitForChange(from, (ns, state) =>
      state.addresses.some((a) => a.cidr === '10.30.3.1/24' && ns === 'red'),
    );
    expect(red.state.addresses.filter((a) => a.cidr.startsWith('10.30.'))).toHaveLength(3);
    await waitForChange(from, (ns) => ns === 'green');
    // One read of red for all three addresses (plus the new namespace's and the nsid work).
    expect(recorded.changes.slice(from).filter((c) => c.ns === 'red')).toHaveLength(1);
  });

  it('names peers in the lab’s host from the host’s side, listing namespaces only when it must', async () => {
    lab = await createTestLab();
    await runScript(lab.runner, BRIDGE_LAB);
    await lab.runner.run('host', ['ip', 'netns', 'add', 'green']);
    await lab.runner.run('host', ['ip', 'netns', 'add', 'yellow']);
    await lab.runner.run('host', [
      'ip',
      'link',
      'add',
      'g0',
      'netns',
      'green',
      'type',
      'veth',
      'peer',
      'name',
      'y0',
      'netns',
      'yellow',
    ]);
    // Which reads listed every namespace's nsid (the read script's "ids" flag).
    const listed: string[] = [];
    const run = lab.runner.run.bind(lab.runner);
    lab.runner.run = (ns, argv, options) => {
      if (argv[0] === 'sh' && / ids /.test(` ${argv[4] ?? ''} `)) listed.push(ns);
      return run(ns, argv, options);
    };
    const { observer: obs } = await watchLab(lab);
    const link = (ns: string, ifname: string) =>
      obs
        .snapshot()
        .find((s) => s.ns === ns)
        ?.links.find((l) => l.ifname === ifname);
    expect(link('red', 'veth-red')?.peerNamespace).toBe('host');
    expect(link('blue', 'veth-blue')?.peerNamespace).toBe('host');
    expect(link('host', 'veth-red-br')?.peerNamespace).toBe('red');
    // A veth between two namespaces other than the host still needs the list, once each.
    expect(link('green', 'g0')?.peerNamespace).toBe('yellow');
    expect(link('yellow', 'y0')?.peerNamespace).toBe('green');
    expect(listed.sort()).toEqual(['green', 'yellow']);
  });

  it('names veth peers after the namespaces that hold them now, when namespaces come back under each other’s nsids', async () => {
    lab = await createTestLab();
    const testLab = lab;
    const host = (...argv: string[]) => testLab.runner.run('host', argv);
    /** A namespace with an nsid in the root and a veth to it: `in-NS` inside, `to-NS` outside. */
    const make = async (ns: string) => {
      expect((await host('ip', 'netns', 'add', ns)).exitCode).toBe(0);
      // The lowest free nsid in the root, as the observer would give it.
      expect((await host('ip', 'netns', 'set', ns, 'auto')).exitCode).toBe(0);
      const pair = ['type', 'veth', 'peer', 'name', `to-${ns}`];
      expect((await host('ip', 'link', 'add', `in-${ns}`, 'netns', ns, ...pair)).exitCode).toBe(0);
    };
    /** The root's nsids as the kernel lists them, "nsid=name". */
    const nsids = async () => {
      const { stdout } = await host('ip', '-j', 'netns', 'list-id');
      const listed = JSON.parse(stdout || '[]') as { nsid: number; name?: string }[];
      return listed.map((e) => `${e.nsid}=${e.name ?? '?'}`).sort();
    };
    /** The host's veths as "ifname#ifindex->peer namespace". */
    const hostPeers = (state: NamespaceState | undefined) =>
      (state?.links ?? [])
        .filter((l) => l.kind === 'veth')
        .map((l) => `${l.ifname}#${l.ifindex}->${String(l.peerNamespace)}`)
        .sort();
    await make('aa');
    await make('bb');
    expect(await nsids()).toEqual(['0=aa', '1=bb']);
    const { recorded, waitForChange, observer: obs } = await watchLab(lab);
    const hostState = () => obs.snapshot().find((s) => s.ns === 'host');
    const old = hostPeers(hostState());
    expect(old.map((p) => p.replace(/#\d+/, ''))).toEqual(['to-aa->aa', 'to-bb->bb']);

    // What an apply does: both deleted and made again, bb first, so that bb now has aa's old
    // nsid and aa bb's. The observer is held meanwhile: it rescans only afterwards, when both
    // names are there again.
    const release = obs.hold();
    obs.replacing(['aa', 'bb']);
    expect((await host('ip', 'netns', 'del', 'aa')).exitCode).toBe(0);
    expect((await host('ip', 'netns', 'del', 'bb')).exitCode).toBe(0);
    const deadline = Date.now() + 10_000;
    const gone = async () =>
      (await nsids()).length === 0 && !/to-/.test((await host('ip', '-o', 'link')).stdout);
    while (!(await gone()) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    await make('bb');
    await make('aa');
    expect(await nsids()).toEqual(['0=bb', '1=aa']);
    const from = recorded.changes.length;
    obs.replacing(['aa', 'bb']);
    release();

    // The first read of the host with both new ends names each after its own namespace.
    const oldEnds = new Set(old.map((p) => p.split('->')[0]));
    const change = await waitForChange(from, (ns, state) => {
      const ends = hostPeers(state).map((p) => p.split('->')[0]);
      return ns === 'host' && ends.length === 2 && ends.every((end) => !oldEnds.has(end));
    });
    expect(hostPeers(change.state).map((p) => p.replace(/#\d+/, ''))).toEqual([
      'to-aa->aa',
      'to-bb->bb',
    ]);
    expect(recorded.errors).toEqual([]);
  });
});
