/**
 * A snapshot of one network namespace's state as the kernel tools print it, taken by the process
 * that runs in it (this machine's own namespace for the test, a throwaway namespace for a
 * fixture). Two snapshots are equal when netns-lab left nothing behind: no link, address,
 * route, namespace, /run/netns entry, nsid, iptables rule, ip_forward change or child process.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter } from 'node:path';

export interface KernelSnapshot {
  links: string[];
  addresses: string[];
  routes: string[];
  namespaces: string[];
  runNetns: string[];
  nsids: string[];
  iptables: string[];
  ipForward: string;
  /** Descendants of the snapshotting process, as "comm args". */
  processes: string[];
}

const SBIN = ['/usr/sbin', '/sbin'];
const toolEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  PATH: [...(process.env.PATH ?? '').split(delimiter), ...SBIN].join(delimiter),
  LC_ALL: 'C',
});

function tool(argv: readonly string[]): string {
  const [file, ...args] = argv as [string, ...string[]];
  return execFileSync(file, args, { encoding: 'utf8', env: toolEnv(), timeout: 10_000 });
}

function json(argv: readonly string[]): Record<string, unknown>[] {
  const text = tool(argv).trim();
  return text === '' ? [] : (JSON.parse(text) as Record<string, unknown>[]);
}

const BUILTIN_CHAINS = new Set(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']);

/**
 * iptables-save without its timestamps and counters. iptables-nft creates a table the first
 * time a rule goes into it and leaves it when the last rule goes, so a table that holds only
 * built-in chains with their default ACCEPT policy and no rule counts as no table.
 */
export function normaliseIptablesSave(text: string): string[] {
  const out: string[] = [];
  let table: string[] = [];
  let empty = true;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\s*\[\d+:\d+\]/g, '').trimEnd();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('*')) {
      table = [line];
      empty = true;
      continue;
    }
    table.push(line);
    if (line.startsWith(':')) {
      const [chain, policy] = line.slice(1).split(' ');
      if (!BUILTIN_CHAINS.has(chain ?? '') || policy !== 'ACCEPT') empty = false;
    } else if (line === 'COMMIT') {
      if (!empty) out.push(...table);
      table = [];
    } else {
      empty = false;
    }
  }
  return out;
}

/** This process's descendants (children first), as "PID comm: args". */
export function descendants(pid: number = process.pid): { pid: number; command: string }[] {
  const out: { pid: number; command: string }[] = [];
  const visit = (parent: number): void => {
    let children: number[] = [];
    try {
      for (const task of readdirSync(`/proc/${parent}/task`)) {
        const text = readFileSync(`/proc/${parent}/task/${task}/children`, 'utf8').trim();
        if (text !== '') children.push(...text.split(/\s+/).map(Number));
      }
    } catch {
      children = [];
    }
    for (const child of children) {
      try {
        const command = readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').join(' ');
        out.push({ pid: child, command: command.trim() });
      } catch {
        // It ended while we looked.
      }
      visit(child);
    }
  };
  visit(pid);
  return out;
}

export function takeSnapshot(options: { processes?: boolean } = {}): KernelSnapshot {
  const links = json(['ip', '-j', '-d', 'link', 'show']).map((l) => {
    const info = l['linkinfo'] as { info_kind?: string } | undefined;
    const flags = (l['flags'] as string[] | undefined) ?? [];
    return `${String(l['ifname'])} kind=${info?.info_kind ?? '-'} master=${String(l['master'] ?? '-')} mtu=${String(l['mtu'])} ${flags.includes('UP') ? 'up' : 'down'}`;
  });
  const addresses = json(['ip', '-j', 'addr', 'show']).flatMap((l) =>
    ((l['addr_info'] as { local?: string; prefixlen?: number }[] | undefined) ?? []).map(
      (a) => `${String(l['ifname'])} ${a.local ?? '?'}/${a.prefixlen ?? '?'}`,
    ),
  );
  const routes = [
    ...json(['ip', '-j', '-4', 'route', 'show', 'table', 'all']),
    ...json(['ip', '-j', '-6', 'route', 'show', 'table', 'all']),
  ].map((r) =>
    ['dst', 'gateway', 'dev', 'table', 'protocol', 'type']
      .map((k) => `${k}=${String(r[k] ?? '-')}`)
      .join(' '),
  );
  const namespaces = json(['ip', '-j', 'netns', 'list']).map((n) => String(n['name']));
  const nsids = json(['ip', '-j', 'netns', 'list-id']).map(
    (n) => `${String(n['nsid'])}=${String(n['name'] ?? '?')}`,
  );
  const runNetns = existsSync('/run/netns') ? readdirSync('/run/netns') : [];
  const ipForward = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim();
  const iptables = normaliseIptablesSave(tool(['iptables-save']));
  const processes =
    options.processes === false ? [] : descendants().map((p) => p.command.replace(/^\S*\//, ''));
  return {
    links: links.sort(),
    addresses: addresses.sort(),
    routes: routes.sort(),
    namespaces: namespaces.sort(),
    runNetns: runNetns.sort(),
    nsids: nsids.sort(),
    iptables,
    ipForward,
    processes: processes.sort(),
  };
}

/** The parts of this machine's own namespace that a lab could touch (no processes: others run). */
export function machineSnapshot(): Omit<KernelSnapshot, 'processes'> {
  const { processes: _processes, ...rest } = takeSnapshot({ processes: false });
  return rest;
}
