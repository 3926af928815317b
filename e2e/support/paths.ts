/** Where things are in the monorepo, seen from the e2e package. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const E2E_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = path.resolve(E2E_DIR, '..');
export const AGENT_BIN = path.join(REPO_ROOT, 'apps', 'agent', 'bin', 'netns-lab.mjs');
export const AGENT_BUNDLE = path.join(REPO_ROOT, 'apps', 'agent', 'dist', 'netns-lab.mjs');
export const WEB_DIST = path.join(REPO_ROOT, 'apps', 'web', 'dist', 'index.html');

/** Set by the global setup: a private folder for this run (agent runtime dirs, pid list). */
export const RUN_DIR_ENV = 'NETNS_LAB_E2E_RUN_DIR';

/** `ip`, `iptables-save` and friends live in sbin, which a normal user's PATH may lack. */
export function pathWithSbin(current: string | undefined = process.env.PATH): string {
  const parts = (current ?? '').split(':').filter(Boolean);
  for (const dir of ['/usr/sbin', '/sbin']) if (!parts.includes(dir)) parts.push(dir);
  return parts.join(':');
}
