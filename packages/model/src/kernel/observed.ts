/**
 * observedModel: what the kernel really holds, as a kernel model, restricted to the entities
 * netns-lab cares about (the candidates: the lab being applied and the labs applied before).
 * The agent diffs this against the wanted lab, so a restarted agent converges instead of
 * failing with "File exists", and applying the same lab twice runs nothing the second time.
 */
import { canonicalCidr, canonicalDestination, canonicalIp, parseMac } from '../lab/address';
import { HOST_NS } from '../lab/schema';
import type { LiveLink, NamespaceState } from '../live/state';
import {
  ENTITY_KINDS,
  emptyKernelModel,
  entityNamespace,
  type EntityKind,
  type EntityTypes,
  type KernelModel,
} from './model';

export interface KernelView {
  /** Named namespaces that exist (the host always does). */
  namespaces: ReadonlySet<string>;
  /** Tables of the namespaces read so far; a missing one counts as unknown, not empty. */
  states: ReadonlyMap<string, NamespaceState>;
}

/** All entities of several models, the first model's version winning on a clash. */
export function unionModels(...models: KernelModel[]): KernelModel {
  const [first, ...rest] = models;
  const out = emptyKernelModel();
  if (first === undefined) return out;
  for (const kind of ENTITY_KINDS) {
    const target = Object.assign(out[kind], first[kind]) as Record<string, unknown>;
    for (const model of rest) {
      const source = model[kind] as Record<string, unknown>;
      if (source === first[kind]) continue;
      for (const key in source) if (!(key in target)) target[key] = source[key];
    }
  }
  return out;
}

/** The namespaces a model's entities live in (a veth lives in both of its ends' namespaces). */
export function modelNamespaces(model: KernelModel): Set<string> {
  const out = new Set<string>();
  for (const kind of ENTITY_KINDS)
    for (const entity of Object.values(model[kind]) as EntityTypes[typeof kind][]) {
      out.add(entityNamespace(kind, entity));
      if (kind === 'veth') out.add((entity as EntityTypes['veth']).b.ns);
    }
  return out;
}

/** Each state's links by name, made once per state (the host of a big lab has 1000s). */
const linkIndex = new WeakMap<NamespaceState, Map<string, LiveLink>>();

/** The link named `ifname` in a namespace's state (O(1) after the first call per state). */
export function linkNamed(state: NamespaceState, ifname: string): LiveLink | undefined {
  let index = linkIndex.get(state);
  if (index === undefined) {
    index = new Map(state.links.map((l) => [l.ifname, l]));
    linkIndex.set(state, index);
  }
  return index.get(ifname);
}

function exists(view: KernelView, ns: string): boolean {
  return ns === HOST_NS || view.namespaces.has(ns);
}

/**
 * What observe() found, per candidate entity object, with the parts of the kernel's tables it
 * looked at: the links it is about, or the namespace's address, route or NAT list. Read tables
 * are never changed (a new read is a new object), the observer keeps the parts of a read that
 * did not change as the previous read's objects (shareUnchangedState), and with shareUnchanged
 * an unchanged node's entities are the same objects from one apply to the next: an edit looks
 * again only at what changed, in the lab or in the kernel (not at 1000 bridge ports because
 * the host was read again).
 */
interface Seen {
  first: unknown;
  second: unknown;
  seen: unknown;
}
const seenBefore = new WeakMap<object, Seen>();

/** The parts of the tables the kernel's version of `candidate` depends on (at most two). */
function inputsOf(
  kind: EntityKind,
  candidate: EntityTypes[EntityKind],
  state: NamespaceState,
  other: NamespaceState | undefined,
): [unknown, unknown] {
  switch (kind) {
    case 'bridge':
      return [linkNamed(state, (candidate as EntityTypes['bridge']).name), undefined];
    case 'veth': {
      const e = candidate as EntityTypes['veth'];
      return [
        linkNamed(state, e.a.ifname),
        other === undefined ? undefined : linkNamed(other, e.b.ifname),
      ];
    }
    case 'iface':
      return [linkNamed(state, (candidate as EntityTypes['iface']).ifname), undefined];
    case 'address':
      return [state.addresses, undefined];
    case 'route':
      return [state.routes, undefined];
    case 'loopback':
      return [linkNamed(state, 'lo'), undefined];
    case 'forward':
      return [state.ipForward, undefined];
    case 'nat':
      return [state.nat, undefined];
    case 'netns':
      return [undefined, undefined];
  }
}

/** The kernel's version of one candidate entity, or null when the kernel does not hold it. */
function observe<K extends EntityKind>(
  kind: K,
  candidate: EntityTypes[K],
  view: KernelView,
): EntityTypes[K] | null {
  const ns = entityNamespace(kind, candidate);
  if (kind === 'netns') return exists(view, ns) ? candidate : null;
  if (!exists(view, ns)) return null;
  const state = view.states.get(ns);
  if (state === undefined) return null;
  let other: NamespaceState | undefined;
  if (kind === 'veth') {
    const b = (candidate as EntityTypes['veth']).b.ns;
    other = exists(view, b) ? view.states.get(b) : undefined;
  }
  const [first, second] = inputsOf(kind, candidate, state, other);
  const before = seenBefore.get(candidate);
  if (before !== undefined && before.first === first && before.second === second)
    return before.seen as EntityTypes[K] | null;
  const seen = observeIn(kind, candidate, state, other);
  seenBefore.set(candidate, { first, second, seen });
  return seen;
}

/** The candidate itself when the kernel's version has the same fields (diffs compare by identity first). */
function sameOr<T extends object>(candidate: T, kernel: T): T {
  const a = candidate as Record<string, unknown>;
  const b = kernel as Record<string, unknown>;
  for (const key in a) if (key !== 'origin' && a[key] !== b[key]) return kernel;
  for (const key in b) if (key !== 'origin' && a[key] !== b[key]) return kernel;
  return candidate;
}

/** Whether the kernel says that veth end `from` is paired with something other than `to`. */
function peerIsNot(from: LiveLink, fromNs: string, to: LiveLink, toNs: string): boolean {
  if (from.peerIfindex !== undefined && from.peerIfindex !== to.ifindex) return true;
  return fromNs === toNs
    ? from.peerNamespace !== undefined
    : from.peerNamespace !== undefined && from.peerNamespace !== toNs;
}

function observeIn<K extends EntityKind>(
  kind: K,
  candidate: EntityTypes[K],
  state: NamespaceState,
  other: NamespaceState | undefined,
): EntityTypes[K] | null {
  const link = (ifname: string) => linkNamed(state, ifname);
  switch (kind) {
    case 'bridge': {
      const e = candidate as EntityTypes['bridge'];
      return link(e.name)?.kind === 'bridge' ? candidate : null;
    }
    case 'veth': {
      // An interface of each end's name is not enough: they must also be one pair. After
      // seed-bridge (veth-red <-> veth-red-br), seed-veth's veth-red <-> veth-blue would count
      // as there, and the plan would delete veth-red-br (taking veth-red with it) and never add
      // the new pair. A veth stays observed unless an end's peer is known to be another
      // interface (its index or its namespace differs).
      const e = candidate as EntityTypes['veth'];
      const a = link(e.a.ifname);
      const b = other === undefined ? undefined : linkNamed(other, e.b.ifname);
      if (a?.kind !== 'veth' || b?.kind !== 'veth') return null;
      return peerIsNot(a, e.a.ns, b, e.b.ns) || peerIsNot(b, e.b.ns, a, e.a.ns) ? null : candidate;
    }
    case 'iface': {
      const e = candidate as EntityTypes['iface'];
      const l = link(e.ifname);
      if (l === undefined) return null;
      const kernel: EntityTypes['iface'] = {
        ns: e.ns,
        ifname: e.ifname,
        kind: l.kind === 'bridge' ? 'bridge' : 'veth',
        up: l.adminUp,
        origin: e.origin,
      };
      // A lab that sets no MAC or MTU leaves them to the kernel: compare only what it sets.
      if (e.mac !== undefined && l.mac !== undefined) kernel.mac = parseMac(l.mac) ?? l.mac;
      if (e.mtu !== undefined && l.mtu !== undefined) kernel.mtu = l.mtu;
      if (l.master !== undefined) kernel.master = l.master;
      return sameOr(e, kernel) as EntityTypes[K];
    }
    case 'address': {
      const e = candidate as EntityTypes['address'];
      const found = state.addresses.some(
        (a) => a.ifname === e.ifname && canonicalCidr(a.cidr) === e.cidr,
      );
      return found ? candidate : null;
    }
    case 'route': {
      const e = candidate as EntityTypes['route'];
      const r = state.routes.find(
        (r) =>
          canonicalDestination(r.to) === e.to &&
          (r.metric ?? undefined) === (e.metric ?? undefined) &&
          r.protocol !== 'kernel',
      );
      if (r === undefined) return null;
      const kernel: EntityTypes['route'] = { ns: e.ns, to: e.to, origin: e.origin };
      if (r.via !== undefined) kernel.via = canonicalIp(r.via);
      if (e.dev !== undefined && r.dev !== undefined) kernel.dev = r.dev;
      if (e.metric !== undefined) kernel.metric = e.metric;
      return sameOr(e, kernel) as EntityTypes[K];
    }
    case 'forward':
      return state.ipForward ? candidate : null;
    case 'loopback':
      return link('lo')?.adminUp === true ? candidate : null;
    case 'nat': {
      const e = candidate as EntityTypes['nat'];
      const found = state.nat.some(
        (r) =>
          r.chain === 'POSTROUTING' &&
          r.target === 'MASQUERADE' &&
          r.source !== undefined &&
          canonicalCidr(r.source) === e.source &&
          (r.outInterface ?? undefined) === (e.outInterface ?? undefined),
      );
      return found ? candidate : null;
    }
  }
  return null;
}

/**
 * What the kernel holds of the candidates' entities. Several candidate models (the lab being
 * applied, the labs applied before) count as their union, the first model's version of an
 * entity winning, without building that union: the models share most of their entities.
 */
export function observedModel(
  candidates: KernelModel | readonly KernelModel[],
  view: KernelView,
): KernelModel {
  const models: readonly KernelModel[] = Array.isArray(candidates)
    ? candidates
    : [candidates as KernelModel];
  const out = emptyKernelModel();
  for (const kind of ENTITY_KINDS) {
    const target = out[kind] as Record<string, unknown>;
    const absent = new Set<string>();
    models.forEach((model, m) => {
      const source = model[kind] as Record<string, EntityTypes[typeof kind]>;
      if (models.slice(0, m).some((earlier) => earlier[kind] === source)) return;
      // The kernel's version of an entity has the candidate's key (same names, same namespace).
      for (const key in source) {
        if (m > 0 && (key in target || absent.has(key))) continue;
        const seen = observe(kind, source[key]!, view);
        if (seen !== null) target[key] = seen;
        else if (models.length > 1) absent.add(key);
      }
    });
  }
  return out;
}
