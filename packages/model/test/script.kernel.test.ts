/**
 * The exported script of each built-in lab, run by bash inside a throwaway network and mount
 * namespace (never this machine's own), builds a lab in which the expected pings succeed, and
 * its teardown removes everything it built.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleLab, exportScript, validateLab } from '../src/index';
import { eth0Lab } from './labs';

const PINGS: Record<string, [ns: string, address: string][]> = {
  'seed-veth': [
    ['red', '192.168.15.2'],
    ['blue', '192.168.15.1'],
  ],
  'seed-bridge': [
    ['red', '192.168.15.2'],
    ['blue', '192.168.15.1'],
  ],
  'seed-gateway': [
    ['blue', '192.168.1.3'],
    ['red', '192.168.15.5'],
  ],
  router: [
    ['red', '192.168.16.1'],
    ['green', '192.168.15.1'],
  ],
};

function runInThrowawayNamespace(script: string, pings: [string, string][]): string {
  const dir = mkdtempSync(join(tmpdir(), 'netns-lab-script-'));
  const file = join(dir, 'lab.sh');
  writeFileSync(file, script, { mode: 0o755 });
  const checks = pings
    .map(
      ([ns, address]) =>
        `ip netns exec ${ns} ping -c1 -W2 ${address} >/dev/null && echo "ping ${ns} ${address} ok" || echo "ping ${ns} ${address} FAILED"`,
    )
    .join('\n');
  const inner = `set -e
mkdir -p /run/netns
mount -t tmpfs none /run/netns
bash ${file}
${checks}
bash ${file} down >/dev/null
sleep 0.2
echo "namespaces left: $(ip netns list | wc -l)"
echo "links left: $(ip -o link show | grep -vc ': lo:')"
echo "nat rules left: $(iptables-save -t nat | grep -c -- '^-A' || true)"`;
  return execFileSync(
    'unshare',
    ['--net', '--mount', '--propagation', 'private', 'bash', '-c', inner],
    {
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
}

describe('the exported script builds the lab in a real kernel', () => {
  for (const id of Object.keys(PINGS)) {
    it(`builds ${id} so that its pings succeed, and tears it down again`, () => {
      const pings = PINGS[id]!;
      const script = exportScript(exampleLab(id));
      expect(script.startsWith('#!/usr/bin/env bash')).toBe(true);
      expect(script).toContain('set -euo pipefail');
      const out = runInThrowawayNamespace(script, pings);
      for (const [ns, address] of pings) expect(out).toContain(`ping ${ns} ${address} ok`);
      expect(out).toContain('namespaces left: 0');
      expect(out).toContain('links left: 0');
      expect(out).toContain('nat rules left: 0');
    });
  }

  it('builds a lab with eth0 in red and in blue (and eth1 at both ends of one veth), so that its pings succeed', () => {
    const lab = eth0Lab();
    expect(validateLab(lab).ok).toBe(true);
    const script = exportScript(lab);
    expect(script).toContain('ip link add eth0 netns red type veth peer name veth-red-br');
    expect(script).toContain('ip link add eth0 netns blue type veth peer name veth-blue-br');
    expect(script).toContain('ip link add eth1 netns red type veth peer name eth1 netns blue');
    const pings: [string, string][] = [
      ['red', '192.168.15.2'],
      ['blue', '192.168.15.1'],
      ['red', '10.0.0.2'],
      ['blue', '10.0.0.1'],
    ];
    const out = runInThrowawayNamespace(script, pings);
    for (const [ns, address] of pings) expect(out).toContain(`ping ${ns} ${address} ok`);
    expect(out).toContain('namespaces left: 0');
    expect(out).toContain('links left: 0');
  });
});
