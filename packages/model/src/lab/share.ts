/**
 * shareUnchanged: structural sharing between two versions of a lab. Every lab that reaches the
 * agent is a new object tree (it was parsed from a message), even when the student changed one
 * address among a thousand namespaces. Giving back the previous version's node and link objects
 * wherever they are equal makes "unchanged" a matter of identity, as in React or Excalidraw:
 * the pipeline then remembers its work per node and link object (compileLab's fragments, the
 * observed model's entities) and an edit costs what it changes, not what the lab holds.
 */
import type { Lab, LabNode, Link } from './schema';

/** Deep equality of JSON-like values (what a parsed lab is made of). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let keys = 0;
  for (const key in x) {
    if (x[key] === undefined) continue;
    keys++;
    if (!sameJson(x[key], y[key])) return false;
  }
  for (const key in y) if (y[key] !== undefined) keys--;
  return keys === 0;
}

function shareById<T extends LabNode | Link>(previous: readonly T[], next: readonly T[]): T[] {
  const before = new Map<string, T>();
  for (const item of previous) if (!before.has(item.id)) before.set(item.id, item);
  return next.map((item) => {
    const old = before.get(item.id);
    return old !== undefined && sameJson(old, item) ? old : item;
  });
}

/**
 * `next`, with each node and link that equals the previous lab's (same id, same content)
 * replaced by the previous lab's object. The result equals `next` in content. When nothing
 * changed at all, the previous lab itself comes back.
 */
export function shareUnchanged(previous: Lab | null, next: Lab): Lab {
  if (previous === null || previous === next) return next;
  const nodes = shareById(previous.nodes, next.nodes);
  const links = shareById(previous.links, next.links);
  const sameItems = <T>(a: readonly T[], b: readonly T[]) =>
    a.length === b.length && a.every((item, i) => item === b[i]);
  if (sameItems(nodes, previous.nodes) && sameItems(links, previous.links)) {
    const { nodes: _n, links: _l, ...restBefore } = previous;
    const { nodes: _m, links: _k, ...restAfter } = next;
    if (sameJson(restBefore, restAfter)) return previous;
  }
  return { ...next, nodes, links };
}
