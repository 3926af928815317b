/**
 * Linux kernel name rules for interfaces and network namespaces, plus netns-lab's own: names
 * that iproute2 could read as keywords are refused, because `ip link set NAME up` would
 * misread them (iproute2 matches keywords by prefix, so even "u" means "up").
 */
import { remembered } from './remembered';

/** IFNAMSIZ - 1: the kernel's limit for interface names, in bytes. */
export const MAX_NAME_BYTES = 15;

/**
 * Words iproute2 reads as keywords where a name may stand (ip link, ip addr, ip route, ip netns).
 * A name equal to one of these, or a prefix of one, is refused.
 */
export const IPROUTE2_KEYWORDS = [
  'add',
  'addr',
  'address',
  'addrgenmode',
  'alias',
  'all',
  'allmulticast',
  'arp',
  'broadcast',
  'brd',
  'change',
  'del',
  'delete',
  'dev',
  'down',
  'dynamic',
  'exec',
  'flush',
  'get',
  'group',
  'help',
  'identify',
  'index',
  'label',
  'link',
  'link-netns',
  'link-netnsid',
  'list',
  'lladdr',
  'local',
  'master',
  'metric',
  'mode',
  'monitor',
  'mtu',
  'multicast',
  'name',
  'netns',
  'nomaster',
  'numrxqueues',
  'numtxqueues',
  'peer',
  'promisc',
  'protodown',
  'qlen',
  'replace',
  'route',
  'scope',
  'set',
  'show',
  'state',
  'table',
  'to',
  'trailers',
  'txqlen',
  'txqueuelen',
  'type',
  'up',
  'via',
  'vf',
  'vrf',
  'xdp',
  'xdpdrv',
  'xdpgeneric',
  'xdpoffload',
] as const;

export type NameProblem =
  | { rule: 'empty' }
  | { rule: 'too-long'; bytes: number }
  | { rule: 'dot' }
  | { rule: 'forbidden-character'; character: string }
  | { rule: 'leading-dash' }
  | { rule: 'keyword'; keyword: string };

/** UTF-8 length in bytes (the kernel counts bytes, not characters). */
export function utf8Length(s: string): number {
  let bytes = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** Checks a kernel name (interface or namespace); null when it is acceptable. */
export const checkKernelName: (name: string) => NameProblem | null =
  remembered(checkKernelNameOnce);

function checkKernelNameOnce(name: string): NameProblem | null {
  if (name.length === 0) return { rule: 'empty' };
  const bytes = utf8Length(name);
  if (bytes > MAX_NAME_BYTES) return { rule: 'too-long', bytes };
  if (name === '.' || name === '..') return { rule: 'dot' };
  const bad = /[/:\s\0"'`$\\]/u.exec(name) ?? /[^\x21-\x7e]/u.exec(name);
  if (bad) return { rule: 'forbidden-character', character: bad[0] };
  if (name.startsWith('-')) return { rule: 'leading-dash' };
  const keyword = IPROUTE2_KEYWORDS.find((k) => k.startsWith(name));
  if (keyword !== undefined) return { rule: 'keyword', keyword };
  return null;
}

/** A sentence a student can act on, for a name problem. */
export function describeNameProblem(name: string, problem: NameProblem): string {
  const quoted = JSON.stringify(name);
  switch (problem.rule) {
    case 'empty':
      return 'the name is empty; give it a name of 1 to 15 characters';
    case 'too-long':
      return `${quoted} is ${problem.bytes} bytes; Linux interface names are at most ${MAX_NAME_BYTES}`;
    case 'dot':
      return `${quoted} is not allowed as a name ("." and ".." name directories)`;
    case 'forbidden-character':
      return `${quoted} contains ${JSON.stringify(problem.character)}; names may not contain "/", ":", white space, quotes or non-ASCII characters`;
    case 'leading-dash':
      return `${quoted} starts with "-", which commands would read as an option`;
    case 'keyword':
      return problem.keyword === name
        ? `${quoted} is an iproute2 keyword; ip would read it as a command word, not a name`
        : `${quoted} is a prefix of the iproute2 keyword "${problem.keyword}"; ip would read it as that word, not a name`;
  }
}
