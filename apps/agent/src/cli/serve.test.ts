import { mkdtempSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { httpRequest } from '../server/test-support';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const main = path.join(repoRoot, 'apps/agent/src/cli/main.ts');
let dir = '';

afterEach(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
  dir = '';
});

describe('netns-lab serve', () => {
  it('prints the URL, saves it for its user only, serves behind the token, and stops cleanly on SIGINT', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'netns-lab-serve-'));
    const agent = execa(
      process.execPath,
      ['--import', 'tsx', main, 'serve', '--port', '0', '--no-open'],
      {
        cwd: repoRoot,
        reject: false,
        env: { XDG_RUNTIME_DIR: dir },
      },
    );
    let stdout = '';
    agent.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    await expect
      .poll(() => stdout, { timeout: 20_000, interval: 100 })
      .toMatch(
        /running in sandbox mode.*: open http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}\n/,
      );
    const url = /open (\S+)/.exec(stdout)?.[1] ?? '';
    const { port, searchParams } = new URL(url);
    const token = searchParams.get('token') ?? '';

    const urlFile = path.join(dir, 'netns-lab', 'url');
    expect(readFileSync(urlFile, 'utf8').trim()).toBe(url);
    expect(statSync(urlFile).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(urlFile)).mode & 0o777).toBe(0o700);

    const host = `127.0.0.1:${port}`;
    expect((await httpRequest(Number(port), '/api/health', { Host: host })).status).toBe(401);
    const health = await httpRequest(Number(port), '/api/health', {
      Host: host,
      Authorization: `Bearer ${token}`,
    });
    expect(JSON.parse(health.body)).toMatchObject({ ok: true, mode: 'sandbox' });

    agent.kill('SIGINT');
    const result = await agent;
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('stopping (SIGINT)');
    expect(existsSync(urlFile)).toBe(false);
  });
});
