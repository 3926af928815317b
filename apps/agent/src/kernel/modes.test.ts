import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { explainStartFailure } from './sandbox';
import { expectHostUntouched } from './testing';

const TEST_USER = 'netnslabtest';
const isRoot = process.getuid?.() === 0;
const agentDir = fileURLToPath(new URL('../..', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/seed-smoke.ts', import.meta.url));

expectHostUntouched();

interface Smoke {
  mode: string;
  rootless: boolean;
  uid: number;
  replies: number[];
  toBlue: { transmitted: number; received: number };
  toLan: { transmitted: number; received: number };
  route: { dev: string; via?: string };
  redNeighbours: string[];
  hostNat: { target: string; packets: number }[];
  hostForward: boolean;
  hostFdb: number;
}

/** Runs the seed smoke fixture with a command prefix; returns its JSON line. */
function runSmoke(prefix: string[], mode: 'sandbox' | 'host'): Smoke {
  const [file = '', ...args] = [...prefix, process.execPath, '--import', 'tsx', fixture, mode];
  const result = spawnSync(file, args, { cwd: agentDir, encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) {
    throw new Error(`smoke fixture failed (${result.status}): ${result.stderr}`);
  }
  return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '') as Smoke;
}

function expectSeedWorks(smoke: Smoke): void {
  expect(smoke.replies).toEqual([1, 2]);
  expect(smoke.toBlue).toMatchObject({ transmitted: 2, received: 2 });
  expect(smoke.toLan).toMatchObject({ transmitted: 2, received: 2 });
  expect(smoke.route).toMatchObject({ dev: 'veth-blue', via: '192.168.15.5' });
  expect(smoke.redNeighbours.some((n) => n.startsWith('192.168.15.2 '))).toBe(true);
  expect(smoke.hostNat[0]?.target).toBe('MASQUERADE');
  expect(smoke.hostNat[0]?.packets).toBeGreaterThan(0);
  expect(smoke.hostForward).toBe(true);
  expect(smoke.hostFdb).toBeGreaterThan(0);
}

describe('agent modes', () => {
  it.skipIf(!isRoot)(
    'builds, pings and masquerades the seed lab as an unprivileged user, with no sudo',
    () => {
      try {
        execFileSync('id', ['-u', TEST_USER], { stdio: 'ignore' });
      } catch {
        execFileSync('useradd', ['-M', '-r', '-s', '/usr/sbin/nologin', TEST_USER]);
      }
      const smoke = runSmoke(['runuser', '-u', TEST_USER, '--'], 'sandbox');
      expect(smoke.rootless).toBe(true);
      expect(smoke.uid).not.toBe(0);
      expectSeedWorks(smoke);
    },
    60_000,
  );

  it.skipIf(!isRoot)(
    'runs in host mode inside a throwaway namespace standing in for this machine',
    () => {
      // The throwaway namespace plays "this machine"; a private /run keeps its /run/netns apart.
      const wrapper = [
        'unshare',
        '--net',
        '--mount',
        '--propagation',
        'private',
        '--',
        'sh',
        '-c',
        'mount -t tmpfs netns-lab-test /run && mkdir /run/netns && mount -t tmpfs netns-lab-test /dev/shm && exec "$@"',
        'netns-lab-host-test',
      ];
      const smoke = runSmoke(wrapper, 'host');
      expect(smoke.mode).toBe('host');
      expect(smoke.rootless).toBe(false);
      expectSeedWorks(smoke);
    },
    60_000,
  );

  it('explains how to enable unprivileged user namespaces when unshare is refused', () => {
    const error = explainStartFailure(
      new Error('unshare exited (code 1)'),
      'unshare: unshare failed: Operation not permitted',
      true,
    );
    expect(error.code).toBe('userns-disabled');
    expect(error.message).toMatch(/kernel\.unprivileged_userns_clone=1/);
    expect(error.message).toMatch(/kernel\.apparmor_restrict_unprivileged_userns=0/);
  });
});
