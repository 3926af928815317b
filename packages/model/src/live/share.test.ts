import { describe, expect, it } from 'vitest';
import { sameTables, shareUnchangedState } from './share';
import type { LiveLink, NamespaceState } from './state';

const link = (ifname: string, ifindex: number, extra: Partial<LiveLink> = {}): LiveLink => ({
  ifname,
  ifindex,
  state: 'UP',
  adminUp: true,
  kind: 'veth',
  ...extra,
});

/** A fresh read of the host of a small class lab (new objects each time, as parsed JSON is). */
function read(options: { down?: string; extraAddress?: boolean; readAt?: number } = {}) {
  const state: NamespaceState = {
    ns: 'host',
    links: ['veth0-br', 'veth1-br', 'veth2-br'].map((name, i) =>
      link(name, i + 2, {
        master: 'v-net-0',
        ...(name === options.down ? { adminUp: false, state: 'DOWN' } : {}),
      }),
    ),
    addresses: [{ ifname: 'v-net-0', cidr: '192.168.15.5/24', family: 4 }],
    routes: [{ to: '192.168.15.0/24', dev: 'v-net-0', family: 4, protocol: 'kernel' }],
    neighbours: [],
    fdb: [{ mac: '02:00:00:00:00:01', port: 'veth0-br', bridge: 'v-net-0', permanent: false }],
    ipForward: false,
    nat: [],
    readAt: options.readAt ?? 1,
  };
  if (options.extraAddress)
    state.addresses.push({ ifname: 'v-net-0', cidr: '10.0.0.1/8', family: 4 });
  return state;
}

describe('shareUnchangedState', () => {
  it('keeps the previous read itself, table by table, when nothing changed but the time', () => {
    const first = read();
    const second = shareUnchangedState(first, read({ readAt: 2 }));
    expect(second).toEqual(read({ readAt: 2 }));
    expect(second.links).toBe(first.links);
    expect(second.addresses).toBe(first.addresses);
    expect(second.fdb).toBe(first.fdb);
    expect(second.readAt).toBe(2);
    expect(sameTables(first, second)).toBe(true);
  });

  it('keeps the unchanged links of a changed link table, and gives the changed one as read', () => {
    const first = read();
    const next = read({ down: 'veth1-br' });
    const second = shareUnchangedState(first, next);
    expect(second).toEqual(next);
    expect(second.links).not.toBe(first.links);
    expect(second.links[0]).toBe(first.links[0]);
    expect(second.links[1]).toBe(next.links[1]);
    expect(second.links[2]).toBe(first.links[2]);
    expect(sameTables(first, second)).toBe(false);
  });

  it('gives a changed table as read and keeps the others', () => {
    const first = read();
    const next = read({ extraAddress: true });
    const second = shareUnchangedState(first, next);
    expect(second.addresses).toBe(next.addresses);
    expect(second.routes).toBe(first.routes);
    expect(sameTables(first, second)).toBe(false);
  });

  it('shares nothing with no previous read or with another namespace', () => {
    const next = read();
    expect(shareUnchangedState(undefined, next)).toBe(next);
    const other = { ...read(), ns: 'red' };
    expect(shareUnchangedState(other, next).links).toBe(next.links);
  });

  it('tells ip_forward apart', () => {
    const first = read();
    const second = shareUnchangedState(first, { ...read(), ipForward: true });
    expect(sameTables(first, second)).toBe(false);
  });
});
