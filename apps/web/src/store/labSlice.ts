/**
 * The lab being drawn, with undo and redo. Only real edits enter the history: a drag enters it
 * once, at its end (the canvas keeps positions to itself while dragging), and typing into one
 * field is one step, not one per key.
 */
import { EMPTY_LAB, type Lab } from '@netns-lab/model';
import {
  addNode,
  connectNodes,
  moveNodes,
  removeElements,
  type AddableKind,
  type Point,
} from '../lab/edit';
import { withLayout } from '../lab/layout';
import type { SliceCreator } from './types';

export const HISTORY_LIMIT = 200;

export interface EditOptions {
  /** Edits with the same key in a row are one undo step (e.g. "links[0].a.ifname"). */
  coalesce?: string;
}

export interface LabSlice {
  lab: Lab;
  past: Lab[];
  future: Lab[];
  /** The coalescing key of the last edit, until another kind of edit (or a blur) seals it. */
  lastEdit: string | null;
  /** Counts labs opened (files, built-in labs, New): the canvas fits its view to each. */
  openedAt: number;
  /** Replaces the lab with `next` as one undoable step. */
  commitLab: (next: Lab, options?: EditOptions) => void;
  editLab: (recipe: (lab: Lab) => Lab, options?: EditOptions) => void;
  /** Ends the current typing run: the next keystroke starts a new undo step. */
  sealEdit: () => void;
  /** Opens another lab (a file, a built-in one, a new one); undoable; lays it out if needed. */
  openLab: (next: Lab) => void;
  /** Shows a lab without an undo step (what the kernel holds, on a fresh page). */
  adoptLab: (next: Lab) => void;
  undo: () => void;
  redo: () => void;
  addNode: (kind: AddableKind, position: Point) => string;
  connect: (sourceId: string, targetId: string) => string | null;
  deleteElements: (nodeIds: readonly string[], linkIds: readonly string[]) => void;
  /** Positions at the end of a drag: one history entry. */
  moveNodes: (positions: Readonly<Record<string, Point>>) => void;
  tidyLayout: () => void;
}

function pruneSelection(
  lab: Lab,
  selection: { nodes: string[]; links: string[] },
): { nodes: string[]; links: string[] } {
  const nodes = selection.nodes.filter((id) => lab.nodes.some((n) => n.id === id));
  const links = selection.links.filter((id) => lab.links.some((l) => l.id === id));
  return nodes.length === selection.nodes.length && links.length === selection.links.length
    ? selection
    : { nodes, links };
}

export const createLabSlice: SliceCreator<LabSlice> = (set, get) => ({
  lab: EMPTY_LAB,
  past: [],
  future: [],
  lastEdit: null,
  openedAt: 0,

  commitLab: (next, options = {}) => {
    const { lab, past, lastEdit } = get();
    if (next === lab) return;
    const coalesce = options.coalesce ?? null;
    if (coalesce !== null && coalesce === lastEdit) {
      set({ lab: next, future: [] });
      return;
    }
    set({
      lab: next,
      past: [...past, lab].slice(-HISTORY_LIMIT),
      future: [],
      lastEdit: coalesce,
    });
  },

  editLab: (recipe, options) => get().commitLab(recipe(get().lab), options),

  sealEdit: () => {
    if (get().lastEdit !== null) set({ lastEdit: null });
  },

  openLab: (next) => {
    get().commitLab(withLayout(next));
    set({
      selection: { nodes: [], links: [] },
      openTables: [],
      lastEdit: null,
      openedAt: get().openedAt + 1,
    });
  },

  adoptLab: (next) =>
    set({
      lab: withLayout(next),
      past: [],
      future: [],
      lastEdit: null,
      openedAt: get().openedAt + 1,
    }),

  undo: () => {
    const { past, lab, future, selection } = get();
    const previous = past[past.length - 1];
    if (previous === undefined) return;
    set({
      lab: previous,
      past: past.slice(0, -1),
      future: [lab, ...future],
      lastEdit: null,
      selection: pruneSelection(previous, selection),
    });
  },

  redo: () => {
    const { past, lab, future, selection } = get();
    const next = future[0];
    if (next === undefined) return;
    set({
      lab: next,
      past: [...past, lab],
      future: future.slice(1),
      lastEdit: null,
      selection: pruneSelection(next, selection),
    });
  },

  addNode: (kind, position) => {
    const result = addNode(get().lab, kind, position);
    get().commitLab(result.lab);
    set({ selection: { nodes: [result.id], links: [] } });
    return result.id;
  },

  connect: (sourceId, targetId) => {
    const result = connectNodes(get().lab, sourceId, targetId);
    if (result === null) return null;
    get().commitLab(result.lab);
    set({ selection: { nodes: [], links: [result.id] } });
    return result.id;
  },

  deleteElements: (nodeIds, linkIds) => {
    const next = removeElements(get().lab, nodeIds, linkIds);
    get().commitLab(next);
    set({
      selection: pruneSelection(next, get().selection),
      openTables: get().openTables.filter((id) => next.nodes.some((n) => n.id === id)),
    });
  },

  moveNodes: (positions) => get().commitLab(moveNodes(get().lab, positions)),

  tidyLayout: () => get().commitLab(withLayout(get().lab, { all: true })),
});
