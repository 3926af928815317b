#!/usr/bin/env node
// The netns-lab command. The agent is bundled by `npm run build` into ../dist/netns-lab.mjs.
import { existsSync } from 'node:fs';
import process from 'node:process';
import { URL } from 'node:url';

const bundle = new URL('../dist/netns-lab.mjs', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write(
    'netns-lab: the agent is not built yet. Run `npm run build` in the netns-lab folder ' +
      '(or `npm start`, which builds and starts it).\n',
  );
  process.exit(1);
}
await import(bundle.href);
