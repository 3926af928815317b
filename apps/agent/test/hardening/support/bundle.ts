/**
 * Runs a fixture as its own Node process, fast. A fixture started with `node --import tsx`
 * spends a second or more compiling before it does anything; the crash test starts one agent per
 * step of an apply, so each fixture is bundled once with esbuild into a self-contained .mjs and
 * started with plain `node` (about a tenth of the time).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

export interface Bundle {
  /** The bundled fixture: run it with `node FILE`. */
  file: string;
  /** Removes the bundle. */
  remove(): void;
}

/** Bundles fixtures/NAME.ts (and everything it imports) into one ESM file in a temp folder. */
export async function bundleFixture(name: string): Promise<Bundle> {
  const dir = mkdtempSync(join(tmpdir(), 'netns-lab-hardening-'));
  const file = join(dir, `${name}.mjs`);
  await build({
    entryPoints: [join(FIXTURES, `${name}.ts`)],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // execa's dependencies include CommonJS modules that call require().
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    logLevel: 'error',
  });
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface RunResult {
  stdout: string;
  stderr: string;
  /** Lines of stdout that are JSON objects, parsed. */
  json: Record<string, unknown>[];
}

/**
 * Runs argv (e.g. `unshare ... node FILE`) to completion and parses its JSON lines. A non-zero
 * exit rejects with the output attached, so a failing fixture explains itself.
 */
export function runToEnd(
  argv: readonly string[],
  options: { timeoutMs: number; env?: NodeJS.ProcessEnv },
): Promise<RunResult> {
  const [file, ...args] = argv as [string, ...string[]];
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      {
        encoding: 'utf8',
        timeout: options.timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: 64 * 1024 * 1024,
        env: options.env ?? process.env,
      },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`${argv.join(' ')} failed: ${error.message}\n${stdout}\n${stderr}`));
          return;
        }
        const json = stdout
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as Record<string, unknown>);
        resolve({ stdout, stderr, json });
      },
    );
  });
}

/**
 * argv that runs `node FILE ARGS` inside a throwaway network + mount namespace with a private,
 * empty /run/netns: whatever the fixture builds in "host mode" vanishes when it ends.
 */
export function inThrowawayNamespace(file: string, args: readonly string[] = []): string[] {
  const quoted = [process.execPath, file, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`);
  return [
    'unshare',
    '--net',
    '--mount',
    '--propagation',
    'private',
    '--',
    'sh',
    '-c',
    // A private /dev/shm too: host mode keeps its launcher's job files there.
    `mkdir -p /run/netns && mount -t tmpfs -o mode=0755 none /run/netns && mount -t tmpfs none /dev/shm && exec ${quoted.join(' ')}`,
  ];
}
