/**
 * Reads the lab's kernel state with `ip -j`, `iptables-save` and sysctl, through the engine's
 * runner (so inside its sandbox) but independently of the agent's observer and its parsers:
 * what a test compares with the lab is what the kernel itself says.
 */
import { HOST_NS } from '@netns-lab/model';
import type { Runner } from '../../../src/kernel/runner';

export interface KernelLink {
  ifname: string;
  kind: string | undefined;
  up: boolean;
  master: string | undefined;
  mtu: number;
  mac: string;
}

export interface KernelRoute {
  to: string;
  via: string | undefined;
  dev: string | undefined;
}

export interface KernelNamespace {
  links: KernelLink[];
  /** "ifname cidr", IPv4 only (the lab has no IPv6). */
  addresses: string[];
  /** Main-table IPv4 routes that are not the kernel's own (proto kernel). */
  routes: KernelRoute[];
  ipForward: boolean;
  /** POSTROUTING MASQUERADE rules as "-s SOURCE [-o OUT]". */
  masquerade: string[];
}

async function run(runner: Runner, ns: string, argv: string[]): Promise<string> {
  const result = await runner.run(ns, argv);
  if (result.exitCode !== 0) {
    throw new Error(`${argv.join(' ')} in ${ns} failed: ${result.stderr}`);
  }
  return result.stdout;
}

/** Named namespaces of the lab (the sandbox's /run/netns), without the sandbox's own "host". */
export async function kernelNamespaces(runner: Runner): Promise<string[]> {
  const text = (await run(runner, HOST_NS, ['ip', '-j', 'netns', 'list'])).trim();
  const list = text === '' ? [] : (JSON.parse(text) as { name: string }[]);
  return list
    .map((n) => n.name)
    .filter((name) => name !== HOST_NS)
    .sort();
}

/** One process per namespace: a fixed script (no data in it) prints each table after a marker. */
const READ = `ip -j -d link show; echo @@
ip -j -4 addr show; echo @@
ip -j -4 route show table main; echo @@
sysctl -n net.ipv4.ip_forward; echo @@
iptables-save -t nat`;

export async function readKernelNamespace(runner: Runner, ns: string): Promise<KernelNamespace> {
  const [linkText, addrText, routeText, forward, nat] = (
    await run(runner, ns, ['sh', '-ec', READ])
  ).split('@@\n') as [string, string, string, string, string];
  const parse = <T>(text: string): T[] => (text.trim() === '' ? [] : (JSON.parse(text) as T[]));
  const links = parse<{
    ifname: string;
    flags?: string[];
    master?: string;
    mtu: number;
    address: string;
    linkinfo?: { info_kind?: string };
  }>(linkText);
  const addrs = parse<{
    ifname: string;
    addr_info?: { family: string; local: string; prefixlen: number }[];
  }>(addrText);
  const routes = parse<{ dst: string; gateway?: string; dev?: string; protocol?: string }>(
    routeText,
  );
  return {
    links: links
      .map((l) => ({
        ifname: l.ifname,
        kind: l.linkinfo?.info_kind,
        up: (l.flags ?? []).includes('UP'),
        master: l.master,
        mtu: l.mtu,
        mac: l.address,
      }))
      .sort((a, b) => a.ifname.localeCompare(b.ifname)),
    addresses: addrs
      .flatMap((l) =>
        (l.addr_info ?? [])
          .filter((a) => a.family === 'inet')
          .map((a) => `${l.ifname} ${a.local}/${a.prefixlen}`),
      )
      .sort(),
    routes: routes
      .filter((r) => r.protocol !== 'kernel')
      .map((r) => ({ to: r.dst, via: r.gateway, dev: r.dev }))
      .sort((a, b) => a.to.localeCompare(b.to)),
    ipForward: forward.trim() === '1',
    masquerade: nat
      .split('\n')
      .filter((line) => line.startsWith('-A POSTROUTING') && line.includes('-j MASQUERADE'))
      .map((line) => {
        const source = / -s (\S+)/.exec(line)?.[1] ?? '?';
        const out = / -o (\S+)/.exec(line)?.[1];
        return out === undefined ? `-s ${source}` : `-s ${source} -o ${out}`;
      })
      .sort(),
  };
}

/** True when the lab's world holds nothing of a lab: no namespace, no link but lo, no rule. */
export async function kernelIsEmpty(runner: Runner): Promise<{ empty: boolean; detail: string }> {
  const namespaces = await kernelNamespaces(runner);
  const host = await readKernelNamespace(runner, HOST_NS);
  const links = host.links.map((l) => l.ifname).filter((name) => name !== 'lo');
  const empty =
    namespaces.length === 0 &&
    links.length === 0 &&
    host.masquerade.length === 0 &&
    !host.ipForward;
  return {
    empty,
    detail: JSON.stringify({ namespaces, links, nat: host.masquerade, fwd: host.ipForward }),
  };
}
