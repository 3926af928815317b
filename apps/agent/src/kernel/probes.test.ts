import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkTarget,
  parsePingLine,
  parseTracepathLine,
  ping,
  ProbeError,
  routeGet,
  tracepath,
  type PingEvent,
  type TracepathHop,
} from './probes';
import { findTool } from './tools';
import {
  createTestLab,
  GATEWAY_LAB,
  expectHostUntouched,
  runScript,
  type TestLab,
} from './testing';

expectHostUntouched();
let lab: TestLab;
beforeAll(async () => {
  lab = await createTestLab();
  await runScript(lab.runner, GATEWAY_LAB);
});
afterAll(async () => {
  await lab.close();
});

describe('ping', () => {
  it('streams each reply as it arrives, then a summary', async () => {
    const events: { event: PingEvent; at: number }[] = [];
    const started = performance.now();
    const summary = await ping(
      lab.runner,
      'red',
      '192.168.15.2',
      { count: 3, intervalMs: 300 },
      (event) => events.push({ event, at: performance.now() - started }),
    ).done;
    expect(events.map((e) => e.event)).toEqual([
      expect.objectContaining({ type: 'reply', seq: 1, ttl: 64, from: '192.168.15.2' }),
      expect.objectContaining({ type: 'reply', seq: 2 }),
      expect.objectContaining({ type: 'reply', seq: 3 }),
    ]);
    // Streamed, not buffered to the end: the replies arrive about an interval apart.
    expect((events[2]?.at ?? 0) - (events[0]?.at ?? 0)).toBeGreaterThan(400);
    expect(summary).toMatchObject({ transmitted: 3, received: 3 });
    expect(summary.rtt?.min).toBeGreaterThan(0);
    expect(summary.rtt?.max).toBeGreaterThanOrEqual(summary.rtt?.avg ?? Infinity);
  });

  it('reports each request lost when nobody has the address', async () => {
    const events: PingEvent[] = [];
    const summary = await ping(
      lab.runner,
      'red',
      '192.168.15.9',
      { count: 3, intervalMs: 200 },
      (event) => events.push(event),
    ).done;
    expect(summary).toMatchObject({ transmitted: 3, received: 0 });
    expect(events.every((e) => e.type === 'loss')).toBe(true);
    expect(events.map((e) => e.seq).sort()).toEqual([1, 2, 3]);
  });

  it('crosses the gateway, and stops early when cancelled', async () => {
    const handle = ping(
      lab.runner,
      'blue',
      '192.168.1.1',
      { count: 50, intervalMs: 200 },
      () => {},
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    handle.cancel();
    const summary = await handle.done;
    expect(summary.cancelled).toBe(true);
    expect(summary.received).toBeGreaterThan(0);
    expect(summary.transmitted).toBeLessThan(50);
  });

  it('says why when there is no route at all', async () => {
    const summary = await ping(
      lab.runner,
      'red',
      '10.99.0.1',
      { count: 1, intervalMs: 200 },
      () => {},
    ).done;
    expect(summary.received).toBe(0);
    expect(summary.error).toMatch(/unreachable/i);
  });

  it('refuses names, options and bad counts before starting anything', () => {
    const count = lab.runner.processCount;
    for (const target of ['example.com', '-f', '192.168.15.2 -f', '192.168.15.300', '']) {
      expect(() =>
        ping(lab.runner, 'red', target, { count: 1, intervalMs: 200 }, () => {}),
      ).toThrow(ProbeError);
    }
    expect(() =>
      ping(lab.runner, 'red', '192.168.15.2', { count: 1000, intervalMs: 200 }, () => {}),
    ).toThrow(/count/);
    expect(() =>
      ping(lab.runner, 'red', '192.168.15.2', { count: 1, intervalMs: 10 }, () => {}),
    ).toThrow(/interval/);
    expect(lab.runner.processCount).toBe(count);
    expect(checkTarget(' 192.168.15.2 ')).toBe('192.168.15.2');
  });
});

describe('route get', () => {
  it('names the device and the next hop the kernel picks', async () => {
    const route = await routeGet(lab.runner, 'blue', '192.168.1.1');
    expect(route).toMatchObject({ dev: 'veth-blue', via: '192.168.15.5', src: '192.168.15.2' });
    expect(route.line).toMatch(/^192\.168\.1\.1 via 192\.168\.15\.5 dev veth-blue/);
  });

  it('has no next hop for an address on the link', async () => {
    const route = await routeGet(lab.runner, 'red', '192.168.15.2');
    expect(route.dev).toBe('veth-red');
    expect(route.via).toBeUndefined();
  });

  it('says the network is unreachable when no route matches', async () => {
    await expect(routeGet(lab.runner, 'red', '10.99.0.1')).rejects.toThrow(/unreachable/i);
  });
});

describe('tracepath', () => {
  it.skipIf(findTool('tracepath') === undefined)(
    'lists the hops to the LAN through the gateway',
    async () => {
      const hops: TracepathHop[] = [];
      const result = await tracepath(lab.runner, 'blue', '192.168.1.1', (hop) => hops.push(hop))
        .done;
      expect(result.error).toBeUndefined();
      expect(hops.some((h) => h.address === '192.168.15.5')).toBe(true);
      expect(hops.some((h) => h.address === '192.168.1.1')).toBe(true);
    },
  );
});

describe('parsing probe output', () => {
  it('reads ping’s reply, loss, error and summary lines', () => {
    expect(parsePingLine('64 bytes from 192.168.15.2: icmp_seq=1 ttl=64 time=0.105 ms')).toEqual({
      type: 'reply',
      seq: 1,
      ttl: 64,
      timeMs: 0.105,
      from: '192.168.15.2',
    });
    expect(parsePingLine('64 bytes from fd00::2: icmp_seq=4 ttl=64 time=1.5 ms')).toMatchObject({
      from: 'fd00::2',
      seq: 4,
    });
    expect(parsePingLine('no answer yet for icmp_seq=2')).toEqual({
      type: 'loss',
      seq: 2,
      message: 'no answer yet',
    });
    expect(parsePingLine('From 192.168.15.1 icmp_seq=3 Destination Host Unreachable')).toEqual({
      type: 'loss',
      seq: 3,
      message: '192.168.15.1: Destination Host Unreachable',
    });
    expect(
      parsePingLine('3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 2030ms'),
    ).toEqual({ type: 'transmitted', transmitted: 3, received: 0 });
    expect(parsePingLine('rtt min/avg/max/mdev = 0.048/0.069/0.105/0.025 ms')).toEqual({
      type: 'rtt',
      rtt: { min: 0.048, avg: 0.069, max: 0.105 },
    });
    expect(parsePingLine('PING 192.168.15.2 (192.168.15.2) 56(84) bytes of data.')).toBeNull();
  });

  it('reads tracepath’s hop lines and skips its summary', () => {
    expect(parseTracepathLine(' 1?: [LOCALHOST]                      pmtu 1500')).toEqual({
      hop: 1,
      line: '1?: [LOCALHOST]                      pmtu 1500',
    });
    expect(parseTracepathLine(' 2:  192.168.1.1                0.082ms reached')).toEqual({
      hop: 2,
      address: '192.168.1.1',
      timeMs: 0.082,
      line: '2:  192.168.1.1                0.082ms reached',
    });
    expect(parseTracepathLine(' 3:  no reply')).toMatchObject({ hop: 3, line: '3:  no reply' });
    expect(parseTracepathLine('     Resume: pmtu 1500 hops 2 back 2 ')).toBeNull();
  });
});
