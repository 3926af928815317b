import { afterEach, describe, expect, it } from 'vitest';
import {
  browserHeaders,
  connect,
  handshake,
  startTestServer,
  type TestServer,
} from './test-support';

let test: TestServer | undefined;
afterEach(async () => {
  await test?.close();
  test = undefined;
});

async function start(): Promise<TestServer> {
  test = await startTestServer();
  return test;
}

describe('the WebSocket handshake', () => {
  it('connects a browser with the right Host, Origin and cookie, and sends hello, lab and state in that order', async () => {
    const t = await start();
    const client = await connect(t);
    await client.next('state');
    expect(client.received.map((m) => m.type)).toEqual(['hello', 'lab', 'state']);
    expect(client.received[0]).toMatchObject({
      type: 'hello',
      protocol: 1,
      mode: 'sandbox',
      rootless: true,
      tools: {},
    });
    expect(client.received[1]).toEqual({ type: 'lab', revision: 0, lab: null });
    client.close();
  });

  it('accepts each loopback origin that matches the Host', async () => {
    const t = await start();
    for (const name of ['127.0.0.1', 'localhost', '[::1]']) {
      const result = await handshake(t.port, {
        ...browserHeaders(t),
        Host: `${name}:${t.port}`,
        Origin: `http://${name}:${t.port}`,
      });
      expect(result.opened).toBe(true);
      if (result.opened) result.client.close();
    }
  });

  it('connects a non-browser client without Origin when it sends the token as a bearer header', async () => {
    const t = await start();
    const result = await handshake(t.port, {
      Host: `127.0.0.1:${t.port}`,
      Authorization: `Bearer ${t.token}`,
    });
    expect(result.opened).toBe(true);
    if (result.opened) {
      await result.client.next('hello');
      result.client.close();
    }
  });

  it('refuses wrong, null and missing Origins, wrong Hosts and missing or wrong tokens', async () => {
    const t = await start();
    const host = `127.0.0.1:${t.port}`;
    const origin = `http://127.0.0.1:${t.port}`;
    const cookie = `netns_lab_token_${t.port}=${t.token}`;
    const wrongCookie = `netns_lab_token_${t.port}=${'B'.repeat(43)}`;
    const cases: Array<[string, Record<string, string>, number]> = [
      ['a foreign Origin', { Host: host, Cookie: cookie, Origin: 'http://evil.example' }, 403],
      [
        'an Origin on another port',
        { Host: host, Cookie: cookie, Origin: `http://127.0.0.1:${t.port + 1}` },
        403,
      ],
      [
        'an https Origin',
        { Host: host, Cookie: cookie, Origin: `https://127.0.0.1:${t.port}` },
        403,
      ],
      [
        'an Origin with a trailing slash',
        { Host: host, Cookie: cookie, Origin: `${origin}/` },
        403,
      ],
      [
        'a rebinding Origin',
        { Host: host, Cookie: cookie, Origin: `http://127.0.0.1.nip.io:${t.port}` },
        403,
      ],
      ['the null Origin', { Host: host, Cookie: cookie, Origin: 'null' }, 403],
      ['no Origin and no bearer', { Host: host, Cookie: cookie }, 403],
      ['a foreign Host', { Host: `evil.example:${t.port}`, Cookie: cookie, Origin: origin }, 403],
      ['a localhost6 Host', { Host: `localhost6:${t.port}`, Cookie: cookie, Origin: origin }, 403],
      [
        'a Host on another port',
        { Host: `[::1]:${t.port + 1}`, Cookie: cookie, Origin: origin },
        403,
      ],
      ['no token', { Host: host, Origin: origin }, 401],
      ['a wrong cookie', { Host: host, Origin: origin, Cookie: wrongCookie }, 401],
      [
        'a wrong bearer without Origin',
        { Host: host, Authorization: `Bearer ${'C'.repeat(43)}` },
        401,
      ],
      [
        'a wrong bearer with the right Origin',
        { Host: host, Origin: origin, Authorization: `Bearer ${'C'.repeat(43)}` },
        401,
      ],
    ];
    for (const [what, headers, status] of cases) {
      const result = await handshake(t.port, headers);
      expect({ what, opened: result.opened, status: result.opened ? 101 : result.status }).toEqual({
        what,
        opened: false,
        status,
      });
    }
    expect(t.engine.subscribers.size).toBe(0);
  });

  it('refuses other paths with 404', async () => {
    const t = await start();
    const result = await handshake(t.port, browserHeaders(t), '/socket');
    expect(result).toMatchObject({ opened: false, status: 404 });
  });

  it('never reaches the engine when refused', async () => {
    const t = await start();
    await handshake(t.port, { Host: `127.0.0.1:${t.port}`, Origin: 'http://evil.example' });
    expect(t.engine.subscribers.size).toBe(0);
    expect(t.engine.handled).toEqual([]);
  });
});
