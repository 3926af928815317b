import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunnerClosedError } from './runner';
import {
  createTestLab,
  hostSnapshot,
  pidsOf,
  processAlive,
  waitFor,
  type HostSnapshot,
  type TestLab,
} from './testing';

let before: HostSnapshot;
let lab: TestLab;
beforeAll(async () => {
  before = hostSnapshot();
  lab = await createTestLab();
  const added = await lab.runner.run('host', ['ip', 'netns', 'add', 'red']);
  expect(added.exitCode).toBe(0);
});
afterAll(async () => {
  await lab.close();
  expect(hostSnapshot()).toEqual(before);
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
});
