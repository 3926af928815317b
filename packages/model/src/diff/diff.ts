/**
 * diff(prev, next): what changes between two labs, per kind of kernel entity, as a plain
 * object ({ added, updated: [from, to], removed }), deterministic (sorted by key). Origins
 * (where in the lab an entity came from) are not part of an entity's value: renaming a link id
 * or moving a node changes nothing in the kernel.
 */
import { containsIp, overlaps, parseCidr, parseIp, type Cidr } from '../lab/address';
import type { Lab } from '../lab/schema';
import { compileLab } from '../kernel/compile';
import {
  ENTITY_KINDS,
  entityKey,
  type EntityKind,
  type EntityTypes,
  type KernelModel,
} from '../kernel/model';

export interface EntityDiff<T> {
  added: T[];
  updated: [from: T, to: T][];
  removed: T[];
}

export type LabDiff = { [K in EntityKind]: EntityDiff<EntityTypes[K]> };

function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(record[k])}`).join(',')}}`;
}

/** An entity's value without its origin, for comparison. */
function valueOf(kind: EntityKind, entity: object): string {
  // A veth pair is nothing but its two ends, and those are its key: which end is named first
  // does not matter to the kernel.
  if (kind === 'veth') return '';
  const { origin: _origin, ...rest } = entity as { origin?: unknown };
  return stableStringify(rest);
}

/**
 * Whether two entities of one kind have the same value (origins aside). Entities are flat
 * records of strings, numbers and booleans (a veth's ends are its key), so a shallow look is
 * enough, and far cheaper than comparing serialisations (thousands per apply of a big lab).
 */
function sameValue(kind: EntityKind, a: object, b: object): boolean {
  if (a === b || kind === 'veth') return true;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  for (const key in x)
    if (key !== 'origin' && x[key] !== y[key] && (x[key] !== undefined || key in y)) {
      if (typeof x[key] === 'object' || typeof y[key] === 'object')
        return valueOf(kind, a) === valueOf(kind, b);
      return false;
    }
  for (const key in y) if (key !== 'origin' && !(key in x) && y[key] !== undefined) return false;
  return true;
}

function diffKind<K extends EntityKind>(
  kind: K,
  prev: Record<string, EntityTypes[K]>,
  next: Record<string, EntityTypes[K]>,
): EntityDiff<EntityTypes[K]> {
  const result: EntityDiff<EntityTypes[K]> = { added: [], updated: [], removed: [] };
  // Lab order, not alphabetical: the plan then follows the order the student drew things in.
  for (const key in next) {
    const to = next[key]!;
    const from = prev[key];
    if (from === undefined) result.added.push(to);
    else if (!sameValue(kind, from, to)) result.updated.push([from, to]);
  }
  for (const key in prev) if (!(key in next)) result.removed.push(prev[key]!);
  return result;
}

export function emptyDiff(): LabDiff {
  const diff = {} as Record<EntityKind, EntityDiff<unknown>>;
  for (const kind of ENTITY_KINDS) diff[kind] = { added: [], updated: [], removed: [] };
  return diff as LabDiff;
}

export function diffModels(prev: KernelModel, next: KernelModel): LabDiff {
  const diff = emptyDiff() as Record<EntityKind, EntityDiff<unknown>>;
  for (const kind of ENTITY_KINDS)
    diff[kind] = diffKind(
      kind,
      prev[kind] as Record<string, EntityTypes[typeof kind]>,
      next[kind] as Record<string, EntityTypes[typeof kind]>,
    );
  const result = diff as LabDiff;
  recreateDependents(result, prev, next);
  return result;
}

/** Routes that the kernel keeps on an interface: named by `dev`, or with a gateway on its subnet. */
function routeUses(route: EntityTypes['route'], ifaceKey: string, model: KernelModel): boolean {
  if (route.dev !== undefined) return `${route.ns}/${route.dev}` === ifaceKey;
  const via = route.via === undefined ? null : parseIp(route.via);
  if (via === null) return false;
  return Object.values(model.address).some((a) => {
    if (`${a.ns}/${a.ifname}` !== ifaceKey) return false;
    const cidr = parseCidr(a.cidr);
    return cidr !== null && containsIp(cidr, via);
  });
}

/**
 * The kernel takes things away by itself, and the plan must put back what the lab keeps:
 * - an interface deleted and created again (a veth whose other end changed, a bridge that
 *   became a veth) loses its state, addresses and routes;
 * - removing an address from an interface removes the routes on it (all of them when it was
 *   the last address) and, when it was the primary of its subnet, the secondaries too.
 * Whatever of those stays the same in the lab is therefore removed and added again.
 */
function recreateDependents(diff: LabDiff, prev: KernelModel, next: KernelModel): void {
  const doomed = new Set<string>();
  for (const veth of diff.veth.removed)
    for (const end of [veth.a, veth.b]) doomed.add(`${end.ns}/${end.ifname}`);
  for (const bridge of diff.bridge.removed) doomed.add(`${bridge.ns}/${bridge.name}`);
  const removedNs = new Set(diff.netns.removed.map((n) => n.name));
  const shaken = new Map<string, Cidr[]>();
  for (const address of diff.address.removed) {
    const key = `${address.ns}/${address.ifname}`;
    const cidr = parseCidr(address.cidr);
    if (doomed.has(key) || removedNs.has(address.ns) || cidr === null) continue;
    shaken.set(key, [...(shaken.get(key) ?? []), cidr]);
  }
  if (doomed.size === 0 && shaken.size === 0) return;
  // The namespaces of the interfaces concerned: everything else is passed over at once (an
  // edit of one address in a lab of 1000 namespaces looks at one namespace's entities).
  const concerned = new Set(
    [...doomed, ...shaken.keys()].map((key) => key.slice(0, key.indexOf('/'))),
  );

  const requeue = <K extends 'iface' | 'address' | 'route'>(
    kind: K,
    disturbed: (e: EntityTypes[K]) => boolean,
  ): void => {
    const target = diff[kind] as EntityDiff<EntityTypes[K]>;
    const before = prev[kind] as Record<string, EntityTypes[K]>;
    const after = next[kind] as Record<string, EntityTypes[K]>;
    const removed = new Set(target.removed.map((e) => entityKey[kind](e)));
    for (const key in after) {
      const entity = after[key]!;
      if (!concerned.has(entity.ns)) continue;
      const old = before[key];
      if (old === undefined || removed.has(key) || !disturbed(old)) continue;
      // An update in place would act on something the kernel already took away.
      target.updated = target.updated.filter(([, to]) => entityKey[kind](to) !== key);
      target.removed.push(old);
      target.added.push(entity);
    }
  };
  requeue('iface', (e) => doomed.has(`${e.ns}/${e.ifname}`));
  requeue('address', (e) => {
    const key = `${e.ns}/${e.ifname}`;
    if (doomed.has(key)) return true;
    const cidr = parseCidr(e.cidr);
    return cidr !== null && (shaken.get(key) ?? []).some((r) => overlaps(r, cidr));
  });
  requeue('route', (route) =>
    [...doomed, ...shaken.keys()].some((key) => routeUses(route, key, prev)),
  );
}

/** diff(prev, next) of two labs. First apply: diffLabs(EMPTY_LAB, lab); teardown: diffLabs(lab, EMPTY_LAB). */
export function diffLabs(prev: Lab, next: Lab): LabDiff {
  return diffModels(compileLab(prev), compileLab(next));
}

export function isEmptyDiff(diff: LabDiff): boolean {
  return ENTITY_KINDS.every((kind) => {
    const d = diff[kind];
    return d.added.length === 0 && d.updated.length === 0 && d.removed.length === 0;
  });
}

/** The diff that undoes this one. */
export function reverseDiff(diff: LabDiff): LabDiff {
  const out = emptyDiff() as Record<EntityKind, EntityDiff<unknown>>;
  for (const kind of ENTITY_KINDS) {
    const d = diff[kind] as EntityDiff<unknown>;
    out[kind] = {
      added: [...d.removed],
      removed: [...d.added],
      updated: d.updated.map(([from, to]) => [to, from]),
    };
  }
  return out as LabDiff;
}

/** How many entities change, per kind (for summaries). */
export function diffSize(diff: LabDiff): number {
  return ENTITY_KINDS.reduce((n, kind) => {
    const d = diff[kind];
    return n + d.added.length + d.updated.length + d.removed.length;
  }, 0);
}
