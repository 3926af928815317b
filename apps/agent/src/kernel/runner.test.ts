import { existsSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunnerClosedError } from './runner';
import {
  createTestLab,
  expectHostUntouched,
  pidsOf,
  processAlive,
  waitFor,
  type TestLab,
} from './testing';

expectHostUntouched();
let lab: TestLab;
beforeAll(async () => {
  lab = await createTestLab();
  const added = await lab.runner.run('host', ['ip', 'netns', 'add', 'red']);
  expect(added.exitCode).toBe(0);
});
afterAll(async () => {
  await lab.close();
});

describe('the command runner', () => {
  it('reports a failing command’s exit code and message instead of throwing', async () => {
    const result = await lab.runner.run('red', ['ip', 'link', 'show', 'dev', 'nothing-here']);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/does not exist/);
    expect(result.timedOut).toBe(false);
    expect(result.durationMs).toBeGreaterThan(0);
  });

  it('feeds input to the command, e.g. an ip batch', async () => {
    const result = await lab.runner.run('red', ['ip', '-batch', '-'], {
      input: 'link set dev lo up\naddr add 10.9.0.1/32 dev lo\n',
    });
    expect(result.exitCode).toBe(0);
    const shown = await lab.runner.run('red', ['ip', '-br', 'addr', 'show', 'dev', 'lo']);
    expect(shown.stdout).toContain('10.9.0.1/32');
  });

  it('kills a command that outlives its timeout, inside the sandbox too', async () => {
    const result = await lab.runner.run('red', ['sleep', '7.31'], { timeoutMs: 300 });
    expect(result.timedOut).toBe(true);
    expect(result.exitCode).toBe(-1);
    expect(await waitFor(() => pidsOf('sleep 7.31').length === 0, 2000)).toBe(true);
  });

  it('counts every process it starts', async () => {
    const start = lab.runner.processCount;
    await lab.runner.run('host', ['true']);
    await lab.runner.run('red', ['true']);
    expect(lab.runner.processCount - start).toBe(2);
  });

  it('reports a missing program as a failure with a message', async () => {
    const result = await lab.runner.run('red', ['no-such-program-netns-lab']);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/no-such-program-netns-lab|No such file/);
  });

  it('kills its streaming children when it closes, and refuses new work after', async () => {
    const other = await createTestLab();
    const child = other.runner.spawn('host', ['sleep', '8.42']);
    expect(await waitFor(() => pidsOf('sleep 8.42').length === 1, 3000)).toBe(true);
    const [sleeper] = pidsOf('sleep 8.42');
    await other.runner.close();
    await child.done;
    expect(await waitFor(() => !processAlive(sleeper as number), 2000)).toBe(true);
    await expect(other.runner.run('host', ['true'])).rejects.toThrow(RunnerClosedError);
    await other.sandbox.close();
  });

  // The sandbox sees this machine's /proc, where PIDs are this machine's: a command finds its
  // parent through /proc/self/stat, not $PPID (which is numbered as the sandbox sees it).
  const PARENT = 'read -r _ _ _ p _ < /proc/self/stat; echo $p; tr "\\0" " " < /proc/$p/cmdline';
  it('starts its commands from one launcher in the lab, not one Node child each', async () => {
    // The parent of the command's shell is the launcher itself, whose command line names it:
    // it forked the command and entered red's namespace itself (no nsenter in between).
    const parent = await lab.runner.run('red', ['sh', '-c', PARENT]);
    expect(parent.exitCode).toBe(0);
    expect(parent.stdout.split('\n')[1]).toMatch(/^netns-lab-launcher /);
    const before = lab.runner.processCount;
    const many = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        lab.runner.run(i % 2 ? 'red' : 'host', ['echo', `${i}`]),
      ),
    );
    expect(many.map((r) => r.stdout)).toEqual(Array.from({ length: 40 }, (_, i) => `${i}\n`));
    expect(lab.runner.processCount - before).toBe(40);
  });

  it("runs a command in its namespace's network stack, and says so when the namespace is gone", async () => {
    // The launcher enters red itself (setns): the command's network namespace is red's file.
    const inode = await lab.runner.run('host', ['stat', '-L', '-c', '%i', '/run/netns/red']);
    const own = await lab.runner.run('red', ['readlink', '/proc/self/ns/net']);
    expect(own.stdout.trim()).toBe(`net:[${inode.stdout.trim()}]`);
    const host = await lab.runner.run('host', ['readlink', '/proc/self/ns/net']);
    expect(host.stdout.trim()).not.toBe(own.stdout.trim());
    const gone = await lab.runner.run('nosuchns', ['true']);
    expect(gone.exitCode).not.toBe(0);
    expect(gone.stderr).toMatch(/nosuchns: No such file or directory/);
  });

  it('hands every argument over verbatim: no word of it ever reaches a shell', async () => {
    const words = ['$(touch /tmp/netns-lab-pwned)', 'a b', "'", '"', '`id`', ';', '\\', '*', '-n'];
    const result = await lab.runner.run('red', ['printf', '[%s]', ...words]);
    expect(result.stdout).toBe(words.map((w) => `[${w}]`).join(''));
    expect(existsSync('/tmp/netns-lab-pwned')).toBe(false);
  });

  it('starts a new launcher when the old one died, and runs without one when told to', async () => {
    const found = await lab.runner.run('host', ['sh', '-c', PARENT]);
    const [pidLine, cmdline] = found.stdout.split('\n');
    expect(cmdline).toMatch(/^netns-lab-launcher /);
    process.kill(Number(pidLine), 'SIGKILL');
    expect(await waitFor(() => !processAlive(Number(pidLine)), 2000)).toBe(true);
    const after = await lab.runner.run('red', ['echo', 'still here']);
    expect(after.stdout).toBe('still here\n');
    const again = await lab.runner.run('host', ['sh', '-c', PARENT]);
    expect(Number(again.stdout.split('\n')[0])).not.toBe(Number(pidLine));

    const plain = await createTestLab({ launcher: false });
    try {
      const viaNode = await plain.runner.run('host', ['sh', '-c', PARENT]);
      expect(viaNode.stdout.split('\n')[1]).toMatch(/^nsenter /);
      expect((await plain.runner.run('host', ['ip', 'netns', 'add', 'x'])).exitCode).toBe(0);
    } finally {
      await plain.close();
    }
  });

  it('keeps its job files inside the sandbox, where they vanish with it', async () => {
    const shm = () => readdirSync('/dev/shm').filter((f) => f.startsWith('netns-lab-jobs-'));
    const before = shm();
    const other = await createTestLab();
    await other.runner.run('host', ['true']);
    const inside = `/proc/${other.sandbox.pid}/root/dev/shm`;
    expect(readdirSync(inside).some((f) => f.startsWith('netns-lab-jobs-'))).toBe(true);
    expect(shm()).toEqual(before);
    await other.close();
    expect(existsSync(inside)).toBe(false);
    expect(shm()).toEqual(before);
  });
});
