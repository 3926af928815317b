/**
 * Does the kernel still hold what was applied? The applied lab compiled by the model, checked
 * against the live tables the agent streams: a namespace, interface, address, route, forwarding
 * switch or NAT rule that is missing (or an interface up/down the other way) marks the element
 * it came from as "differs from kernel".
 *
 * It runs whenever a namespace's tables arrive (1000 of them after a big apply): each
 * namespace's answer is remembered per state object, so only the namespaces whose tables
 * changed are looked at again, through an index of their links by name.
 */
import {
  canonicalCidr,
  compileLab,
  type KernelModel,
  type Lab,
  type LiveLink,
  type NamespaceState,
  type Origin,
} from '@netns-lab/model';
import type { ElementIds } from '../lab/status';

/** What the applied lab puts in one namespace. */
interface Expected {
  netns: Origin | null;
  ifaces: KernelModel['iface'][string][];
  addresses: KernelModel['address'][string][];
  routes: KernelModel['route'][string][];
  forwards: KernelModel['forward'][string][];
  nats: KernelModel['nat'][string][];
}

const expectedByLab = new WeakMap<Lab, Map<string, Expected>>();

function expectedOf(applied: Lab): Map<string, Expected> {
  let byNs = expectedByLab.get(applied);
  if (byNs !== undefined) return byNs;
  const model = compileLab(applied);
  byNs = new Map();
  const at = (ns: string): Expected => {
    let e = byNs!.get(ns);
    if (e === undefined)
      byNs!.set(
        ns,
        (e = { netns: null, ifaces: [], addresses: [], routes: [], forwards: [], nats: [] }),
      );
    return e;
  };
  for (const ns of Object.values(model.netns)) at(ns.name).netns = ns.origin;
  for (const iface of Object.values(model.iface)) at(iface.ns).ifaces.push(iface);
  for (const address of Object.values(model.address)) at(address.ns).addresses.push(address);
  for (const route of Object.values(model.route)) at(route.ns).routes.push(route);
  for (const fwd of Object.values(model.forward)) at(fwd.ns).forwards.push(fwd);
  for (const rule of Object.values(model.nat)) at(rule.ns).nats.push(rule);
  expectedByLab.set(applied, byNs);
  return byNs;
}

/** The origins of what `state` does not hold of `expected`, remembered per state object. */
const differing = new WeakMap<NamespaceState, WeakMap<Expected, Origin[]>>();

function differingIn(state: NamespaceState, expected: Expected): Origin[] {
  let byExpected = differing.get(state);
  const known = byExpected?.get(expected);
  if (known !== undefined) return known;
  const out: Origin[] = [];
  const links = new Map<string, LiveLink>(state.links.map((l) => [l.ifname, l]));
  for (const iface of expected.ifaces) {
    const link = links.get(iface.ifname);
    if (link === undefined || link.adminUp !== iface.up) out.push(iface.origin);
    else if (iface.master !== undefined && link.master !== iface.master) out.push(iface.origin);
  }
  if (expected.addresses.length > 0) {
    const held = new Set(state.addresses.map((a) => `${a.ifname} ${canonicalCidr(a.cidr)}`));
    for (const address of expected.addresses)
      if (!held.has(`${address.ifname} ${address.cidr}`)) out.push(address.origin);
  }
  for (const route of expected.routes) {
    const held = state.routes.some(
      (r) =>
        (r.to === route.to || canonicalCidr(r.to) === route.to) &&
        (route.via === undefined || r.via === route.via) &&
        (route.dev === undefined || r.dev === route.dev),
    );
    if (!held) out.push(route.origin);
  }
  for (const fwd of expected.forwards) if (!state.ipForward) out.push(fwd.origin);
  for (const rule of expected.nats) {
    const held = state.nat.some(
      (r) =>
        r.target === 'MASQUERADE' &&
        r.source !== undefined &&
        canonicalCidr(r.source) === rule.source &&
        (rule.outInterface === undefined || r.outInterface === rule.outInterface),
    );
    if (!held) out.push(rule.origin);
  }
  if (byExpected === undefined) differing.set(state, (byExpected = new WeakMap()));
  byExpected.set(expected, out);
  return out;
}

/**
 * The elements of the applied lab that the live tables say the kernel does not hold. Namespaces
 * in `reading` (an apply just changed them; their new tables are on the way) are not judged.
 */
export function driftOf(
  applied: Lab | null,
  live: Readonly<Record<string, NamespaceState>>,
  reading: ReadonlySet<string> = new Set(),
): ElementIds {
  const nodes = new Set<string>();
  const links = new Set<string>();
  if (applied === null) return { nodes, links };
  const mark = (origin: Origin): void => {
    if (origin.linkId !== undefined) links.add(origin.linkId);
    else if (origin.nodeId !== undefined) nodes.add(origin.nodeId);
  };
  for (const [ns, expected] of expectedOf(applied)) {
    if (reading.has(ns)) continue;
    const state = live[ns];
    if (state === undefined) {
      if (expected.netns !== null) mark(expected.netns);
      continue;
    }
    for (const origin of differingIn(state, expected)) mark(origin);
  }
  return { nodes, links };
}
