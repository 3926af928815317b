import { EMPTY_LAB, exampleLab, utf8Length, checkKernelName, type Lab } from '@netns-lab/model';
import { describe, expect, it } from 'vitest';
import { addNode, connectNodes } from './edit';
import {
  proposeBridgeName,
  proposeLanName,
  proposeNamespaceName,
  proposeVethNames,
} from './naming';

const node = (lab: Lab, id: string) => {
  const found = lab.nodes.find((n) => n.id === id);
  if (!found) throw new Error(`no node ${id}`);
  return found;
};

function add(lab: Lab, kind: 'namespace' | 'bridge' | 'external'): { lab: Lab; id: string } {
  return addNode(lab, kind, { x: 0, y: 0 });
}

describe('new names follow the seed', () => {
  it('names namespaces red, blue, green in turn', () => {
    let lab = EMPTY_LAB;
    const names: string[] = [];
    for (let i = 0; i < 3; i++) {
      const result = add(lab, 'namespace');
      lab = result.lab;
      const created = node(lab, result.id);
      names.push(created.kind === 'namespace' ? created.name : '');
    }
    expect(names).toEqual(['red', 'blue', 'green']);
  });

  it('skips a colour already taken, even by a renamed namespace', () => {
    const lab = exampleLab('seed-veth');
    expect(proposeNamespaceName(lab)).toBe('green');
  });

  it('names bridges v-net-0, v-net-1 and the LAN lan', () => {
    const first = add(EMPTY_LAB, 'bridge');
    expect(node(first.lab, first.id)).toMatchObject({ name: 'v-net-0' });
    expect(proposeBridgeName(first.lab)).toBe('v-net-1');
    expect(proposeLanName(EMPTY_LAB)).toBe('lan');
    expect(proposeLanName(exampleLab('seed-gateway'))).toBe('lan-1');
  });

  it('gives a new LAN the seed subnet 192.168.1.0/24 with one host', () => {
    const result = add(EMPTY_LAB, 'external');
    expect(node(result.lab, result.id)).toMatchObject({
      kind: 'external',
      name: 'lan',
      subnet: '192.168.1.0/24',
      hosts: [{ name: 'lan-pc', address: '192.168.1.3' }],
    });
  });
});

describe('a cable is named as the seed names it', () => {
  it('calls a namespace-to-bridge veth veth-red / veth-red-br', () => {
    const lab = exampleLab('seed-bridge');
    const withoutLinks = { ...lab, links: [] };
    expect(proposeVethNames(withoutLinks, node(lab, 'red'), node(lab, 'v-net-0'))).toEqual({
      a: 'veth-red',
      b: 'veth-red-br',
    });
    expect(proposeVethNames(withoutLinks, node(lab, 'v-net-0'), node(lab, 'blue'))).toEqual({
      a: 'veth-blue-br',
      b: 'veth-blue',
    });
  });

  it('calls a veth between two namespaces veth-red / veth-blue', () => {
    const lab = { ...exampleLab('seed-veth'), links: [] };
    expect(proposeVethNames(lab, node(lab, 'red'), node(lab, 'blue'))).toEqual({
      a: 'veth-red',
      b: 'veth-blue',
    });
  });

  it('names the host end after the LAN, as veth-lan / veth-lan-br', () => {
    const lab = exampleLab('seed-gateway');
    const noLanLink = { ...lab, links: lab.links.filter((l) => l.id !== 'host-lan') };
    expect(proposeVethNames(noLanLink, node(lab, 'host'), node(lab, 'lan'))).toEqual({
      a: 'veth-lan',
      b: 'veth-lan-br',
    });
  });

  it('numbers a second cable from the same namespace: veth-red-1 / veth-red-1-br', () => {
    let lab = exampleLab('seed-bridge');
    lab = add(lab, 'bridge').lab;
    expect(proposeVethNames(lab, node(lab, 'red'), node(lab, 'v-net-1'))).toEqual({
      a: 'veth-red-1',
      b: 'veth-red-1-br',
    });
  });

  it('falls back to shorter names when a long name would pass 15 bytes', () => {
    const base = add(add(EMPTY_LAB, 'namespace').lab, 'bridge').lab;
    const lab: Lab = {
      ...base,
      nodes: base.nodes.map((n) => (n.kind === 'namespace' ? { ...n, name: 'classroom-12' } : n)),
    };
    const names = proposeVethNames(lab, node(lab, 'red'), node(lab, 'v-net-0'));
    expect(names).toEqual({ a: 'v-classroom', b: 'v-classroom-br' });
    for (const name of [names.a, names.b]) {
      expect(utf8Length(name)).toBeLessThanOrEqual(15);
      expect(checkKernelName(name)).toBeNull();
    }
  });

  it('never proposes a name the lab already uses, however many cables there are', () => {
    let lab = add(add(EMPTY_LAB, 'namespace').lab, 'bridge').lab;
    const seen = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const result = connectNodes(lab, 'red', 'v-net-0');
      if (!result) throw new Error('not connected');
      lab = result.lab;
      const link = lab.links[lab.links.length - 1];
      for (const name of [link?.a.ifname ?? '', link?.b.ifname ?? '']) {
        expect(seen.has(name)).toBe(false);
        expect(checkKernelName(name)).toBeNull();
        seen.add(name);
      }
    }
  });
});
