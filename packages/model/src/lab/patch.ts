/**
 * Lab patches: what changed between two versions of a lab, by node and link id. A student who
 * changes one address among a thousand namespaces sends the agent that one link, not the whole
 * lab again (282 kB for 1000 namespaces, parsed and checked against the schema on every
 * apply). The agent applies the patch to the lab it last reported, which it still holds: the
 * result keeps every untouched node and link object, so the pipeline's per-object memory
 * (compileLab's fragments, the observed model) makes the edit cost what it changes.
 *
 * A patch says everything that differs, in order: `labPatch` gives one only when applying it to
 * the base gives exactly `next` (same nodes, links and layout entries, in the same order), and
 * null otherwise (reordered nodes, say): the client then sends the whole lab.
 */
import { z } from 'zod';
import { sameJson } from './share';
import {
  LIMITS,
  LinkSchema,
  NodeIdSchema,
  NodeLayoutSchema,
  NodeSchema,
  type Lab,
  type LabNode,
  type Link,
  type NodeLayout,
} from './schema';

export const LabPatchSchema = z.strictObject({
  /** The lab's name and description when they changed (null: removed). */
  name: z.string().max(LIMITS.stringLength).nullable().optional(),
  description: z.string().max(LIMITS.noteLength).nullable().optional(),
  /** Nodes that changed, replacing the base's node of their id, or added after its last. */
  nodes: z.array(NodeSchema).max(LIMITS.nodes).default([]),
  /** Ids of the base's nodes that are gone. */
  removeNodes: z.array(NodeIdSchema).max(LIMITS.nodes).default([]),
  links: z.array(LinkSchema).max(LIMITS.links).default([]),
  removeLinks: z.array(NodeIdSchema).max(LIMITS.links).default([]),
  /** Layout entries that changed or were added, by node id. */
  layout: z.record(NodeIdSchema, NodeLayoutSchema).default({}),
  removeLayout: z.array(NodeIdSchema).max(LIMITS.nodes).default([]),
});

export type LabPatch = z.output<typeof LabPatchSchema>;
export type LabPatchInput = z.input<typeof LabPatchSchema>;

/** Why a patch does not fit its base: where in the patch, and what is wrong. */
export interface PatchError {
  path: string;
  message: string;
}

function patchItems<T extends { id: string }>(
  base: readonly T[],
  changed: readonly T[],
  removed: readonly string[],
  what: 'nodes' | 'links',
): T[] | PatchError {
  const removeKey = what === 'nodes' ? 'removeNodes' : 'removeLinks';
  const ids = new Set<string>();
  for (const item of base) ids.add(item.id);
  const gone = new Set<string>();
  for (const [i, id] of removed.entries()) {
    if (!ids.has(id) || gone.has(id))
      return {
        path: `patch.${removeKey}[${i}]`,
        message: `${what === 'nodes' ? 'node' : 'link'} "${id}" is not in the lab the patch is based on (or is removed twice)`,
      };
    gone.add(id);
  }
  const byId = new Map<string, T>();
  for (const [i, item] of changed.entries()) {
    if (byId.has(item.id) || gone.has(item.id))
      return {
        path: `patch.${what}[${i}].id`,
        message: `"${item.id}" appears twice in the patch`,
      };
    byId.set(item.id, item);
  }
  const out: T[] = [];
  for (const item of base) if (!gone.has(item.id)) out.push(byId.get(item.id) ?? item);
  for (const item of changed) if (!ids.has(item.id)) out.push(item);
  return out;
}

function tooMany(what: 'nodes' | 'links', count: number, limit: number): PatchError {
  return {
    path: `patch.${what}`,
    message: `the lab would have ${count} ${what}; a lab has at most ${limit}`,
  };
}

/** The lab that `patch` makes of `base`, or where the patch does not fit it. */
export function applyLabPatch(base: Lab, patch: LabPatch): { lab: Lab } | { error: PatchError } {
  const nodes = patchItems<LabNode>(base.nodes, patch.nodes, patch.removeNodes, 'nodes');
  if (!Array.isArray(nodes)) return { error: nodes };
  const links = patchItems<Link>(base.links, patch.links, patch.removeLinks, 'links');
  if (!Array.isArray(links)) return { error: links };
  // The schema bounds a lab's size: a patch must not make one it would refuse.
  if (nodes.length > LIMITS.nodes) return { error: tooMany('nodes', nodes.length, LIMITS.nodes) };
  if (links.length > LIMITS.links) return { error: tooMany('links', links.length, LIMITS.links) };
  const lab: Lab = { ...base, nodes, links };
  if (patch.name !== undefined) {
    if (patch.name === null) delete lab.name;
    else lab.name = patch.name;
  }
  if (patch.description !== undefined) {
    if (patch.description === null) delete lab.description;
    else lab.description = patch.description;
  }
  const removedLayout = new Set(patch.removeLayout);
  const setLayout = Object.keys(patch.layout);
  if (removedLayout.size > 0 || setLayout.length > 0) {
    const positions: Record<string, NodeLayout> = {};
    for (const [id, position] of Object.entries(base.layout.nodes))
      if (!removedLayout.has(id)) positions[id] = position;
    for (const id of setLayout) positions[id] = patch.layout[id]!;
    lab.layout = { ...base.layout, nodes: positions };
  }
  return { lab };
}

function changedItems<T extends { id: string }>(
  base: readonly T[],
  next: readonly T[],
): { changed: T[]; removed: string[] } {
  const before = new Map<string, T>();
  for (const item of base) before.set(item.id, item);
  const changed: T[] = [];
  const present = new Set<string>();
  for (const item of next) {
    present.add(item.id);
    const old = before.get(item.id);
    if (old === undefined || !sameJson(old, item)) changed.push(item);
  }
  const removed = base.filter((item) => !present.has(item.id)).map((item) => item.id);
  return { changed, removed };
}

/**
 * The patch that turns `base` into `next`, or null when none does exactly (the order of nodes,
 * links or layout entries changed otherwise than by adding at the end). Unchanged nodes and
 * links are recognised by identity first (a store that shares them makes this cheap), else by
 * content.
 */
export function labPatch(base: Lab, next: Lab): LabPatch | null {
  if (base.version !== next.version) return null;
  const nodes = changedItems(base.nodes, next.nodes);
  const links = changedItems(base.links, next.links);
  const patch: LabPatch = {
    nodes: nodes.changed,
    removeNodes: nodes.removed,
    links: links.changed,
    removeLinks: links.removed,
    layout: {},
    removeLayout: [],
  };
  if (base.name !== next.name) patch.name = next.name ?? null;
  if (base.description !== next.description) patch.description = next.description ?? null;
  const baseLayout = base.layout.nodes;
  const nextLayout = next.layout.nodes;
  for (const id in nextLayout)
    if (!sameJson(baseLayout[id], nextLayout[id])) patch.layout[id] = nextLayout[id]!;
  for (const id in baseLayout) if (!(id in nextLayout)) patch.removeLayout.push(id);
  const result = applyLabPatch(base, patch);
  return 'lab' in result && sameOrder(result.lab, next) ? patch : null;
}

/**
 * Whether a patched lab is `next` itself. Each node, link and layout entry of the patched lab
 * equals `next`'s of its id by construction: what is left is their order and the other fields.
 */
function sameOrder(patched: Lab, next: Lab): boolean {
  const sameIds = <T extends { id: string }>(x: readonly T[], y: readonly T[]) =>
    x.length === y.length && x.every((item, i) => item.id === y[i]!.id);
  const layoutA = Object.keys(patched.layout.nodes);
  const layoutB = Object.keys(next.layout.nodes);
  const { nodes: _a, links: _b, layout: layoutRestA, ...restA } = patched;
  const { nodes: _c, links: _d, layout: layoutRestB, ...restB } = next;
  return (
    sameIds(patched.nodes, next.nodes) &&
    sameIds(patched.links, next.links) &&
    layoutA.length === layoutB.length &&
    layoutA.every((id, i) => id === layoutB[i]) &&
    sameJson({ ...layoutRestA, nodes: {} }, { ...layoutRestB, nodes: {} }) &&
    sameJson(restA, restB)
  );
}
