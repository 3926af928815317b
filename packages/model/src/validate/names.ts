/**
 * Kernel names: every namespace and interface name the lab creates, including the ones derived
 * for LAN hosts, checked against the kernel's rules and for clashes where the kernel would
 * refuse the second one.
 */
import {
  checkKernelName,
  describeNameProblem,
  MAX_NAME_BYTES,
  utf8Length,
  type NameProblem,
} from '../lab/names';
import { HOST_NS } from '../lab/schema';
import { externalHostNames } from '../lab/topology';
import { nsLabel, type Iface, type LabContext } from './context';
import { at, linkWhere, nodeWhere, type Findings, type Where } from './findings';
import type { IssueCode } from './issue';

const PROBLEM_CODES: Record<NameProblem['rule'], IssueCode> = {
  empty: 'name-empty',
  'too-long': 'name-too-long',
  dot: 'name-dot',
  'forbidden-character': 'name-character',
  'leading-dash': 'name-leading-dash',
  keyword: 'name-keyword',
};

const LOOPBACK = 'lo';

/** Cuts a name to the kernel's limit, for a suggestion. */
function shortened(name: string): string {
  let out = '';
  let bytes = 0;
  for (const ch of name) {
    const size = utf8Length(ch);
    if (bytes + size > MAX_NAME_BYTES) break;
    out += ch;
    bytes += size;
  }
  return out;
}

function fixFor(name: string, problem: NameProblem): string {
  switch (problem.rule) {
    case 'empty':
      return 'name it';
    case 'too-long':
      return `shorten it, e.g. to "${shortened(name)}"`;
    case 'forbidden-character':
      return 'use letters, digits, "-" and "_"';
    case 'leading-dash':
      return 'start it with a letter or a digit';
    case 'dot':
    case 'keyword':
      return 'choose another name';
  }
}

type NameKind = 'netns' | 'iface';

interface NamedElement {
  name: string;
  kind: NameKind;
  where: Where;
  /** What the name belongs to, e.g. "end a of link red-br". */
  role: string;
}

/** Whether checkName would report nothing (no message built: most names are fine). */
function nameIsFine(name: string, kind: NameKind): boolean {
  if (kind === 'netns' && name === HOST_NS) return false;
  if (kind === 'iface' && name === LOOPBACK) return false;
  return checkKernelName(name) === null;
}

/** Reports the name's problem, if any; true when the name is acceptable. */
function checkName(element: NamedElement, out: Findings): boolean {
  const { name, kind, where, role } = element;
  if (kind === 'netns' && name === HOST_NS) {
    out.add(
      'name-reserved',
      where,
      `"${HOST_NS}" is the name netns-lab gives the machine's own namespace; it cannot also name ${role}: choose another name`,
    );
    return false;
  }
  if (kind === 'iface' && name === LOOPBACK) {
    out.add(
      'name-reserved',
      where,
      `"${LOOPBACK}" is the loopback interface every namespace already has; it cannot also name ${role}: choose another name`,
    );
    return false;
  }
  const problem = checkKernelName(name);
  if (problem === null) return true;
  const sentence = describeNameProblem(name, problem);
  const message =
    problem.rule === 'empty'
      ? `The name of ${role} is empty; give it a name of 1 to ${MAX_NAME_BYTES} characters`
      : `${sentence}. It names ${role}: ${fixFor(name, problem)}`;
  out.add(PROBLEM_CODES[problem.rule], where, message);
  return false;
}

/** "end a of link red-br (links[0].a)", for messages about a clash. */
function describeIface(iface: Iface): string {
  const path = iface.where.path;
  switch (iface.kind) {
    case 'veth':
      return `end ${iface.end?.side ?? '?'} of link ${iface.where.linkId ?? '?'} (${path})`;
    case 'bridge':
      return `the bridge ${iface.ifname} (${path})`;
    case 'lan-switch':
      return `the switch of the LAN ${iface.where.nodeId ?? '?'} (${path})`;
    case 'lan-port':
      return `the switch port of a LAN host (${path})`;
    case 'lan-host':
      return `the interface of a LAN host (${path})`;
  }
}

/** "the namespace red" or "the host", for messages about a clash. */
const nsText = (ns: string | null): string =>
  ns === null || ns === HOST_NS ? nsLabel(ns) : `the namespace ${ns}`;

const isLanHostPart = (iface: Iface): boolean =>
  iface.kind === 'lan-port' || iface.kind === 'lan-host';

export function checkNames(ctx: LabContext, out: Findings): void {
  const { lab } = ctx;
  /** Paths of names already reported, so a bad name is not also reported as a clash. */
  const bad = new Set<string>();
  /** `describe` gives where the name is and what it names; made only for a finding. */
  const check = (
    name: string,
    kind: NameKind,
    describe: () => { where: Where; role: string },
  ): boolean => {
    if (nameIsFine(name, kind)) return true;
    const element = { name, kind, ...describe() };
    const ok = checkName(element, out);
    if (!ok) bad.add(element.where.path);
    return ok;
  };
  /** Namespace names in document order; the first one keeps its name. */
  const namespaces = new Map<string, () => { where: Where; role: string }>();
  const claimNamespace = (name: string, describe: () => { where: Where; role: string }): void => {
    const first = namespaces.get(name);
    if (first === undefined) {
      namespaces.set(name, describe);
      return;
    }
    const { where, role } = describe();
    const earlier = first();
    out.add(
      'name-duplicate',
      where,
      `"${name}" already names ${earlier.role} (${earlier.where.path}); two namespaces cannot share a name: rename ${role}`,
    );
  };

  lab.nodes.forEach((node, i) => {
    const where = (): Where => nodeWhere(i, node.id);
    switch (node.kind) {
      case 'host':
        break;
      case 'namespace': {
        const describe = () => ({
          where: at(where(), 'name'),
          role: `the namespace of node ${node.id}`,
        });
        if (check(node.name, 'netns', describe)) claimNamespace(node.name, describe);
        break;
      }
      case 'bridge':
        check(node.name, 'iface', () => ({
          where: at(where(), 'name'),
          role: `the bridge of node ${node.id}`,
        }));
        break;
      case 'external': {
        const describe = () => ({
          where: at(where(), 'name'),
          role: `the namespace of the LAN ${node.id}`,
        });
        if (check(node.name, 'netns', describe)) claimNamespace(node.name, describe);
        node.hosts.forEach((host, j) => {
          const hostWhere = at(where(), 'hosts', j, 'name');
          const hostRole = `a host of the LAN ${node.id}`;
          const describeHost = () => ({ where: hostWhere, role: hostRole });
          if (!check(host.name, 'netns', describeHost)) return;
          const names = externalHostNames(host);
          for (const [derived, what] of [
            [names.ifname, 'interface'],
            [names.port, 'switch port'],
          ] as const) {
            const problem = checkKernelName(derived);
            if (problem === null) continue;
            const fix =
              problem.rule === 'too-long'
                ? `shorten the host name to ${MAX_NAME_BYTES - (derived.length - host.name.length)} bytes or fewer`
                : 'choose another host name';
            out.add(
              PROBLEM_CODES[problem.rule],
              hostWhere,
              `LAN host "${host.name}" gets the ${what} "${derived}": ${describeNameProblem(derived, problem)}; ${fix}`,
            );
            bad.add(hostWhere.path);
            break;
          }
          if (!bad.has(hostWhere.path)) claimNamespace(host.name, describeHost);
        });
        break;
      }
    }
  });

  lab.links.forEach((link, i) => {
    for (const side of ['a', 'b'] as const)
      check(link[side].ifname, 'iface', () => ({
        where: at(linkWhere(i, link.id), side, 'ifname'),
        role: `end ${side} of link ${link.id}`,
      }));
  });

  // Two interfaces in one namespace. Only there do names clash: each veth end is created directly
  // in its namespace (ip link add eth0 netns red type veth peer name veth-red-br), so one name in
  // different namespaces is fine, even for the two ends of one veth.
  for (const { iface, first } of ctx.clashes) {
    if (bad.has(iface.namePath) || bad.has(first.namePath)) continue;
    // LAN hosts sharing a name share their derived names too; that is reported once, above.
    if (isLanHostPart(iface) && isLanHostPart(first)) continue;
    out.add(
      'name-duplicate',
      { ...iface.where, path: iface.namePath },
      `"${iface.ifname}" already names ${describeIface(first)} in ${nsText(iface.ns)}; two interfaces in one namespace cannot share a name (in different namespaces they can): rename ${describeIface(iface)}`,
    );
  }
}
