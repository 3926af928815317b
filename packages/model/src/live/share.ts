/**
 * shareUnchangedState: structural sharing between two reads of a namespace. The observer reads a
 * whole namespace at a time (the host of a 1000-namespace lab: 1000 links, 2000 bridge
 * entries), though usually little changed. Keeping every unchanged link, and every unchanged
 * table (addresses, routes, neighbours, ...), as the previous read's objects makes "unchanged"
 * a matter of identity: whoever works from the tables (the agent's observed model, the web
 * app's rows) looks again only at what changed, and two reads are compared without serialising
 * them.
 */
import { sameJson } from '../lab/share';
import type { LiveLink, NamespaceState } from './state';

const TABLES = ['addresses', 'routes', 'neighbours', 'fdb', 'nat', 'conntrack'] as const;

function shareLinks(previous: readonly LiveLink[], next: LiveLink[]): LiveLink[] {
  const before = new Map(previous.map((link) => [link.ifname, link]));
  let all = previous.length === next.length;
  const links = next.map((link, i) => {
    const old = before.get(link.ifname);
    const kept = old !== undefined && sameJson(old, link) ? old : link;
    if (kept !== previous[i]) all = false;
    return kept;
  });
  return all ? (previous as LiveLink[]) : links;
}

/**
 * `next`, with what equals the previous read kept as the previous read's objects: each link (by
 * name) and each whole table. The result equals `next` in content, readAt included.
 */
export function shareUnchangedState(
  previous: NamespaceState | undefined,
  next: NamespaceState,
): NamespaceState {
  if (previous === undefined || previous.ns !== next.ns) return next;
  const out: NamespaceState = { ...next, links: shareLinks(previous.links, next.links) };
  for (const table of TABLES) {
    const before = previous[table];
    if (before !== undefined && sameJson(before, out[table]))
      (out as Record<string, unknown>)[table] = before;
  }
  return out;
}

/** Whether two reads of shareUnchangedState hold the same tables (when they were read aside). */
export function sameTables(a: NamespaceState, b: NamespaceState): boolean {
  return (
    a.ns === b.ns &&
    a.ipForward === b.ipForward &&
    a.links === b.links &&
    TABLES.every((table) => a[table] === b[table])
  );
}
