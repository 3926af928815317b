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
  entityKey,
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
  const out = emptyKernelModel();
  for (const model of models)
    for (const kind of ENTITY_KINDS) {
      const target = out[kind] as Record<string, unknown>;
      for (const [key, entity] of Object.entries(model[kind]))
        if (!(key in target)) target[key] = entity;
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
  const link = (ifname: string) => linkNamed(state, ifname);
  switch (kind) {
    case 'bridge': {
      const e = candidate as EntityTypes['bridge'];
      return link(e.name)?.kind === 'bridge' ? candidate : null;
    }
    case 'veth': {
      const e = candidate as EntityTypes['veth'];
      const a = link(e.a.ifname);
      const bState = exists(view, e.b.ns) ? view.states.get(e.b.ns) : undefined;
      const b = bState === undefined ? undefined : linkNamed(bState, e.b.ifname);
      return a?.kind === 'veth' && b?.kind === 'veth' ? candidate : null;
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
      return kernel as EntityTypes[K];
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
      return kernel as EntityTypes[K];
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

/** What the kernel holds of the candidates' entities. */
export function observedModel(candidates: KernelModel, view: KernelView): KernelModel {
  const out = emptyKernelModel();
  for (const kind of ENTITY_KINDS) {
    const target = out[kind] as Record<string, unknown>;
    for (const candidate of Object.values(candidates[kind]) as EntityTypes[typeof kind][]) {
      const seen = observe(kind, candidate, view);
      if (seen !== null) target[entityKey[kind](seen as never)] = seen;
    }
  }
  return out;
}
