import { EMPTY_LAB, exampleLab, type Lab } from '@netns-lab/model';
import { describe, expect, it } from 'vitest';
import {
  nextFreeAddress,
  proposeAddressFor,
  proposeNatSource,
  proposeSubnet,
  segmentSubnet,
} from './addresses';
import { addNode, connectNodes } from './edit';
import { parseCidr } from '@netns-lab/model';

function connect(lab: Lab, a: string, b: string): Lab {
  const result = connectNodes(lab, a, b);
  if (!result) throw new Error(`cannot connect ${a} and ${b}`);
  return result.lab;
}

const lastLink = (lab: Lab) => {
  const link = lab.links[lab.links.length - 1];
  if (!link) throw new Error('no link');
  return link;
};

describe('address proposals', () => {
  it('proposes 192.168.15.2/24 when blue joins v-net-0 where red has 192.168.15.1/24', () => {
    const seed = exampleLab('seed-bridge');
    const lab = { ...seed, links: seed.links.filter((l) => l.id === 'red-br') };
    const next = connect(lab, 'blue', 'v-net-0');
    expect(lastLink(next)).toMatchObject({
      a: { node: 'blue', ifname: 'veth-blue', addresses: ['192.168.15.2/24'] },
      b: { node: 'v-net-0', ifname: 'veth-blue-br', addresses: [] },
    });
  });

  it('starts a fresh bridge on the seed subnet 192.168.15.0/24', () => {
    let lab = addNode(EMPTY_LAB, 'namespace', { x: 0, y: 0 }).lab;
    lab = addNode(lab, 'bridge', { x: 0, y: 200 }).lab;
    lab = connect(lab, 'red', 'v-net-0');
    expect(lastLink(lab).a.addresses).toEqual(['192.168.15.1/24']);
  });

  it('gives two joined namespaces .1 and .2 of a subnet nobody uses', () => {
    const lab = connect(exampleLab('seed-bridge'), 'red', 'blue');
    expect(lastLink(lab).a.addresses).toEqual(['192.168.16.1/24']);
    expect(lastLink(lab).b.addresses).toEqual(['192.168.16.2/24']);
  });

  it("proposes an address in the LAN's subnet for the host's cable to it", () => {
    const seed = exampleLab('seed-gateway');
    const lab = connect(
      { ...seed, links: seed.links.filter((l) => l.id !== 'host-lan') },
      'host',
      'lan',
    );
    expect(lastLink(lab).a.addresses).toEqual(['192.168.1.1/24']);
  });

  it('finds the subnet of a segment through its bridge address', () => {
    const lab = exampleLab('seed-gateway');
    expect(segmentSubnet(lab, 'v-net-0')).toMatchObject({ prefix: 24 });
    expect(proposeAddressFor(lab, { nodeId: 'v-net-0' })).toBe('192.168.15.3/24');
    expect(proposeAddressFor(lab, { linkId: 'red-br', side: 'a' })).toBe('192.168.15.3/24');
  });

  it('skips the network and broadcast addresses and what is taken', () => {
    const net = parseCidr('10.0.0.0/30');
    if (!net) throw new Error('bad cidr');
    expect(nextFreeAddress(net, new Set())).toBe('10.0.0.1/30');
    expect(nextFreeAddress(net, new Set(['4:a000001']))).toBe('10.0.0.2/30');
    expect(nextFreeAddress(net, new Set(['4:a000001', '4:a000002']))).toBeNull();
  });

  it('keeps a fresh subnet clear of every subnet the lab uses', () => {
    expect(proposeSubnet(exampleLab('router'))).toMatchObject({ prefix: 24 });
    const third = Number((proposeSubnet(exampleLab('router')).address.value >> 8n) & 0xffn);
    expect(third).toBe(17);
  });

  it("proposes the host's bridge subnet as the MASQUERADE source", () => {
    expect(proposeNatSource(exampleLab('seed-gateway'), 'host')).toBe('192.168.15.0/24');
  });
});
