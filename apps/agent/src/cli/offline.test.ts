import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_LABS } from '@netns-lab/model';

// The commands run as the user will run them: the bundle that build.mjs makes, built afresh.
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
let dir = '';
let bundle = '';

function netnsLab(...args: string[]) {
  return execa(process.execPath, [bundle, ...args], {
    cwd: repoRoot,
    reject: false,
    env: { NETNS_LAB_URL: '', XDG_RUNTIME_DIR: dir },
  });
}

/** As a user that is not root (nobody, when the tests run as root). */
function netnsLabAsUser(...args: string[]) {
  const asRoot = process.getuid?.() === 0;
  return execa(process.execPath, [bundle, ...args], {
    cwd: tmpdir(),
    reject: false,
    env: { NETNS_LAB_URL: '', XDG_RUNTIME_DIR: '', HOME: tmpdir() },
    ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
  });
}

const file = (name: string): string => path.join(dir, name);

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'netns-lab-cli-'));
  chmodSync(dir, 0o755); // Readable by the unprivileged user of the host-mode test.
  const outdir = path.join(dir, 'dist');
  await execa(process.execPath, [path.join(repoRoot, 'apps/agent/build.mjs'), '--outdir', outdir]);
  bundle = path.join(outdir, 'netns-lab.mjs');
  for (const example of EXAMPLE_LABS) {
    writeFileSync(file(`${example.id}.json`), JSON.stringify(example.lab, null, 2));
  }
  const bad = structuredClone(EXAMPLE_LABS[0]!.lab);
  bad.links[0]!.a.ifname = 'veth-red-bridge-1';
  writeFileSync(file('bad-name.json'), JSON.stringify(bad, null, 2));
  writeFileSync(file('bad-shape.json'), JSON.stringify({ version: 1, nodes: 'none' }));
  writeFileSync(
    file('bad-json.json'),
    '{\n  "version": 1,\n  "nodes": [ {"kind": "host", "id": "host"}, ]\n}\n',
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('netns-lab validate', () => {
  it('accepts every built-in lab with exit code 0', async () => {
    for (const example of EXAMPLE_LABS) {
      const result = await netnsLab('validate', file(`${example.id}.json`));
      expect({ lab: example.id, exitCode: result.exitCode }).toEqual({
        lab: example.id,
        exitCode: 0,
      });
      expect(result.stdout).toContain(': valid (0 errors');
    }
  });

  it('lists each error with its code and path, and exits 1', async () => {
    const result = await netnsLab('validate', file('bad-name.json'));
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('not valid (1 error');
    expect(result.stdout).toMatch(
      /error name-too-long at links\[0\]\.a\.ifname: "veth-red-bridge-1" is 17 bytes/,
    );
  });

  it('says where the shape of the document is wrong', async () => {
    const result = await netnsLab('validate', file('bad-shape.json'));
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/error schema at nodes/);
  });

  it('gives the line and column of a JSON syntax error', async () => {
    const result = await netnsLab('validate', file('bad-json.json'));
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`${file('bad-json.json')}:3:46: not valid JSON`);
  });

  it('says when the file cannot be read', async () => {
    const result = await netnsLab('validate', file('missing.json'));
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`cannot read ${file('missing.json')}: no such file`);
  });
});

describe('netns-lab plan and script', () => {
  it('plan prints the commands that build the seed lab, starting with ip netns add red', async () => {
    const result = await netnsLab('plan', file('seed-veth.json'));
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('ip netns add red');
    expect(lines).toContain(
      'ip link add veth-red netns red type veth peer name veth-blue netns blue',
    );
    expect(lines).toContain('ip -n red addr add 192.168.15.1/24 dev veth-red');
  });

  it('plan refuses an invalid lab, printing its errors', async () => {
    const result = await netnsLab('plan', file('bad-name.json'));
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('is not a valid lab');
    expect(result.stderr).toContain('name-too-long at links[0].a.ifname');
  });

  it('script prints a bash script for the lab', async () => {
    const result = await netnsLab('script', file('seed-veth.json'));
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^#!\/usr\/bin\/env bash/);
    expect(result.stdout).toContain('ip netns add red');
  });
});

describe('the command line', () => {
  it('--help lists every command', async () => {
    const result = await netnsLab('--help');
    expect(result.exitCode).toBe(0);
    for (const name of [
      'serve',
      'apply',
      'destroy',
      'status',
      'tables',
      'ping',
      'plan',
      'script',
      'validate',
    ]) {
      expect(result.stdout).toContain(`  ${name}`);
    }
  });

  it('each command has its own --help', async () => {
    const result = await netnsLab('ping', '--help');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Usage: netns-lab ping NS ADDRESS');
  });

  it('a wrong command line exits 2 and points to --help', async () => {
    const wrong = [
      ['frobnicate'],
      ['plan'],
      ['plan', '--bogus', 'x.json'],
      ['serve', '--port', 'http'],
      ['ping', 'red', 'example.com'],
    ];
    const results = await Promise.all(wrong.map((args) => netnsLab(...args)));
    results.forEach((result, i) => {
      expect({ args: wrong[i], exitCode: result.exitCode }).toEqual({
        args: wrong[i],
        exitCode: 2,
      });
      expect(result.stderr).toMatch(/See: netns-lab .*--help/);
    });
  });

  it('host mode is refused without root', async () => {
    const result = await netnsLabAsUser('serve', '--host', '--no-open');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('needs root');
  });

  it('a client command without a running agent says how to start one', async () => {
    const result = await netnsLab('status');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('no running agent found: start one with `netns-lab serve`');
  });
});
