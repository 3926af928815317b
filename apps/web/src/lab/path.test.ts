import { exampleLab } from '@netns-lab/model';
import { describe, expect, it } from 'vitest';
import { nodeOfAddress, nodeOfNamespace, pingPath } from './path';

describe('the path of a ping on the canvas', () => {
  const lab = exampleLab('seed-gateway');

  it('finds the node of a namespace, a LAN host included', () => {
    expect(nodeOfNamespace(lab, 'host')).toBe('host');
    expect(nodeOfNamespace(lab, 'blue')).toBe('blue');
    expect(nodeOfNamespace(lab, 'lan-pc')).toBe('lan');
    expect(nodeOfNamespace(lab, 'nowhere')).toBeNull();
  });

  it('finds the node holding an address', () => {
    expect(nodeOfAddress(lab, '192.168.15.2')).toBe('blue');
    expect(nodeOfAddress(lab, '192.168.15.5')).toBe('v-net-0');
    expect(nodeOfAddress(lab, '192.168.1.3')).toBe('lan');
    expect(nodeOfAddress(lab, 'not an address')).toBeNull();
  });

  it('goes from red to blue through the bridge', () => {
    expect(pingPath(lab, 'red', '192.168.15.2')).toEqual({
      nodes: ['red', 'v-net-0', 'blue'],
      links: ['red-br', 'blue-br'],
    });
  });

  it('goes from blue to the LAN through the bridge and the host that holds it', () => {
    expect(pingPath(lab, 'blue', '192.168.1.3')).toEqual({
      nodes: ['blue', 'v-net-0', 'host', 'lan'],
      links: ['blue-br', 'host-lan'],
    });
  });

  it('marks only the source when the target is not in the lab', () => {
    expect(pingPath(lab, 'red', '8.8.8.8')).toEqual({ nodes: ['red'], links: [] });
  });
});
