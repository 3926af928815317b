/**
 * Host mode, proven inside a throwaway network + mount namespace (never this machine's own):
 * an agent killed after applying leaves its journal; a new agent on the same journal converges
 * without running anything, and `destroy` removes exactly what netns-lab made -- an interface
 * created by someone else survives.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const step = join(import.meta.dirname, 'fixtures', 'host-mode-step.ts');

function runInThrowawayHost(forwardBefore: 0 | 1): Record<string, unknown>[] {
  const stateDir = mkdtempSync(join(tmpdir(), 'netns-lab-host-'));
  const node = `node --import tsx ${step}`;
  const script = `
mkdir -p /run/netns && mount -t tmpfs none /run/netns
mount -t tmpfs none /dev/shm
sysctl -qw net.ipv4.ip_forward=${forwardBefore}
ip link add keep-me type bridge
${node} apply seed-gateway ${stateDir} || true
${node} converge seed-gateway ${stateDir}
echo "{\\"tagged\\": \\"$(ip -o link show | grep 'alias netns-lab' | awk -F': ' '{print $2}' | cut -d@ -f1 | sort | tr '\\n' ' ')\\"}"
${node} destroy x ${stateDir}
sleep 0.3
echo "{\\"namespaces\\": $(ip netns list | wc -l), \\"links\\": \\"$(ip -o link show | awk -F': ' '{print $2}' | tr '\\n' ' ')\\", \\"nat\\": $(iptables-save -t nat | grep -c -- '^-A' || true), \\"forward\\": $(cat /proc/sys/net/ipv4/ip_forward)}"
`;
  const output = execFileSync(
    'unshare',
    ['--net', '--mount', '--propagation', 'private', 'bash', '-c', script],
    { encoding: 'utf8', timeout: 90_000, cwd: join(import.meta.dirname, '..') },
  );
  return output
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('host mode', () => {
  it('survives a SIGKILL, converges on restart, and destroys only what it made', () => {
    const [applied, converged, tagged, destroyed, after] = runInThrowawayHost(0);
    // What it made in the host carries its tag; what someone else made does not.
    expect(String(tagged?.['tagged']).trim().split(/\s+/)).toEqual([
      'v-net-0',
      'veth-blue-br',
      'veth-lan',
      'veth-red-br',
    ]);
    expect(applied).toMatchObject({ action: 'apply', ok: true });
    expect(applied?.['commandsRun']).toBeGreaterThan(30);
    // The restarted agent finds the lab in the kernel and runs nothing.
    expect(converged).toMatchObject({
      action: 'converge',
      ok: true,
      commandsRun: 0,
      ping: 1,
      again: 0,
    });
    expect(destroyed).toMatchObject({ action: 'destroy', ok: true });
    expect(after).toMatchObject({ namespaces: 0, nat: 0, forward: 0 });
    expect(String(after?.['links']).trim().split(/\s+/).sort()).toEqual(['keep-me', 'lo']);
  });

  it('leaves ip_forward on after destroy when the host had it on before', () => {
    const [applied, converged, , destroyed, after] = runInThrowawayHost(1);
    expect(applied).toMatchObject({ ok: true });
    expect(converged).toMatchObject({ ok: true, ping: 1 });
    expect(destroyed).toMatchObject({ ok: true });
    expect(after).toMatchObject({ namespaces: 0, nat: 0, forward: 1 });
  });
});
