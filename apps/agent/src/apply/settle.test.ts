import { describe, expect, it } from 'vitest';
import { vethNames } from './settle';

describe('vethNames', () => {
  it('reads the names from ip -o link show, with or without a peer after @', () => {
    const text = [
      '5: veth-red-br@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master v-net-0',
      '    link/ether 8a:2f:97:56:bc:26 brd ff:ff:ff:ff:ff:ff link-netns red',
      '7: eth0@eth1: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN',
      '9: dummy0: <BROADCAST,NOARP> mtu 1500 qdisc noop state DOWN',
      '',
    ].join('\n');
    expect(vethNames(text)).toEqual(['veth-red-br', 'eth0', 'dummy0']);
  });
});
