/**
 * Which kernel tools this machine has, found on PATH without starting a process.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { ToolStatus } from '@netns-lab/model';

interface ToolInfo {
  /** The Debian package that holds it. */
  install: string;
  /** What does not work without it. */
  needed: string;
}

export const KERNEL_TOOLS = {
  ip: { install: 'apt-get install iproute2', needed: 'building and reading every lab' },
  bridge: { install: 'apt-get install iproute2', needed: 'showing bridges’ forwarding tables' },
  iptables: { install: 'apt-get install iptables', needed: 'NAT (MASQUERADE) rules' },
  'iptables-save': {
    install: 'apt-get install iptables',
    needed: 'showing NAT rules and counters',
  },
  ping: { install: 'apt-get install iputils-ping', needed: 'ping' },
  tracepath: { install: 'apt-get install iputils-tracepath', needed: 'tracepath' },
  conntrack: { install: 'apt-get install conntrack', needed: 'showing tracked connections' },
  nsenter: { install: 'apt-get install util-linux', needed: 'running commands in namespaces' },
  unshare: { install: 'apt-get install util-linux', needed: 'the sandbox' },
  perl: {
    install: 'apt-get install perl-base',
    needed: 'starting commands quickly (the launcher; without it each costs a fork of the agent)',
  },
} as const satisfies Record<string, ToolInfo>;

export type KernelTool = keyof typeof KERNEL_TOOLS;

/**
 * PATH for the lab's commands: iproute2, iptables and conntrack live in /usr/sbin, which an
 * unprivileged user's PATH often lacks even though rootless labs can use them.
 */
export function toolPath(path: string = process.env.PATH ?? ''): string {
  const dirs = path.split(delimiter).filter(Boolean);
  for (const extra of [
    '/usr/local/sbin',
    '/usr/local/bin',
    '/usr/sbin',
    '/usr/bin',
    '/sbin',
    '/bin',
  ]) {
    if (!dirs.includes(extra)) dirs.push(extra);
  }
  return dirs.join(delimiter);
}

/** The full path of an executable on toolPath(), or undefined. */
export function findTool(name: string, path: string = toolPath()): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

/**
 * Each kernel tool's status, looked up on the PATH the runner gives its children (the sandbox
 * shares this machine's files, so what is found here is what runs in the lab).
 */
export function detectTools(runner?: { readonly path: string }): Record<string, ToolStatus> {
  const path = runner?.path ?? toolPath();
  const statuses: Record<string, ToolStatus> = {};
  for (const [name, info] of Object.entries(KERNEL_TOOLS) as [KernelTool, ToolInfo][]) {
    statuses[name] =
      findTool(name, path) === undefined
        ? { available: false, install: info.install, needed: info.needed }
        : { available: true, needed: info.needed };
  }
  return statuses;
}
