/**
 * Tool failures: an `ip` that hangs is stopped after the command timeout and reported as such;
 * a missing iptables is reported with how to install it, and labs without NAT still work.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTool, toolPath } from '../../src/kernel/tools';
import { bundleFixture, runToEnd, type Bundle } from './support/bundle';
import { createMarker, waitForNoProcesses } from './support/processes';

let fixture: Bundle;
let work = '';
beforeAll(async () => {
  fixture = await bundleFixture('tool-failures');
  work = mkdtempSync(join(tmpdir(), 'netns-lab-hardening-tools-'));
});
afterAll(() => {
  fixture?.remove();
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

describe('tool failures', () => {
  it('an ip command that hangs is stopped after the timeout and reported, and leaves no process', async () => {
    const realIp = findTool('ip');
    expect(realIp).toBeDefined();
    const bin = join(work, 'fake-bin');
    mkdirSync(bin);
    // Hangs on the applier's `ip -batch -`; every other use goes to the real ip.
    writeFileSync(
      join(bin, 'ip'),
      `#!/bin/sh\nif [ "$1" = "-batch" ]; then exec sleep 60; fi\nexec ${realIp} "$@"\n`,
    );
    chmodSync(join(bin, 'ip'), 0o755);
    const marker = createMarker();
    const timeoutMs = 700;
    const { json } = await runToEnd([process.execPath, fixture.file, 'hang', String(timeoutMs)], {
      timeoutMs: 60_000,
      env: { ...marker.env, PATH: `${bin}:${process.env.PATH ?? ''}` },
    });
    const result = json[0] ?? {};
    expect(result['done']).toMatchObject({ ok: false });
    const failure = (result['done'] as { failure: { message: string; argv: string[] } }).failure;
    expect(failure.message).toMatch(/did not finish in time and was stopped/);
    expect(failure.argv.join(' ')).toMatch(/^ip netns add /);
    expect(result['durationMs']).toBeGreaterThanOrEqual(timeoutMs);
    expect(result['durationMs']).toBeLessThan(timeoutMs + 10_000);
    expect(result['hung']).toBe(0);
    expect(result['hostState']).toBe('host');
    expect(await waitForNoProcesses(marker, 2000)).toEqual([]);
    console.info(`hanging ip: stopped and reported after ${String(result['durationMs'])} ms`);
  });

  it('a missing iptables fails the NAT step with how to install it, and a lab without NAT works', async () => {
    const iptables = findTool('iptables', toolPath());
    expect(iptables).toBeDefined();
    const dir = join(iptables ?? '/usr/sbin/iptables', '..');
    const original = join(work, 'original');
    const shadow = join(work, 'shadow');
    mkdirSync(original);
    mkdirSync(shadow);
    // In a private mount namespace (this machine's own is untouched), the directory that holds
    // iptables is replaced by one with every other entry: iptables is simply not installed.
    const script = `set -e
mount --bind '${dir}' '${original}'
for f in '${original}'/*; do
  name=$(basename "$f")
  case "$name" in iptables*|ip6tables*) ;; *) ln -s "$f" '${shadow}'/"$name" ;; esac
done
mount --bind '${shadow}' '${dir}'
if PATH='${toolPath('')}' command -v iptables >/dev/null; then echo 'iptables still found' >&2; exit 97; fi
exec '${process.execPath}' '${fixture.file}' no-iptables`;
    const marker = createMarker();
    const { json } = await runToEnd(
      ['unshare', '--mount', '--propagation', 'private', '--', 'sh', '-c', script],
      { timeoutMs: 60_000, env: marker.env },
    );
    const result = json[0] ?? {};
    expect(result['tools']).toMatchObject({
      iptables: { available: false, install: 'apt-get install iptables' },
      ip: { available: true },
    });
    const withNat = result['withNat'] as {
      ok: boolean;
      failure: { message: string; argv: string[] };
      rolledBack: boolean;
    };
    expect(withNat.ok).toBe(false);
    expect(withNat.failure.argv[0]).toBe('iptables');
    expect(withNat.failure.message).toContain('apt-get install iptables');
    expect(withNat.rolledBack).toBe(true);
    expect(result['withoutNat']).toEqual({ ok: true });
    expect(result['ping']).toBe(1);
    expect(await waitForNoProcesses(marker, 2000)).toEqual([]);
  });
});
