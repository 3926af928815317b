import { rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServer } from './server';
import {
  fakeEngine,
  goodHeaders,
  httpRequest,
  serverPerTest,
  startTestServer,
} from './test-support';

const start = serverPerTest();

describe('where the agent listens', () => {
  it('listens on loopback addresses only, and prints a 127.0.0.1 URL carrying the token', async () => {
    const t = await start();
    expect(t.server.addresses[0]?.address).toBe('127.0.0.1');
    for (const info of t.server.addresses) expect(['127.0.0.1', '::1']).toContain(info.address);
    expect(t.server.url).toBe(`http://127.0.0.1:${t.port}/?token=${t.token}`);
  });

  it('refuses to listen beyond loopback unless remote access is explicitly allowed', async () => {
    for (const host of ['0.0.0.0', '::', '192.0.2.1']) {
      await expect(
        startServer({ engine: fakeEngine(), port: 0, host, webRoot: '/nonexistent' }),
      ).rejects.toThrow(/refusing to listen/);
    }
  });

  it('makes a fresh 256-bit token on every start', async () => {
    const a = await startTestServer();
    const b = await startTestServer();
    try {
      expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(b.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(a.token).not.toBe(b.token);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('the Host allowlist', () => {
  it.each(['127.0.0.1', 'localhost', '[::1]'])('accepts %s with the right port', async (name) => {
    const t = await start();
    const res = await httpRequest(t.port, '/api/health', {
      ...goodHeaders(t),
      Host: `${name}:${t.port}`,
    });
    expect(res.status).toBe(200);
  });

  it('refuses every other Host with 403, even with the right token', async () => {
    const t = await start();
    const refused = [
      'evil.com',
      `evil.com:${t.port}`,
      `localhost6:${t.port}`,
      `localhost6.localdomain6:${t.port}`,
      `127.0.0.1.nip.io:${t.port}`,
      `[::1]:${t.port + 1}`,
      `127.0.0.1:${t.port + 1}`,
      `127.0.0.2:${t.port}`,
      `0.0.0.0:${t.port}`,
      '127.0.0.1',
      `[::ffff:127.0.0.1]:${t.port}`,
    ];
    for (const host of refused) {
      const res = await httpRequest(t.port, '/api/health', { ...goodHeaders(t), Host: host });
      expect({ host, status: res.status }).toEqual({ host, status: 403 });
      expect(res.body).not.toContain('"ok":true');
    }
  });
});

describe('the token', () => {
  it('is required: without it a request gets 401 and a page saying to open the printed URL', async () => {
    const t = await start();
    const res = await httpRequest(t.port, '/', { Host: `127.0.0.1:${t.port}` });
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toMatch(/Open the URL that `netns-lab` printed/);
    expect(res.body).not.toContain(t.token);
    const api = await httpRequest(t.port, '/api/health', { Host: `127.0.0.1:${t.port}` });
    expect(api.status).toBe(401);
  });

  it('refuses a wrong token in the cookie, the bearer header or the URL with 401', async () => {
    const t = await start();
    const host = `127.0.0.1:${t.port}`;
    const wrong = 'A'.repeat(43);
    const attempts = [
      { Host: host, Cookie: `netns_lab_token_${t.port}=${wrong}` },
      { Host: host, Cookie: `netns_lab_token_${t.port + 1}=${t.token}` },
      { Host: host, Authorization: `Bearer ${wrong}` },
      { Host: host, Authorization: `Basic ${t.token}` },
    ];
    for (const headers of attempts) {
      expect((await httpRequest(t.port, '/api/health', headers)).status).toBe(401);
    }
    const stale = await httpRequest(t.port, `/?token=${wrong}`, { Host: host });
    expect(stale.status).toBe(401);
    expect(stale.headers['set-cookie']).toBeUndefined();
    expect(stale.body).toMatch(/earlier run/);
  });

  it('accepts the token as a bearer header (for non-browser clients)', async () => {
    const t = await start();
    const res = await httpRequest(t.port, '/api/health', {
      Host: `127.0.0.1:${t.port}`,
      Authorization: `Bearer ${t.token}`,
    });
    expect(res.status).toBe(200);
  });

  it('in the URL is swapped for an HttpOnly SameSite=Strict cookie and a redirect to the clean URL', async () => {
    const t = await start();
    const host = `127.0.0.1:${t.port}`;
    const first = await httpRequest(t.port, `/?lab=router&token=${t.token}`, { Host: host });
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/?lab=router');
    const cookie = first.headers['set-cookie']?.[0] ?? '';
    expect(cookie).toContain(`netns_lab_token_${t.port}=${t.token}`);
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Strict/i);
    expect(cookie).toMatch(/;\s*Path=\//i);
    expect(first.body).not.toContain(t.token);

    const pair = cookie.split(';')[0] ?? '';
    const page = await httpRequest(t.port, '/?lab=router', { Host: host, Cookie: pair });
    expect(page.status).toBe(200);
    expect(page.body).toContain('netns-lab app');
  });

  it('in a cross-site navigation is swapped by a same-site refresh page, so the Strict cookie is sent next', async () => {
    const t = await start();
    const res = await httpRequest(t.port, `/?token=${t.token}`, {
      Host: `127.0.0.1:${t.port}`,
      'Sec-Fetch-Site': 'cross-site',
    });
    expect(res.status).toBe(200);
    expect(res.headers['set-cookie']?.[0]).toMatch(/HttpOnly; SameSite=Strict/i);
    expect(res.body).toContain('<meta http-equiv="refresh" content="0;url=/">');
    expect(res.body).not.toContain(t.token);
  });

  it('redirects only within the agent, never to another host', async () => {
    const t = await start();
    for (const target of ['//evil.example/x', '/\\evil.example/x', '///evil.example/x']) {
      const res = await httpRequest(t.port, `${target}?token=${t.token}`, {
        Host: `127.0.0.1:${t.port}`,
      });
      expect(res.status).toBe(303);
      expect(res.headers.location).toMatch(/^\/(?![/\\])/);
      expect(res.headers.location).not.toContain('?');
    }
  });
});

describe('responses', () => {
  it('carry the security headers and never Access-Control-Allow-Origin', async () => {
    const t = await start();
    const res = await httpRequest(t.port, '/', {
      ...goodHeaders(t),
      Origin: 'https://evil.example',
    });
    expect(res.status).toBe(200);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${t.port} ws://localhost:${t.port}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
    const refused = await httpRequest(t.port, '/', { Host: 'evil.example' });
    expect(refused.headers['x-frame-options']).toBe('DENY');
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('include a health report with the mode and the version', async () => {
    const t = await start();
    const res = await httpRequest(t.port, '/api/health', goodHeaders(t));
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({
      ok: true,
      mode: 'sandbox',
      rootless: true,
      version: expect.stringMatching(/^\d+\.\d+\.\d+/) as unknown,
      protocol: 1,
    });
  });

  it('serve the web app, with index.html for page paths and 404 for unknown API paths', async () => {
    const t = await start();
    expect((await httpRequest(t.port, '/app.js', goodHeaders(t))).body).toContain('app');
    expect((await httpRequest(t.port, '/labs/router', goodHeaders(t))).body).toContain(
      'netns-lab app',
    );
    expect((await httpRequest(t.port, '/api/nothing', goodHeaders(t))).status).toBe(404);
    expect((await httpRequest(t.port, '/missing.js', goodHeaders(t))).status).toBe(404);
  });

  it('say how to build the web app when it is missing', async () => {
    const t = await start({ withWebApp: false });
    rmSync(path.join(t.webRoot, 'index.html'), { force: true });
    const res = await httpRequest(t.port, '/', goodHeaders(t));
    expect(res.status).toBe(503);
    expect(res.body).toContain('npm run build');
  });
});
