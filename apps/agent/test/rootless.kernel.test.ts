/**
 * Rootless: the agent run by a normal user (no sudo) builds the seed's gateway lab in its
 * sandbox (a user namespace), pings through NAT and converges on a second apply. When the
 * tests run as root, the test creates an unprivileged system user to run it.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const TEST_USER = 'netnslabtest';
const isRoot = process.getuid?.() === 0;

function ensureUser(): void {
  try {
    execFileSync('id', ['-u', TEST_USER], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['-M', '-r', '-s', '/usr/sbin/nologin', TEST_USER]);
  }
}

describe('rootless', () => {
  it.skipIf(!isRoot)('applies the seed gateway lab and pings through NAT as a normal user', () => {
    ensureUser();
    const fixture = join(import.meta.dirname, 'fixtures', 'seed-session.ts');
    const output = execFileSync(
      'runuser',
      ['-u', TEST_USER, '--', process.execPath, '--import', 'tsx', fixture],
      {
        encoding: 'utf8',
        timeout: 90_000,
        cwd: join(import.meta.dirname, '..'),
        env: { PATH: `${process.env['PATH'] ?? ''}:/usr/sbin:/sbin`, HOME: '/tmp', LANG: 'C' },
      },
    );
    const result = JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
    expect(result).toMatchObject({
      rootless: true,
      ok: true,
      redToBlue: 1,
      blueToLan: 1,
      blueRoute: true,
      again: 0,
    });
    expect(result['uid']).not.toBe(0);
    expect(result['masquerade']).toBeGreaterThan(0);
  });
});
