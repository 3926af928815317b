import { describe, expect, it } from 'vitest';
import { EXAMPLE_LABS, MAX_MESSAGE_BYTES } from '@netns-lab/model';
import { browserHeaders, connect, fakeEngine, handshake, serverPerTest } from './test-support';

const start = serverPerTest();

const ping = (fields: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'ping',
  requestId: 'p1',
  ns: 'red',
  target: '192.168.15.2',
  ...fields,
});

describe('client messages', () => {
  it('a frame that is not JSON gets bad-message, and the connection keeps working', async () => {
    const t = await start();
    const client = await connect(t);
    client.send('{"type": "destroy", ');
    const error = await client.next('error');
    expect(error).toMatchObject({ code: 'bad-message' });
    expect(error.message).toMatch(/not valid JSON/);
    client.send({ type: 'destroy', requestId: 'd1' });
    await expect.poll(() => t.engine.handled).toEqual([{ type: 'destroy', requestId: 'd1' }]);
    client.close();
  });

  it.each([
    ['a 16-byte name', 'sixteen-bytes-ab'],
    ['an option', '-f'],
    ['an iproute2 keyword', 'help'],
    ['a keyword prefix', 'de'],
    ['a slash', 'a/b'],
    ['a colon', 'x:y'],
    ['a dot', '.'],
    ['two dots', '..'],
    ['a space', 'red blue'],
    ['a newline', 'red\n'],
  ])(
    'a namespace name with %s gets bad-message at path ns and never reaches the engine',
    async (_what, ns) => {
      const t = await start();
      const client = await connect(t);
      client.send(ping({ ns }));
      const error = await client.next('error');
      expect(error).toMatchObject({ code: 'bad-message', path: 'ns', requestId: 'p1' });
      expect(t.engine.handled).toEqual([]);
      client.close();
    },
  );

  it('a target that is not an IP address gets bad-message at its path', async () => {
    const t = await start();
    const client = await connect(t);
    client.send(ping({ target: '-f 10.0.0.1' }));
    client.send({ type: 'route-get', requestId: 'r1', ns: 'red', address: 'example.com' });
    await client.next('error', (e) => e.requestId === 'p1' && e.path === 'target');
    await client.next('error', (e) => e.requestId === 'r1' && e.path === 'address');
    expect(t.engine.handled).toEqual([]);
    client.close();
  });

  it('an address reaches the engine in canonical form', async () => {
    const t = await start();
    const client = await connect(t);
    client.send(ping({ target: 'fd00:0:0::1' }));
    await expect.poll(() => t.engine.handled).toHaveLength(1);
    expect(t.engine.handled[0]).toMatchObject({ type: 'ping', target: 'fd00::1', count: 4 });
    client.close();
  });

  it('an unknown key gets bad-message with the path of the object that has it', async () => {
    const t = await start();
    const client = await connect(t);
    const lab = structuredClone(EXAMPLE_LABS[0]!.lab) as unknown as { nodes: object[] };
    lab.nodes[1] = { ...lab.nodes[1], shell: 'rm -rf /' };
    client.send({ type: 'apply', requestId: 'a1', lab });
    const nested = await client.next('error', (e) => e.requestId === 'a1');
    expect(nested).toMatchObject({ code: 'bad-message', path: 'lab.nodes[1]' });
    expect(nested.message).toMatch(/shell/);
    client.send({ type: 'destroy', requestId: 'd1', force: true });
    const top = await client.next('error', (e) => e.requestId === 'd1');
    expect(top).toMatchObject({ code: 'bad-message', path: '' });
    expect(top.message).toMatch(/force/);
    expect(t.engine.handled).toEqual([]);
    client.close();
  });

  it('wrong types, unknown message types and binary frames get bad-message', async () => {
    const t = await start();
    const client = await connect(t);
    const bad: unknown[] = [
      ping({ ns: ['red'] }),
      ping({ count: 1000 }),
      ping({ count: '4' }),
      { type: 'shell', command: 'id' },
      [],
      null,
      42,
      { type: 'apply', requestId: 'x'.repeat(65), lab: {} },
    ];
    for (const message of bad) client.send(JSON.stringify(message));
    client.socket.send(Buffer.from('{"type":"destroy","requestId":"b"}'), { binary: true });
    await expect
      .poll(() => client.received.filter((m) => m.type === 'error').length)
      .toBe(bad.length + 1);
    for (const m of client.received.filter((m) => m.type === 'error')) {
      expect(m).toMatchObject({ code: 'bad-message' });
    }
    expect(t.engine.handled).toEqual([]);
    client.close();
  });

  it('a valid message reaches the engine, and its replies come back to the sender', async () => {
    const engine = fakeEngine((message, reply) => {
      if (message.type === 'ping') {
        reply({ type: 'ping-done', requestId: message.requestId, transmitted: 1, received: 1 });
      }
    });
    const t = await start({ engine });
    const client = await connect(t);
    client.send(ping({ count: 1 }));
    expect(await client.next('ping-done')).toMatchObject({ requestId: 'p1', received: 1 });
    client.close();
  });

  it('an engine failure gets an internal error and the connection stays up', async () => {
    const engine = fakeEngine((message) => {
      if (message.type === 'destroy') throw new Error('boom');
    });
    const t = await start({ engine });
    const client = await connect(t);
    client.send({ type: 'destroy', requestId: 'd1' });
    const error = await client.next('error');
    expect(error).toMatchObject({ code: 'internal', requestId: 'd1' });
    expect(error.message).toContain('boom');
    client.send(ping());
    await expect.poll(() => t.engine.handled.map((m) => m.type)).toEqual(['destroy', 'ping']);
    expect(client.closed).toBeUndefined();
    client.close();
  });

  it('a frame over maxPayload closes that connection with 1009, and the server keeps serving others', async () => {
    const t = await start();
    const other = await connect(t);
    const client = await connect(t);
    client.send(`"${'x'.repeat(MAX_MESSAGE_BYTES)}"`);
    expect((await client.waitForClose()).code).toBe(1009);
    other.send({ type: 'destroy', requestId: 'd1' });
    await expect.poll(() => t.engine.handled).toHaveLength(1);
    const fresh = await connect(t);
    await fresh.next('state');
    other.close();
    fresh.close();
  });

  it('the rate limit answers rate-limited, then closes a client that keeps flooding', async () => {
    const t = await start({ rateLimit: { perSecond: 1, burst: 5 } });
    const client = await connect(t);
    for (let i = 0; i < 30; i += 1) client.send({ type: 'refresh' });
    const limited = await client.next('error', (e) => e.code === 'rate-limited');
    expect(limited.message).toMatch(/too many messages/);
    expect(client.received.filter((m) => m.type === 'error')).toHaveLength(1);
    expect((await client.waitForClose()).code).toBe(1008);
    expect(t.engine.handled.length).toBeLessThanOrEqual(6);
    const fresh = await connect(t);
    fresh.send({ type: 'refresh' });
    await expect.poll(() => t.engine.handled.length).toBeGreaterThanOrEqual(6);
    fresh.close();
  });
});

describe('broadcasts and shutdown', () => {
  it('broadcasts reach every client after its first state', async () => {
    const t = await start();
    const a = await connect(t);
    const b = await connect(t);
    await a.next('state');
    await b.next('state');
    t.engine.broadcast({ type: 'ns-gone', ns: 'red' });
    await a.next('ns-gone');
    await b.next('ns-gone');
    a.close();
    b.close();
  });

  it('a broadcast sent while the first state is being read arrives after it', async () => {
    let release: () => void = () => {};
    const engine = fakeEngine();
    engine.snapshot = () =>
      new Promise((resolve) => {
        release = () => resolve([]);
      });
    const t = await start({ engine });
    const client = await connect(t);
    await client.next('lab');
    engine.broadcast({ type: 'ns-gone', ns: 'red' });
    release();
    await client.next('ns-gone');
    expect(client.received.map((m) => m.type)).toEqual(['hello', 'lab', 'state', 'ns-gone']);
    client.close();
  });

  it('a client that goes away cancels its running pings, and stops receiving broadcasts', async () => {
    const t = await start();
    const client = await connect(t);
    client.send(ping({ requestId: 'long' }));
    await expect.poll(() => t.engine.handled).toHaveLength(1);
    expect(t.engine.subscribers.size).toBe(1);
    client.close();
    await expect.poll(() => t.engine.handled).toContainEqual({ type: 'cancel', requestId: 'long' });
    expect(t.engine.subscribers.size).toBe(0);
  });

  it('a client that stops answering pings is dropped, and one that answers is kept', async () => {
    const t = await start({ heartbeatMs: 100 });
    const alive = await connect(t);
    const result = await handshake(t.port, browserHeaders(t), '/ws', { autoPong: false });
    if (!result.opened) throw new Error('handshake refused');
    const dead = result.client;
    expect((await dead.waitForClose(2000)).code).toBe(1006);
    await expect.poll(() => t.engine.subscribers.size).toBe(1);
    expect(alive.closed).toBeUndefined();
    alive.close();
  });

  it('close() is idempotent, closes clients with 1001 and stops listening', async () => {
    const t = await start();
    const client = await connect(t);
    const first = t.server.close();
    const second = t.server.close();
    expect(second).toBe(first);
    await first;
    expect((await client.waitForClose()).code).toBe(1001);
    await expect(connect(t)).rejects.toThrow();
  });
});
