import { describe, expect, it } from 'vitest';
import { applyLinkLayer } from './LinkLayerFields';

describe('applyLinkLayer', () => {
  const end = { ifname: 'veth-red', addresses: [], up: true, mac: '02:00:00:00:00:01', mtu: 9000 };

  it('sets what changed and leaves the rest, as the same object when nothing did', () => {
    expect(applyLinkLayer(end, { mtu: 1400 })).toEqual({ ...end, mtu: 1400 });
    expect(applyLinkLayer(end, { up: false })).toEqual({ ...end, up: false });
    expect(applyLinkLayer(end, {})).toBe(end);
    expect(end.mtu).toBe(9000);
  });

  it('removes a field cleared back to the kernel’s choice', () => {
    const cleared = applyLinkLayer(end, { mac: undefined, mtu: undefined });
    expect(cleared).toEqual({ ifname: 'veth-red', addresses: [], up: true });
    expect('mac' in cleared || 'mtu' in cleared).toBe(false);
  });
});
