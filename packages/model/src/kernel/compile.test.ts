import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { labArbitrary } from '../../test/arbitraries';
import { classLab, EXAMPLE_LABS, exampleLab } from '../examples/labs';
import { LabSchema, type Lab, type LabInput } from '../lab/schema';
import { shareUnchanged } from '../lab/share';
import { compileLab } from './compile';
import { ENTITY_KINDS, type KernelModel } from './model';

/** A new object tree with the same content, as a lab parsed from a message is. */
const fresh = (lab: Lab): Lab => JSON.parse(JSON.stringify(lab)) as Lab;

/** Same entities (origins included) under the same keys, in the same order (diffs follow it). */
function expectSameModel(actual: KernelModel, expected: KernelModel): void {
  expect(actual).toEqual(expected);
  for (const kind of ENTITY_KINDS)
    expect(Object.keys(actual[kind]), `order of ${kind}`).toEqual(Object.keys(expected[kind]));
}

/**
 * `next` compiled as the agent compiles an edit: `previous` compiled first (its fragments are
 * remembered), then `next` shared with it. Also what a fresh copy of `next` compiles to.
 */
function compileEdit(
  previous: Lab,
  next: Lab,
): { lab: Lab; shared: KernelModel; expected: KernelModel } {
  compileLab(previous);
  const lab = shareUnchanged(previous, fresh(next));
  return { lab, shared: compileLab(lab), expected: compileLab(fresh(next)) };
}

/** How many of `lab`'s nodes and links are `previous`'s objects (what the cache may reuse). */
const sharedCount = (previous: Lab, lab: Lab): number =>
  lab.nodes.filter((n) => previous.nodes.includes(n)).length +
  lab.links.filter((l) => previous.links.includes(l)).length;

const lab = (nodes: LabInput['nodes'], links: LabInput['links'] = []): Lab =>
  LabSchema.parse({ version: 1, nodes, links });

describe('compileLab with remembered fragments', () => {
  it('compiles every example lab, shared with itself or with the one before, as a fresh copy compiles', () => {
    let previous: Lab = classLab(3);
    for (const { id } of EXAMPLE_LABS) {
      const example = exampleLab(id);
      const same = compileEdit(example, example);
      expect(same.lab).toBe(example);
      expectSameModel(same.shared, same.expected);
      const after = compileEdit(previous, example);
      expectSameModel(after.shared, after.expected);
      previous = example;
    }
  });

  it('compiles an example lab without its second node (every later index shifts) as a fresh copy compiles', () => {
    for (const { id } of EXAMPLE_LABS) {
      const previous = exampleLab(id);
      const next = fresh(previous);
      next.nodes.splice(1, 1);
      const { lab, shared, expected } = compileEdit(previous, next);
      expect(sharedCount(previous, lab)).toBeGreaterThan(0);
      expectSameModel(shared, expected);
    }
  });

  it('compiles a class lab with a namespace added in the middle as a fresh copy compiles', () => {
    const previous = classLab(6, { without: [2] });
    const { lab, shared, expected } = compileEdit(previous, classLab(6));
    expect(sharedCount(previous, lab)).toBe(lab.nodes.length + lab.links.length - 2);
    expectSameModel(shared, expected);
    expect(shared.netns.ns3?.origin).toEqual({ nodeId: 'ns3', path: 'nodes[5]' });
    expect(shared.address['ns3/veth3/10.0.0.4/16']?.origin).toEqual({
      linkId: 'l3',
      path: 'links[3].a.addresses[0]',
    });
  });

  it('compiles a class lab with one address changed as a fresh copy compiles', () => {
    const previous = classLab(6);
    const next = classLab(6, { addresses: new Map([[3, '10.0.7.7']]) });
    const { lab, shared, expected } = compileEdit(previous, next);
    expect(sharedCount(previous, lab)).toBe(lab.nodes.length + lab.links.length - 1);
    expectSameModel(shared, expected);
    expect(shared.address['ns3/veth3/10.0.7.7/16']).toBeDefined();
    expect(shared.address['ns3/veth3/10.0.0.4/16']).toBeUndefined();
  });

  it('compiles a class lab without its first namespace (every later index shifts) as a fresh copy compiles', () => {
    const previous = classLab(6);
    const { lab, shared, expected } = compileEdit(previous, classLab(6, { without: [0] }));
    expect(sharedCount(previous, lab)).toBe(lab.nodes.length + lab.links.length);
    expectSameModel(shared, expected);
    // The fragments of ns1 and l1 were made at nodes[3] and links[1]: not reusable as they were.
    expect(shared.netns.ns1?.origin).toEqual({ nodeId: 'ns1', path: 'nodes[2]' });
    expect(shared.veth['host/veth1-br <-> ns1/veth1']?.origin).toEqual({
      linkId: 'l1',
      path: 'links[0]',
    });
    expect(shared.iface['ns1/veth1']?.origin).toEqual({ linkId: 'l1', path: 'links[0].a' });
    expect(shared.address['ns1/veth1/10.0.0.2/16']?.origin).toEqual({
      linkId: 'l1',
      path: 'links[0].a.addresses[0]',
    });
  });

  it('compiles a class lab whose bridge moved into a namespace (every link end moves) as a fresh copy compiles', () => {
    const previous = classLab(4);
    const next = fresh(previous);
    const bridge = next.nodes[1];
    if (bridge?.kind !== 'bridge') throw new Error('the class lab has its bridge second');
    bridge.namespace = 'ns0';
    const moved = compileEdit(previous, next);
    expect(moved.lab.links.every((l, i) => l === previous.links[i])).toBe(true);
    expectSameModel(moved.shared, moved.expected);
    expect(moved.shared.bridge['ns0/v-net-0']).toBeDefined();
    expect(moved.shared.iface['ns0/veth2-br']?.master).toBe('v-net-0');
    expect(moved.shared.iface['host/veth2-br']).toBeUndefined();

    // And back to the host, from the namespace lab's remembered fragments.
    const back = compileEdit(moved.lab, previous);
    expectSameModel(back.shared, back.expected);
    expect(back.shared.iface['host/veth2-br']?.master).toBe('v-net-0');
  });

  it('compiles a class lab with a namespace renamed (its link end moves) as a fresh copy compiles', () => {
    const previous = classLab(4);
    const next = fresh(previous);
    const ns1 = next.nodes.find((n) => n.id === 'ns1');
    if (ns1?.kind !== 'namespace') throw new Error('the class lab has a namespace ns1');
    ns1.name = 'renamed';
    const { lab, shared, expected } = compileEdit(previous, next);
    expect(lab.links[1]).toBe(previous.links[1]);
    expectSameModel(shared, expected);
    expect(shared.iface['renamed/veth1']).toBeDefined();
    expect(shared.iface['ns1/veth1']).toBeUndefined();
  });

  it("gives an unchanged node's and link's entities as the same objects, and a changed one's as new objects", () => {
    const previous = classLab(4);
    const before = compileLab(previous);
    const next = fresh(previous);
    next.links[1]!.a.addresses = ['10.0.9.9/16'];
    const ns2 = next.nodes.find((n) => n.id === 'ns2');
    if (ns2?.kind !== 'namespace') throw new Error('the class lab has a namespace ns2');
    ns2.loopback = true;
    const after = compileLab(shareUnchanged(previous, next));

    // Unchanged: node ns0, link l0, the bridge.
    expect(after.netns.ns0).toBe(before.netns.ns0);
    expect(after.bridge['host/v-net-0']).toBe(before.bridge['host/v-net-0']);
    expect(after.veth['host/veth0-br <-> ns0/veth0']).toBe(
      before.veth['host/veth0-br <-> ns0/veth0'],
    );
    expect(after.iface['ns0/veth0']).toBe(before.iface['ns0/veth0']);
    expect(after.iface['host/veth0-br']).toBe(before.iface['host/veth0-br']);
    expect(after.address['ns0/veth0/10.0.0.1/16']).toBe(before.address['ns0/veth0/10.0.0.1/16']);

    // Changed: node ns2 (its netns entity has the same content but is made again), link l1.
    expect(after.netns.ns2).toEqual(before.netns.ns2);
    expect(after.netns.ns2).not.toBe(before.netns.ns2);
    expect(after.loopback.ns2).toBeDefined();
    expect(after.iface['ns1/veth1']).toEqual(before.iface['ns1/veth1']);
    expect(after.iface['ns1/veth1']).not.toBe(before.iface['ns1/veth1']);
    expect(after.veth['host/veth1-br <-> ns1/veth1']).not.toBe(
      before.veth['host/veth1-br <-> ns1/veth1'],
    );
  });

  it('keeps the first node of a clashing key, also when the nodes come from remembered fragments', () => {
    const previous = lab([
      { kind: 'host', id: 'host' },
      { kind: 'namespace', id: 'r1', name: 'red' },
      { kind: 'namespace', id: 'r2', name: 'red', loopback: true },
    ]);
    expect(compileLab(previous).netns.red?.origin).toEqual({ nodeId: 'r1', path: 'nodes[1]' });

    const added = fresh(previous);
    added.nodes.push({ ...added.nodes[1]!, id: 'b', name: 'blue' } as Lab['nodes'][number]);
    const withBlue = compileEdit(previous, added);
    expect(withBlue.lab.nodes[2]).toBe(previous.nodes[2]);
    expectSameModel(withBlue.shared, withBlue.expected);
    expect(withBlue.shared.netns.red?.origin).toEqual({ nodeId: 'r1', path: 'nodes[1]' });

    const swapped = fresh(previous);
    swapped.nodes = [swapped.nodes[0]!, swapped.nodes[2]!, swapped.nodes[1]!];
    const turned = compileEdit(previous, swapped);
    expect(turned.lab.nodes[1]).toBe(previous.nodes[2]);
    expectSameModel(turned.shared, turned.expected);
    expect(turned.shared.netns.red?.origin).toEqual({ nodeId: 'r2', path: 'nodes[1]' });
  });

  // Kernel names may contain "|" (and spaces are refused, but other separators are not): the
  // placement key must not let two different placements of a link's ends look alike, or the
  // link's remembered fragment would be reused with its old ends. Both labs are valid.
  it('compiles a link whose ends moved as a fresh copy compiles, even with "|" in names', () => {
    const link = { id: 'l', a: { node: 'A', ifname: 'ea' }, b: { node: 'B', ifname: 'eb' } };
    const previous = lab(
      [
        { kind: 'host', id: 'host' },
        { kind: 'namespace', id: 'A', name: 'red' },
        { kind: 'namespace', id: 'B', name: 'pp|blue' },
      ],
      [link],
    );
    // A is now the bridge "|pp" in red, B the namespace blue: placements "red |pp" and "blue "
    // instead of "red " and "pp|blue ", both joined as "red |pp|blue ".
    const next = lab(
      [
        { kind: 'host', id: 'host' },
        { kind: 'namespace', id: 'X', name: 'red' },
        { kind: 'bridge', id: 'A', name: '|pp', namespace: 'X' },
        { kind: 'namespace', id: 'B', name: 'blue' },
      ],
      [link],
    );
    const { lab: shared, shared: model, expected } = compileEdit(previous, next);
    expect(shared.links[0]).toBe(previous.links[0]);
    expect(model.iface['red/ea']?.master).toBe('|pp');
    expectSameModel(model, expected);
  });
});

type Edit = 'remove-node' | 'remove-link' | 'reverse-nodes' | 'reverse-links' | 'bridge-into';

/** A student's edit of a lab: the result may be invalid (dangling ends), compile stays total. */
function edited(original: Lab, edit: Edit, at: number): Lab {
  const next = fresh(original);
  switch (edit) {
    case 'remove-node':
      next.nodes.splice(at % next.nodes.length, 1);
      break;
    case 'remove-link':
      if (next.links.length > 0) next.links.splice(at % next.links.length, 1);
      break;
    case 'reverse-nodes':
      next.nodes.reverse();
      break;
    case 'reverse-links':
      next.links.reverse();
      break;
    case 'bridge-into': {
      const namespaces = next.nodes.filter((n) => n.kind === 'namespace');
      const holder = namespaces[at % Math.max(1, namespaces.length)];
      for (const node of next.nodes)
        if (node.kind === 'bridge' && holder !== undefined) {
          node.namespace = holder.id;
          break;
        }
      break;
    }
  }
  return next;
}

describe('compileLab with remembered fragments on generated labs', () => {
  it('compiles each lab of a sequence, shared with the one before, as a fresh copy compiles', () => {
    fc.assert(
      fc.property(fc.array(labArbitrary, { minLength: 2, maxLength: 5 }), (labs) => {
        let previous = labs[0]!;
        compileLab(previous);
        for (const next of labs.slice(1)) {
          const shared = shareUnchanged(previous, fresh(next));
          expectSameModel(compileLab(shared), compileLab(fresh(next)));
          previous = shared;
        }
      }),
      { numRuns: 200 },
    );
  });

  it('compiles an edited lab, shared with the lab before the edit, as a fresh copy compiles', () => {
    const edits: Edit[] = [
      'remove-node',
      'remove-link',
      'reverse-nodes',
      'reverse-links',
      'bridge-into',
    ];
    fc.assert(
      fc.property(
        labArbitrary,
        fc.array(fc.tuple(fc.constantFrom(...edits), fc.nat()), { minLength: 1, maxLength: 3 }),
        (original, steps) => {
          let previous = original;
          compileLab(previous);
          for (const [edit, at] of steps) {
            const next = edited(previous, edit, at);
            const shared = shareUnchanged(previous, fresh(next));
            expectSameModel(compileLab(shared), compileLab(fresh(next)));
            previous = shared;
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
