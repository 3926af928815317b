import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createSandbox, SandboxError } from './sandbox';
import { createTestLab, expectHostUntouched, processAlive, waitFor } from './testing';

expectHostUntouched();

function hostNetnsList(): string {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
}

describe('the sandbox', () => {
  it('keeps its namespaces out of this machine’s ip netns list, and they vanish on close', async () => {
    const lab = await createTestLab();
    const { sandbox, runner } = lab;
    expect(sandbox.mode).toBe('sandbox');
    expect((await runner.run('host', ['ip', 'netns', 'add', 'red'])).exitCode).toBe(0);

    const inside = await runner.run('host', ['ip', 'netns', 'list']);
    expect(inside.stdout).toMatch(/^red\b/m);
    expect(hostNetnsList()).not.toMatch(/^red\b/m);
    expect(readdirSync(sandbox.netnsDir)).toContain('red');

    const holder = sandbox.holderPid as number;
    const pid1 = sandbox.pid as number;
    await lab.close();
    await lab.close(); // idempotent
    expect(processAlive(holder)).toBe(false);
    expect(await waitFor(() => !processAlive(pid1), 2000)).toBe(true);
    expect(existsSync(sandbox.netnsDir)).toBe(false);
    expect(hostNetnsList()).not.toMatch(/^red\b/m);
  });

  it('runs the lab’s root and its named namespaces in different network namespaces', async () => {
    const lab = await createTestLab();
    try {
      const { runner } = lab;
      await runner.run('host', ['ip', 'netns', 'add', 'red']);
      const ownNet = execFileSync('readlink', ['/proc/self/ns/net'], { encoding: 'utf8' }).trim();
      const hostNet = (await runner.run('host', ['readlink', '/proc/self/ns/net'])).stdout.trim();
      const redNet = (await runner.run('red', ['readlink', '/proc/self/ns/net'])).stdout.trim();
      expect(hostNet).toMatch(/^net:\[\d+\]$/);
      expect(new Set([ownNet, hostNet, redNet]).size).toBe(3);
    } finally {
      await lab.close();
    }
  });

  it('leaves nothing behind when the process that owns it is killed with SIGKILL', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/hold-sandbox.ts', import.meta.url));
    const agent = spawn(process.execPath, ['--import', 'tsx', fixture], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const lines = createInterface({ input: agent.stdout });
      const [line] = (await Promise.race([
        once(lines, 'line'),
        new Promise((_, reject) => setTimeout(() => reject(new Error('fixture timeout')), 20_000)),
      ])) as [string];
      const pids = JSON.parse(line) as { holderPid: number; pid: number; monitorPid: number };
      for (const pid of Object.values(pids)) expect(processAlive(pid)).toBe(true);

      agent.kill('SIGKILL');
      await once(agent, 'exit');
      const gone = await waitFor(
        () => Object.values(pids).every((pid) => !processAlive(pid)),
        5000,
      );
      expect(gone).toBe(true);
    } finally {
      if (agent.exitCode === null && agent.signalCode === null) agent.kill('SIGKILL');
    }
  });

  it('survives orphans that die inside it (its first process inherits and reaps them)', async () => {
    const lab = await createTestLab();
    try {
      const { sandbox, runner } = lab;
      expect((await runner.run('host', ['ip', 'netns', 'add', 'red'])).exitCode).toBe(0);
      // Each subshell exits at once; its sleep becomes an orphan of the sandbox's PID 1 and
      // dies 100-300 ms later, as a command does when the runner kills its nsenter.
      const orphans = await runner.run('host', [
        'sh',
        '-c',
        '(sleep 0.1 &); (sleep 0.2 &); (sleep 0.3 &); echo started',
      ]);
      expect(orphans.stdout).toBe('started\n');
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(processAlive(sandbox.pid as number)).toBe(true);
      expect(processAlive(sandbox.holderPid as number)).toBe(true);
      const list = await runner.run('host', ['ip', 'netns', 'list']);
      expect(list.exitCode).toBe(0);
      expect(list.stdout).toMatch(/^red\b/m);
    } finally {
      await lab.close();
    }
  });

  it('refuses namespace names that are not kernel names before building a command', async () => {
    const lab = await createTestLab();
    try {
      for (const bad of ['../etc', '-f', 'a b', 'x:y', '', 'sixteen-chars-xx', 'dev']) {
        expect(() => lab.sandbox.nsPrefix(bad)).toThrow(SandboxError);
      }
      expect(lab.sandbox.nsPrefix('host')).toEqual([...lab.sandbox.hostPrefix]);
    } finally {
      await lab.close();
    }
  });

  it('refuses host mode to a user who is not root, saying why', async () => {
    if (process.getuid?.() === 0) {
      // As root, host mode would be allowed: its prefixes are checked without changing anything.
      const host = await createSandbox({ mode: 'host' });
      expect(host.hostPrefix).toEqual([]);
      expect(host.nsPrefix('red')).toEqual(['nsenter', '--net=/run/netns/red', '--']);
      await host.close();
      return;
    }
    await expect(createSandbox({ mode: 'host' })).rejects.toThrow(/needs root/);
  });
});
