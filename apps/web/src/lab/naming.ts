/**
 * Names for what the student adds, in the seed's habit: namespaces red, blue, green...; bridges
 * v-net-0, v-net-1...; a LAN called lan; veth ends veth-red / veth-red-br (to a bridge) or
 * veth-red / veth-blue (between two namespaces). Every proposal is a valid kernel name
 * (at most 15 bytes) and not yet used anywhere in the lab: more than the kernel needs (a name
 * must only be free in its own namespace), so that each proposed name points at one interface
 * in the drawing and in the commands, and the ends of one cable read as a pair.
 */
import {
  EXTERNAL_BRIDGE,
  HOST_NS,
  checkKernelName,
  externalHostNames,
  MAX_NAME_BYTES,
  utf8Length,
  type Lab,
  type LabNode,
} from '@netns-lab/model';

/** The seed starts with red and blue; the rest follow the same idea. */
export const NAMESPACE_NAMES = [
  'red',
  'blue',
  'green',
  'yellow',
  'purple',
  'orange',
  'pink',
  'cyan',
  'brown',
  'grey',
  'white',
  'black',
] as const;

const isValid = (name: string): boolean => checkKernelName(name) === null;

/** Every namespace name the lab creates, with "host" (the lab's root namespace). */
export function namespaceNamesInUse(lab: Pick<Lab, 'nodes'>): Set<string> {
  const names = new Set<string>([HOST_NS]);
  for (const node of lab.nodes) {
    if (node.kind === 'namespace') names.add(node.name);
    if (node.kind === 'external') {
      names.add(node.name);
      for (const host of node.hosts) names.add(externalHostNames(host).ns);
    }
  }
  return names;
}

/**
 * Every interface name the lab creates, in any namespace. The kernel only needs a name to be
 * free in its own namespace (validation checks that); proposals avoid all of these anyway, to
 * keep the seed's habit of one name per interface.
 */
export function interfaceNamesInUse(lab: Pick<Lab, 'nodes' | 'links'>): Set<string> {
  const names = new Set<string>(['lo', EXTERNAL_BRIDGE]);
  for (const node of lab.nodes) {
    if (node.kind === 'bridge') names.add(node.name);
    if (node.kind === 'external')
      for (const host of node.hosts) {
        const derived = externalHostNames(host);
        names.add(derived.ifname);
        names.add(derived.port);
      }
  }
  for (const link of lab.links) {
    names.add(link.a.ifname);
    names.add(link.b.ifname);
  }
  return names;
}

/** Every node and link id (they share one set). */
export function idsInUse(lab: Pick<Lab, 'nodes' | 'links'>): Set<string> {
  return new Set([...lab.nodes.map((n) => n.id), ...lab.links.map((l) => l.id)]);
}

function firstFree(candidates: Iterable<string>, taken: ReadonlySet<string>): string | null {
  for (const name of candidates) if (!taken.has(name) && isValid(name)) return name;
  return null;
}

function* numbered(prefix: string, from: number): Generator<string> {
  for (let n = from; n < 10000; n++) yield `${prefix}${n}`;
}

export function proposeNamespaceName(lab: Pick<Lab, 'nodes' | 'links'>): string {
  const taken = new Set([...namespaceNamesInUse(lab), ...interfaceNamesInUse(lab)]);
  return firstFree(NAMESPACE_NAMES, taken) ?? firstFree(numbered('ns-', 1), taken) ?? 'ns';
}

export function proposeBridgeName(lab: Pick<Lab, 'nodes' | 'links'>): string {
  const taken = new Set([...namespaceNamesInUse(lab), ...interfaceNamesInUse(lab)]);
  return firstFree(numbered('v-net-', 0), taken) ?? 'v-net';
}

export function proposeLanName(lab: Pick<Lab, 'nodes' | 'links'>): string {
  const taken = new Set([...namespaceNamesInUse(lab), ...interfaceNamesInUse(lab)]);
  return firstFree(['lan', ...numbered('lan-', 1)], taken) ?? 'lan';
}

/** A LAN host's name: its namespace, and with -eth0 its interface, must both fit. */
export function proposeLanHostName(lab: Pick<Lab, 'nodes' | 'links'>, lanName: string): string {
  const taken = new Set([...namespaceNamesInUse(lab), ...interfaceNamesInUse(lab)]);
  const fits = (name: string): boolean => {
    const derived = externalHostNames({ name, address: '' });
    return (
      isValid(derived.ifname) &&
      isValid(derived.port) &&
      !taken.has(derived.ifname) &&
      !taken.has(derived.port)
    );
  };
  const stem = cut(lanName, 6);
  for (const candidate of [`${stem}-pc`, ...numbered(`${stem}-pc`, 2)])
    if (!taken.has(candidate) && isValid(candidate) && fits(candidate)) return candidate;
  return 'pc';
}

/** An id for a new element: its name when free, else name-2, name-3... */
export function proposeId(lab: Pick<Lab, 'nodes' | 'links'>, base: string): string {
  const clean = base.replace(/[^A-Za-z0-9_.-]+/g, '-').slice(0, 60) || 'node';
  const taken = idsInUse(lab);
  if (!taken.has(clean)) return clean;
  for (let n = 2; ; n++) if (!taken.has(`${clean}-${n}`)) return `${clean}-${n}`;
}

/** The longest prefix of `text` of at most `bytes` bytes, without a trailing "-". */
function cut(text: string, bytes: number): string {
  let out = '';
  let used = 0;
  for (const ch of text) {
    const size = utf8Length(ch);
    if (used + size > bytes) break;
    out += ch;
    used += size;
  }
  return out.replace(/-+$/, '');
}

/** One veth end's name: prefix + stem (+ "-n" on a clash) + suffix. */
interface EndPattern {
  stem: string;
  suffix: string;
}

/**
 * Names for ends that share a stem (veth-red and veth-red-br): one counter for the group, so
 * that a clash gives veth-red-1 and veth-red-1-br together. Prefixes are tried in order and the
 * stem is cut when even the shortest prefix does not fit.
 */
function nameGroup(
  patterns: EndPattern[],
  prefixes: readonly string[],
  taken: Set<string>,
): string[] {
  for (let n = 0; n < 1000; n++) {
    const counter = n === 0 ? '' : `-${n}`;
    let names: string[] | null = null;
    for (const prefix of prefixes) {
      const candidate = patterns.map((p) => `${prefix}${p.stem}${counter}${p.suffix}`);
      if (candidate.every((name) => utf8Length(name) <= MAX_NAME_BYTES)) {
        names = candidate;
        break;
      }
    }
    if (names === null) {
      // One cut for the whole group, so that the ends still read as a pair.
      const prefix = prefixes[prefixes.length - 1] ?? '';
      const longest = Math.max(...patterns.map((p) => utf8Length(p.suffix)));
      const room = Math.max(1, MAX_NAME_BYTES - utf8Length(prefix + counter) - longest);
      names = patterns.map((p) => `${prefix}${cut(p.stem, room)}${counter}${p.suffix}`);
    }
    const distinct = new Set(names).size === names.length;
    if (distinct && names.every((name) => isValid(name) && !taken.has(name))) {
      for (const name of names) taken.add(name);
      return names;
    }
  }
  throw new Error('no free interface name');
}

const VETH_PREFIXES = ['veth-', 'v-'] as const;

const isSwitch = (node: LabNode): boolean => node.kind === 'bridge' || node.kind === 'external';

function nodeName(node: LabNode): string {
  return node.kind === 'host' ? HOST_NS : node.name;
}

/**
 * The two ends' names for a new veth between nodes `a` and `b`, in that order:
 * - a namespace to a bridge or LAN: veth-red / veth-red-br (the seed's section 5);
 * - the host to a bridge or LAN: named after the switch, veth-lan / veth-lan-br;
 * - two namespaces (or one and the host): veth-red / veth-blue (the seed's section 4);
 * - two switches: v-net-0-v-net-1 / v-net-1-v-net-0.
 */
export function proposeVethNames(
  lab: Pick<Lab, 'nodes' | 'links'>,
  a: LabNode,
  b: LabNode,
): { a: string; b: string } {
  const taken = interfaceNamesInUse(lab);
  if (isSwitch(a) !== isSwitch(b)) {
    const [end, sw] = isSwitch(a) ? [b, a] : [a, b];
    const stem = end.kind === 'namespace' ? end.name : nodeName(sw);
    const [endName = '', swName = ''] = nameGroup(
      [
        { stem, suffix: '' },
        { stem, suffix: '-br' },
      ],
      VETH_PREFIXES,
      taken,
    );
    return isSwitch(a) ? { a: swName, b: endName } : { a: endName, b: swName };
  }
  if (!isSwitch(a)) {
    const [aName = ''] = nameGroup([{ stem: nodeName(a), suffix: '' }], VETH_PREFIXES, taken);
    const [bName = ''] = nameGroup([{ stem: nodeName(b), suffix: '' }], VETH_PREFIXES, taken);
    return { a: aName, b: bName };
  }
  const prefixes = ['', 'v-'];
  const [aName = ''] = nameGroup(
    [{ stem: `${nodeName(a)}-${nodeName(b)}`, suffix: '' }],
    prefixes,
    taken,
  );
  const [bName = ''] = nameGroup(
    [{ stem: `${nodeName(b)}-${nodeName(a)}`, suffix: '' }],
    prefixes,
    taken,
  );
  return { a: aName, b: bName };
}
