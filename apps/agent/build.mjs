// Bundles the agent and its CLI: apps/agent/dist/netns-lab.mjs, plus chunks in dist/chunks/
// for the parts only some commands need (the server, the engine, the WebSocket client), so
// that `netns-lab plan` does not load express, ws and execa.
//
// The workspace package @netns-lab/model (TypeScript source, not published) and its own
// dependencies are bundled in; the agent's declared dependencies (express, ws, execa) stay
// external and are loaded from node_modules at run time.
//
// Usage: node apps/agent/build.mjs [--outdir DIR]
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, URL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const here = (relative) => fileURLToPath(new URL(relative, import.meta.url));

const { values } = parseArgs({ options: { outdir: { type: 'string' } } });
const agentPackage = JSON.parse(await readFile(here('./package.json'), 'utf8'));
const dependencies = Object.keys(agentPackage.dependencies ?? {});

const outdir = values.outdir ?? here('./dist');
// Chunk names carry a hash: drop the previous build's, which nothing refers to any more.
await rm(path.join(outdir, 'chunks'), { recursive: true, force: true });

await build({
  entryPoints: { 'netns-lab': here('./src/cli/main.ts') },
  outdir,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: dependencies.flatMap((name) => [name, `${name}/*`]),
  // No createRequire banner: everything bundled is ESM. Should a CommonJS package ever be
  // bundled, esbuild's require shim will say so at run time; add the banner then.
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
});
