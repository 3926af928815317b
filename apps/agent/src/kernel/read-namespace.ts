/**
 * Reads one namespace's tables with one child process: a fixed shell script (no data is ever
 * interpolated into it) runs inside the namespace and prints each table after a marker line.
 * Inside, one `ip -batch` prints links with addresses, both route families and neighbours; the
 * other tools run only when there is something for them (a bridge, a veth to another namespace,
 * iptables installed).
 */
import { readdirSync } from 'node:fs';
import {
  checkKernelName,
  HOST_NS,
  type LiveConntrack,
  type LiveNatRule,
  type NamespaceState,
} from '@netns-lab/model';
import type { Runner } from './runner';
import {
  linkNsids,
  parseAddresses,
  parseFdb,
  parseJsonArray,
  parseLinks,
  parseNeighbours,
  parseNsidList,
  parseRoutes,
} from './parse-ip';
import { parseConntrack, parseNatRules } from './parse-netfilter';

/**
 * $1 holds flags chosen by the agent from a fixed set (" ids nat "), never user data.
 * - `ip -d -j -batch -` prints one JSON array per command, one per line.
 * - `route show table all` dumps IPv4 and IPv6 at once (`ip route show` alone is IPv4 only).
 * - `netns list-id` opens every file in /run/netns (slow among 1000 namespaces): only when a
 *   veth's peer is in another namespace and the caller does not already know the names.
 * - ip_forward is read with the shell's own `read` (no process); /proc/sys/net follows the
 *   reader's network namespace. dash's `read` returns 1 on /proc files even when it read a
 *   line, so its status is not used.
 * - Conntrack entries only matter where NAT rules are; /proc/net/nf_conntrack avoids a process.
 */
export const READ_SCRIPT = `export LC_ALL=C
flags=" $1 "
ip_out=$(ip -d -j -batch - <<'EOF'
addr show
route show table all
neigh show
EOF
) || exit 90
printf '@@ip\\n%s\\n' "$ip_out"
case $ip_out in *'"link_netnsid":'*)
  case $flags in *' ids '*) printf '@@ids\\n'; ip -j netns list-id || exit 91 ;; esac ;;
esac
case $ip_out in *'"info_kind":"bridge"'*)
  if command -v bridge >/dev/null 2>&1; then printf '@@fdb\\n'; bridge -j fdb show || exit 92; fi ;;
esac
fwd=
read -r fwd < /proc/sys/net/ipv4/ip_forward
printf '@@forward\\n%s\\n' "$fwd"
case $flags in *' nat '*)
  nat=
  if command -v iptables-save >/dev/null 2>&1; then
    nat=$(iptables-save -c -t nat) || nat=
    printf '@@nat\\n%s\\n' "$nat"
  fi
  if [ -r /proc/net/nf_conntrack ] || command -v conntrack >/dev/null 2>&1; then
    printf '@@conntrack\\n'
    case $nat in *'-A '*)
      if [ -r /proc/net/nf_conntrack ]; then
        while IFS= read -r line || [ -n "$line" ]; do printf '%s\\n' "$line"; done < /proc/net/nf_conntrack
      else
        conntrack -L 2>/dev/null
      fi ;;
    esac
  fi ;;
esac
printf '@@end\\n'
`;

export interface ReadOptions {
  /**
   * nsid -> name in this namespace, when the caller already knows them; unknown ids are then
   * left unresolved (see ReadDetail.unresolvedNsids) instead of listing /run/netns.
   */
  nsidNames?: ReadonlyMap<number, string>;
  /** Read iptables nat rules and conntrack (default true). */
  nat?: boolean;
  timeoutMs?: number;
}

export interface ReadDetail {
  state: NamespaceState;
  /** The names this read resolved (when it listed them). */
  nsidNames?: Map<number, string>;
  /** Peers' nsids that had no name. */
  unresolvedNsids: number[];
  /** Each veth's peer nsid (as this namespace numbers it), by interface name. */
  peerNsids: Map<string, number>;
  /** False when the nat and conntrack fields were not read (they are then empty). */
  natRead: boolean;
}

export type ReadErrorCode = 'gone' | 'failed';

export class ReadError extends Error {
  override readonly name = 'ReadError';
  constructor(
    readonly code: ReadErrorCode,
    readonly ns: string,
    message: string,
  ) {
    super(message);
  }
}

/** The whole state of namespace `ns` ("host": the lab's root) as the kernel holds it now. */
export async function readNamespace(
  runner: Runner,
  ns: string,
  options: ReadOptions = {},
): Promise<NamespaceState> {
  return (await readNamespaceDetail(runner, ns, options)).state;
}

export async function readNamespaceDetail(
  runner: Runner,
  ns: string,
  options: ReadOptions = {},
): Promise<ReadDetail> {
  const wantNat = options.nat ?? true;
  const flags = [options.nsidNames === undefined ? 'ids' : '', wantNat ? 'nat' : '']
    .filter(Boolean)
    .join(' ');
  const runOptions = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
  // When the read began, in fractional ms since the epoch: every change made before this moment
  // is in the tables. Sub-millisecond, so that a read started just after a change (Date.now()
  // of the same millisecond) still counts as newer than it.
  const readAt = performance.timeOrigin + performance.now();
  const result = await runner.run(
    ns,
    ['sh', '-c', READ_SCRIPT, 'netns-lab-read', flags],
    runOptions,
  );
  const sections = splitSections(result.stdout);
  if (result.exitCode !== 0 || !sections.has('end')) {
    const gone =
      /No such file or directory|Invalid argument/.test(result.stderr) && !sections.has('ip');
    throw new ReadError(
      gone ? 'gone' : 'failed',
      ns,
      `Cannot read namespace ${ns}: ${result.timedOut ? 'timed out' : result.stderr.trim() || `exit ${result.exitCode}`}`,
    );
  }

  const ipLines = (sections.get('ip') ?? '').split('\n').filter((line) => line.trim() !== '');
  if (ipLines.length !== 3) {
    throw new ReadError('failed', ns, `Cannot read namespace ${ns}: unexpected ip output`);
  }
  const [addrText, routeText, neighText] = ipLines as [string, string, string];
  const linkEntries = parseJsonArray(addrText);
  const listed = sections.has('ids') ? parseNsidList(sections.get('ids') ?? '') : undefined;
  const nsidNames = listed ?? options.nsidNames ?? new Map<number, string>();
  const unresolvedNsids = linkNsids(linkEntries).filter((id) => !nsidNames.has(id));
  const peerNsids = new Map<string, number>();
  for (const entry of linkEntries)
    if (typeof entry.ifname === 'string' && typeof entry.link_netnsid === 'number')
      peerNsids.set(entry.ifname, entry.link_netnsid);

  const natText = sections.get('nat');
  const nat: LiveNatRule[] = natText === undefined ? [] : parseNatRules(natText);
  const conntrackText = sections.get('conntrack');
  const conntrack: LiveConntrack[] | undefined =
    conntrackText === undefined ? undefined : parseConntrack(conntrackText);

  const state: NamespaceState = {
    ns,
    links: parseLinks(linkEntries, nsidNames),
    addresses: parseAddresses(linkEntries),
    routes: parseRoutes(parseJsonArray(routeText)),
    neighbours: parseNeighbours(parseJsonArray(neighText)).sort(
      (a, b) => compare(a.dev, b.dev) || compare(a.address, b.address),
    ),
    fdb: parseFdb(parseJsonArray(sections.get('fdb') ?? '')).sort(
      (a, b) => compare(a.bridge, b.bridge) || compare(a.port, b.port) || compare(a.mac, b.mac),
    ),
    ipForward: (sections.get('forward') ?? '').trim() === '1',
    nat,
    readAt,
  };
  if (conntrack !== undefined) state.conntrack = conntrack;
  return {
    state,
    ...(listed === undefined ? {} : { nsidNames: listed }),
    unresolvedNsids,
    peerNsids,
    natRead: wantNat,
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Splits the script's output at its "@@name" marker lines. */
export function splitSections(stdout: string): Map<string, string> {
  const sections = new Map<string, string>();
  let name: string | undefined;
  let body: string[] = [];
  for (const line of stdout.split('\n')) {
    const marker = /^@@([a-z]+)$/.exec(line);
    if (marker) {
      if (name !== undefined) sections.set(name, body.join('\n'));
      name = marker[1];
      body = [];
    } else if (name !== undefined) {
      body.push(line);
    }
  }
  if (name !== undefined) sections.set(name, body.join('\n'));
  return sections;
}

/**
 * The named namespaces in a /run/netns (read directly: no process; none when it does not
 * exist). Names the kernel-name rules refuse are skipped: netns-lab never created them and must
 * not pass them to a command.
 */
export function namespacesIn(netnsDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(netnsDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    names = [];
  }
  return names.filter((name) => name !== HOST_NS && checkKernelName(name) === null).sort();
}

/** The lab's namespaces: namespacesIn its /run/netns, plus "host". */
export function listNamespaces(runner: Runner): Promise<string[]> {
  return Promise.resolve().then(() => [HOST_NS, ...namespacesIn(runner.sandbox.netnsDir)]);
}
