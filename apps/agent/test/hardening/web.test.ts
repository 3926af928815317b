/**
 * Web security, on the real agent process (`netns-lab serve`, in its sandbox): it listens on
 * loopback only, as `ss` sees it; the token leaves the page URL after the first load, for a
 * client that follows the redirect the way a browser does; and the checks the server's own
 * tests prove on startServer (Host, Origin, token) hold on the process the CLI starts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handshake, httpRequest } from '../../src/server/test-support';
import { createMarker, waitForNoProcesses, type Marker } from './support/processes';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const main = path.join(repoRoot, 'apps/agent/src/cli/main.ts');

let dir = '';
let agent: ReturnType<typeof startAgent> | undefined;
let marker: Marker;
let url: URL;

function startAgent(marker: Marker) {
  return execa(process.execPath, ['--import', 'tsx', main, 'serve', '--port', '0', '--no-open'], {
    cwd: repoRoot,
    reject: false,
    env: { ...marker.env, XDG_RUNTIME_DIR: dir },
  });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'netns-lab-hardening-serve-'));
  marker = createMarker();
  const started = startAgent(marker);
  agent = started;
  let stdout = '';
  started.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  const deadline = Date.now() + 30_000;
  while (!/open (http:\S+)/.test(stdout)) {
    if (Date.now() > deadline) throw new Error(`the agent did not start: ${stdout}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  url = new URL(/open (http:\S+)/.exec(stdout)?.[1] ?? '');
}, 40_000);

afterAll(async () => {
  agent?.kill('SIGINT');
  await agent;
  if (marker) expect(await waitForNoProcesses(marker, 3000)).toEqual([]);
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

/** A client that follows redirects and keeps cookies, as a browser does; returns every hop. */
async function browse(start: URL): Promise<{ url: string; status: number; body: string }[]> {
  const cookies = new Map<string, string>();
  const hops: { url: string; status: number; body: string }[] = [];
  let next: URL | null = start;
  for (let hop = 0; next !== null && hop < 5; hop += 1) {
    const res: Response = await fetch(next, {
      redirect: 'manual',
      headers: { Cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...value] = (pair ?? '').split('=');
      if (name) cookies.set(name.trim(), value.join('='));
    }
    hops.push({ url: next.href, status: res.status, body: await res.text() });
    const location = res.headers.get('location');
    next = res.status >= 300 && res.status < 400 && location ? new URL(location, next) : null;
  }
  return hops;
}

describe('the real agent process', () => {
  it('listens on loopback addresses only', () => {
    const pid = agent?.pid;
    expect(pid).toBeDefined();
    const lines = execFileSync('ss', ['-Hltnp'], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes(`pid=${pid},`));
    const local = lines.map((line) => line.trim().split(/\s+/)[3] ?? '');
    expect(local.length).toBeGreaterThan(0);
    for (const address of local) {
      expect(address).toMatch(new RegExp(`^(127\\.0\\.0\\.1|\\[::1\\]):${url.port}$`));
    }
  });

  it('takes the token out of the page URL after the first load', async () => {
    expect(url.searchParams.get('token')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const token = url.searchParams.get('token') ?? '';
    const hops = await browse(url);
    const last = hops.at(-1);
    expect(hops.length).toBeGreaterThanOrEqual(2);
    expect(hops[0]?.status).toBe(303);
    expect(last?.url).toBe(`${url.origin}/`);
    expect(last?.url).not.toContain(token);
    // The clean URL works (with the cookie), and no page along the way repeats the token.
    expect(last?.status).not.toBe(401);
    for (const hop of hops) expect(hop.body).not.toContain(token);
    // A plain fetch that follows the redirect without a cookie jar also ends on the clean URL.
    const plain = await fetch(url);
    expect(plain.url).toBe(`${url.origin}/`);
  });

  it('refuses a wrong Host, a rebinding name, a missing or stale token, and a foreign Origin', async () => {
    const port = Number(url.port);
    const token = url.searchParams.get('token') ?? '';
    const host = `127.0.0.1:${port}`;
    const bearer = { Authorization: `Bearer ${token}` };
    const cases: [string, Record<string, string>, number][] = [
      ['no token', { Host: host }, 401],
      ['a stale token', { Host: host, Authorization: `Bearer ${'A'.repeat(43)}` }, 401],
      ['a foreign Host', { Host: `evil.example:${port}`, ...bearer }, 403],
      ['a rebinding name', { Host: `127.0.0.1.nip.io:${port}`, ...bearer }, 403],
      ['localhost6', { Host: `localhost6:${port}`, ...bearer }, 403],
    ];
    for (const [what, headers, status] of cases) {
      const res = await httpRequest(port, '/api/health', headers);
      expect({ what, status: res.status }).toEqual({ what, status });
    }
    const cookie = `netns_lab_token_${port}=${token}`;
    for (const [what, origin] of [
      ['a foreign Origin', 'http://evil.example'],
      ['the null Origin', 'null'],
      ['a rebinding Origin', `http://127.0.0.1.nip.io:${port}`],
    ] as const) {
      const result = await handshake(port, { Host: host, Cookie: cookie, Origin: origin });
      expect({ what, opened: result.opened }).toEqual({ what, opened: false });
    }
    const missing = await handshake(port, { Host: host, Cookie: cookie });
    expect(missing.opened).toBe(false);
    const ok = await handshake(port, { Host: host, Cookie: cookie, Origin: `http://${host}` });
    expect(ok.opened).toBe(true);
    if (ok.opened) ok.client.close();
  });
});
