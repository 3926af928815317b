import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classLab, EXAMPLE_LABS, exampleLab } from '../examples/labs';
import { applyLabPatch, labPatch, LabPatchSchema, type LabPatch } from './patch';
import { LabSchema, type Lab } from './schema';

/** A new object tree with the same content, as a lab parsed from a message is. */
const fresh = (lab: Lab): Lab => JSON.parse(JSON.stringify(lab)) as Lab;

/** Applies a patch that must fit, after a trip through JSON and the schema (as on the wire). */
function patched(base: Lab, patch: LabPatch): Lab {
  const wire = LabPatchSchema.parse(JSON.parse(JSON.stringify(patch)));
  const result = applyLabPatch(base, wire);
  if ('error' in result) throw new Error(`${result.error.path}: ${result.error.message}`);
  return result.lab;
}

describe('lab patches', () => {
  it('carry only the link whose address changed, and keep every other object of the base', () => {
    const base = classLab(1000);
    const next = fresh(classLab(1000, { addresses: new Map([[7, '10.0.9.9']]) }));
    const patch = labPatch(base, next);
    expect(patch).not.toBeNull();
    expect(patch).toEqual({
      nodes: [],
      removeNodes: [],
      links: [next.links[7]],
      removeLinks: [],
      layout: {},
      removeLayout: [],
    });
    expect(JSON.stringify(patch).length).toBeLessThan(400);
    const lab = patched(base, patch!);
    expect(lab).toEqual(next);
    expect(lab.nodes.every((node, i) => node === base.nodes[i])).toBe(true);
    expect(lab.links.filter((link, i) => link !== base.links[i])).toHaveLength(1);
    expect(lab.layout).toBe(base.layout);
  });

  it('add a namespace with its link and position at the end, and remove one by id', () => {
    const base = classLab(10);
    const added = classLab(11);
    const addPatch = labPatch(base, added)!;
    expect(addPatch.nodes.map((n) => n.id)).toEqual([added.nodes.at(-1)!.id]);
    expect(addPatch.links.map((l) => l.id)).toEqual([added.links.at(-1)!.id]);
    expect(addPatch.name).toBe(added.name);
    expect(patched(base, addPatch)).toEqual(added);

    const removed = classLab(10, { without: [3] });
    const removePatch = labPatch(base, removed)!;
    expect(removePatch.nodes).toEqual([]);
    expect(removePatch.removeNodes).toEqual([base.nodes.find((n) => n.id === 'ns3')!.id]);
    expect(removePatch.removeLinks).toHaveLength(1);
    expect(patched(base, removePatch)).toEqual(removed);
  });

  it('turn each built-in lab into each other one', () => {
    const labs = EXAMPLE_LABS.map((e) => exampleLab(e.id));
    for (const base of labs)
      for (const next of labs) {
        const patch = labPatch(base, next);
        // Labs whose shared nodes come in another order have no patch: the whole lab goes.
        if (patch !== null) expect(patched(base, patch)).toEqual(next);
      }
    // The seed's step from the bridge to the gateway is a patch.
    const [, bridge, gateway] = labs;
    const step = labPatch(bridge!, gateway!)!;
    expect(step.nodes.map((n) => n.id)).toEqual(['host', 'blue', 'v-net-0', 'lan']);
    expect(step.links.map((l) => l.id)).toEqual(['host-lan']);
  });

  it('move a node with its layout entry alone', () => {
    const base = exampleLab('seed-bridge');
    const next = fresh(base);
    next.layout.nodes['red'] = { x: 1, y: 2 };
    delete next.layout.nodes['blue'];
    const patch = labPatch(base, next)!;
    expect(patch).toMatchObject({ nodes: [], links: [], layout: { red: { x: 1, y: 2 } } });
    expect(patch.removeLayout).toEqual(['blue']);
    expect(patched(base, patch)).toEqual(next);
  });

  it('remove the name and the description with null', () => {
    const base = exampleLab('seed-bridge');
    const next = fresh(base);
    delete next.name;
    delete next.description;
    const patch = labPatch(base, next)!;
    expect(patch.name).toBeNull();
    expect(patch.description).toBeNull();
    const lab = patched(base, patch);
    expect('name' in lab).toBe(false);
    expect(lab).toEqual(next);
  });

  it('are not made when the order of nodes changed: the whole lab must go', () => {
    const base = exampleLab('seed-bridge');
    const next = fresh(base);
    next.nodes.reverse();
    expect(labPatch(base, next)).toBeNull();
  });

  it('do not fit a base without the nodes they remove, or with an id twice', () => {
    const base = exampleLab('seed-veth');
    const patch = LabPatchSchema.parse({ removeNodes: ['red', 'nowhere'] });
    expect(applyLabPatch(base, patch)).toEqual({
      error: {
        path: 'patch.removeNodes[1]',
        message: 'node "nowhere" is not in the lab the patch is based on (or is removed twice)',
      },
    });
    const twice = LabPatchSchema.parse({ links: [base.links[0], base.links[0]] });
    expect(applyLabPatch(base, twice)).toMatchObject({ error: { path: 'patch.links[1].id' } });
    const removedAndChanged = LabPatchSchema.parse({
      removeLinks: [base.links[0]!.id],
      links: [base.links[0]],
    });
    expect(applyLabPatch(base, removedAndChanged)).toMatchObject({
      error: { path: 'patch.links[0].id' },
    });
  });

  it('do not make a lab bigger than the schema allows', () => {
    const base = classLab(4000);
    const patch = LabPatchSchema.parse({
      nodes: Array.from({ length: 100 }, (_, i) => ({
        kind: 'namespace',
        id: `extra${i}`,
        name: `extra${i}`,
      })),
    });
    expect(applyLabPatch(base, patch)).toEqual({
      error: {
        path: 'patch.nodes',
        message: 'the lab would have 4102 nodes; a lab has at most 4096',
      },
    });
  });

  it('make the next lab of any class-lab edit (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { maxLength: 5 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { maxLength: 5 }),
        fc.integer({ min: 0, max: 3 }),
        (n, without, moved, added) => {
          const base = classLab(n);
          const next = fresh(
            classLab(n + added, {
              without: without.filter((i) => i < n),
              addresses: new Map(moved.map((i) => [i, `10.1.${i}.9`])),
            }),
          );
          const patch = labPatch(base, next);
          expect(patch).not.toBeNull();
          expect(LabSchema.parse(patched(base, patch!))).toEqual(next);
        },
      ),
      { numRuns: 200 },
    );
  });
});
