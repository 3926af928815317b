import { describe, expect, it } from 'vitest';
import { classLab, EXAMPLE_LABS, exampleLab } from '../examples/labs';
import { LabSchema, NodeSchema, type Lab, type LabInput } from './schema';
import { sameJson, shareUnchanged } from './share';

/** A new object tree with the same content, as a lab parsed from a message is. */
const fresh = (lab: Lab): Lab => JSON.parse(JSON.stringify(lab)) as Lab;

const nodeById = (lab: Lab, id: string) => lab.nodes.find((n) => n.id === id);
const linkById = (lab: Lab, id: string) => lab.links.find((l) => l.id === id);

describe('shareUnchanged', () => {
  it('gives back the previous lab itself when the next one has the same content', () => {
    for (const previous of [...EXAMPLE_LABS.map((e) => exampleLab(e.id)), classLab(20)]) {
      const next = fresh(previous);
      const shared = shareUnchanged(previous, next);
      expect(shared).toBe(previous);
      expect(shared).toEqual(next);
    }
  });

  it('keeps unchanged links as the previous objects and takes a changed link from the next lab', () => {
    const previous = classLab(5);
    const next = fresh(classLab(5, { addresses: new Map([[2, '10.0.9.9']]) }));
    const shared = shareUnchanged(previous, next);
    expect(shared).toEqual(next);
    expect(shared).not.toBe(previous);
    expect(shared.links[2]).toBe(next.links[2]);
    expect(shared.links[2]).not.toBe(previous.links[2]);
    for (const i of [0, 1, 3, 4]) expect(shared.links[i]).toBe(previous.links[i]);
    shared.nodes.forEach((node, i) => expect(node).toBe(previous.nodes[i]));
  });

  it('keeps unchanged nodes as the previous objects and takes a changed node from the next lab', () => {
    const previous = exampleLab('seed-gateway');
    const next = fresh(previous);
    const blue = nodeById(next, 'blue');
    if (blue?.kind !== 'namespace') throw new Error('seed-gateway has a namespace blue');
    blue.routes[0]!.via = '192.168.15.6';
    const shared = shareUnchanged(previous, next);
    expect(shared).toEqual(next);
    shared.nodes.forEach((node, i) =>
      expect(node).toBe(node.id === 'blue' ? next.nodes[i] : previous.nodes[i]),
    );
    shared.links.forEach((link, i) => expect(link).toBe(previous.links[i]));
  });

  it('returns a new lab whose nodes and links are all shared when only the layout changed', () => {
    const previous = exampleLab('seed-bridge');
    const next = fresh(previous);
    next.layout.nodes.red = { x: 1, y: 2 };
    const shared = shareUnchanged(previous, next);
    expect(shared).not.toBe(previous);
    expect(shared).toEqual(next);
    expect(shared.layout.nodes.red).toEqual({ x: 1, y: 2 });
    shared.nodes.forEach((node, i) => expect(node).toBe(previous.nodes[i]));
    shared.links.forEach((link, i) => expect(link).toBe(previous.links[i]));
  });

  it('returns a new lab whose nodes and links are all shared when only the name changed', () => {
    const previous = exampleLab('router');
    const next = { ...fresh(previous), name: 'Renamed' };
    const shared = shareUnchanged(previous, next);
    expect(shared).not.toBe(previous);
    expect(shared).toEqual(next);
    expect(shared.name).toBe('Renamed');
    shared.nodes.forEach((node, i) => expect(node).toBe(previous.nodes[i]));
    shared.links.forEach((link, i) => expect(link).toBe(previous.links[i]));
  });

  it('matches by id, not by position: after removing the first namespace the others are still shared', () => {
    const previous = classLab(5);
    const next = fresh(classLab(5, { without: [0] }));
    const shared = shareUnchanged(previous, next);
    expect(shared).toEqual(next);
    expect(shared.nodes.map((n) => n.id)).toEqual(['host', 'v-net-0', 'ns1', 'ns2', 'ns3', 'ns4']);
    for (const node of shared.nodes) expect(node).toBe(nodeById(previous, node.id));
    expect(shared.links.map((l) => l.id)).toEqual(['l1', 'l2', 'l3', 'l4']);
    for (const link of shared.links) expect(link).toBe(linkById(previous, link.id));
  });

  it('takes an added node or link from the next lab and shares the rest', () => {
    const previous = classLab(5, { without: [2] });
    const next = fresh(classLab(5));
    const shared = shareUnchanged(previous, next);
    expect(shared).toEqual(next);
    for (const [i, node] of shared.nodes.entries())
      expect(node).toBe(node.id === 'ns2' ? next.nodes[i] : nodeById(previous, node.id));
    for (const [i, link] of shared.links.entries())
      expect(link).toBe(link.id === 'l2' ? next.links[i] : linkById(previous, link.id));
  });

  it('does not share a node whose id stayed but whose kind changed', () => {
    const previous = exampleLab('seed-bridge');
    const next = fresh(previous);
    const index = next.nodes.findIndex((n) => n.id === 'v-net-0');
    next.nodes[index] = NodeSchema.parse({ kind: 'namespace', id: 'v-net-0', name: 'v-net-0' });
    const shared = shareUnchanged(previous, next);
    expect(shared).toEqual(next);
    expect(shared.nodes[index]).toBe(next.nodes[index]);
    expect(shared.nodes[index]).not.toBe(previous.nodes[index]);
  });

  it('compares a duplicated id with the first previous node or link of that id only', () => {
    const lab = (nodes: LabInput['nodes'], links: NonNullable<LabInput['links']>): Lab =>
      LabSchema.parse({ version: 1, nodes, links });
    const link = (id: string, ifname: string) => ({
      id,
      a: { node: 'dup', ifname },
      b: { node: 'host', ifname: `${ifname}-h` },
    });
    const previous = lab(
      [
        { kind: 'host', id: 'host' },
        { kind: 'namespace', id: 'dup', name: 'red' },
        { kind: 'namespace', id: 'dup', name: 'blue' },
      ],
      [link('l', 'first'), link('l', 'second')],
    );

    // Equal to the second previous node and link of its id: not shared.
    const second = fresh(
      lab(
        [
          { kind: 'host', id: 'host' },
          { kind: 'namespace', id: 'dup', name: 'blue' },
        ],
        [link('l', 'second')],
      ),
    );
    const sharedSecond = shareUnchanged(previous, second);
    expect(sharedSecond).toEqual(second);
    expect(sharedSecond.nodes[0]).toBe(previous.nodes[0]);
    expect(sharedSecond.nodes[1]).toBe(second.nodes[1]);
    expect(sharedSecond.links[0]).toBe(second.links[0]);

    // Equal to the first previous node and link of its id: shared.
    const first = fresh(
      lab(
        [
          { kind: 'host', id: 'host' },
          { kind: 'namespace', id: 'dup', name: 'red' },
        ],
        [link('l', 'first')],
      ),
    );
    const sharedFirst = shareUnchanged(previous, first);
    expect(sharedFirst).toEqual(first);
    expect(sharedFirst.nodes[1]).toBe(previous.nodes[1]);
    expect(sharedFirst.links[0]).toBe(previous.links[0]);
  });

  it('returns the next lab itself when there is no previous lab', () => {
    const next = exampleLab('seed-veth');
    expect(shareUnchanged(null, next)).toBe(next);
  });

  it('returns the lab itself when the previous and the next lab are one object', () => {
    const lab = exampleLab('seed-veth');
    expect(shareUnchanged(lab, lab)).toBe(lab);
  });
});

describe('sameJson', () => {
  it('counts a key whose value is undefined as absent', () => {
    expect(sameJson({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(sameJson({ a: 1 }, { a: 1, b: undefined })).toBe(true);
    expect(sameJson({ a: undefined }, {})).toBe(true);
    expect(sameJson({ a: undefined }, { b: undefined })).toBe(true);
    expect(sameJson({ a: undefined }, { a: null })).toBe(false);
    expect(sameJson({ a: null }, {})).toBe(false);
  });

  it('tells a key present on one side only from a key present on both', () => {
    expect(sameJson({ a: 1 }, { b: 1 })).toBe(false);
    expect(sameJson({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(sameJson({ a: 1, b: 2 }, { a: 1 })).toBe(false);
    expect(sameJson({}, {})).toBe(true);
  });

  it('tells arrays from objects, whichever side the array is on', () => {
    expect(sameJson([], {})).toBe(false);
    expect(sameJson({}, [])).toBe(false);
    expect(sameJson([1, 2], { 0: 1, 1: 2 })).toBe(false);
    expect(sameJson({ 0: 1, 1: 2 }, [1, 2])).toBe(false);
    expect(sameJson([1, 2], [1, 2])).toBe(true);
    expect(sameJson([1, 2], [2, 1])).toBe(false);
    expect(sameJson([1, 2], [1, 2, 3])).toBe(false);
    expect(sameJson([1, 2, 3], [1, 2])).toBe(false);
  });

  it('tells primitives and null apart from each other and from objects', () => {
    expect(sameJson(1, 1)).toBe(true);
    expect(sameJson('a', 'a')).toBe(true);
    expect(sameJson(null, null)).toBe(true);
    expect(sameJson(1, '1')).toBe(false);
    expect(sameJson(0, false)).toBe(false);
    expect(sameJson(null, {})).toBe(false);
    expect(sameJson({}, null)).toBe(false);
    expect(sameJson('a', ['a'])).toBe(false);
  });

  it('finds a difference deep inside nested objects and arrays', () => {
    expect(sameJson({ a: { b: [{ c: 1 }] } }, { a: { b: [{ c: 1 }] } })).toBe(true);
    expect(sameJson({ a: { b: [{ c: 1 }] } }, { a: { b: [{ c: 2 }] } })).toBe(false);
    expect(sameJson({ a: { b: [{ c: 1 }] } }, { a: { b: [{ c: 1, d: 0 }] } })).toBe(false);
    const lab = exampleLab('seed-gateway');
    expect(sameJson(lab, fresh(lab))).toBe(true);
    const edited = fresh(lab);
    edited.links[0]!.a.addresses[0] = '192.168.15.9/24';
    expect(sameJson(lab, edited)).toBe(false);
  });

  it('does not care about key order', () => {
    expect(
      sameJson(
        { a: 1, b: { c: 2, d: [3, { e: 4, f: 5 }] } },
        { b: { d: [3, { f: 5, e: 4 }], c: 2 }, a: 1 },
      ),
    ).toBe(true);
  });
});
