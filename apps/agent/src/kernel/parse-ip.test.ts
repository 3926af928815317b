import { describe, expect, it } from 'vitest';
import {
  linkNsids,
  parseAddresses,
  parseFdb,
  parseJsonArray,
  parseLinks,
  parseNeighbours,
  parseNsidList,
  parseRoutes,
} from './parse-ip';

// Captured from iproute2 6.1 (`ip -d -j addr show` in the seed's bridge lab, trimmed).
const ADDR =
  `[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK"],"mtu":65536,"operstate":"DOWN","link_type":"loopback","address":"00:00:00:00:00:00","addr_info":[]},
{"ifindex":2,"ifname":"v-net-0","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"operstate":"UP","link_type":"ether","address":"0a:d3:b0:96:d3:27","linkinfo":{"info_kind":"bridge","info_data":{"hello_timer":0.00}},"addr_info":[{"family":"inet","local":"192.168.15.5","prefixlen":24,"scope":"global","label":"v-net-0"},{"family":"inet6","local":"fe80::50f3:8eff:fee1:47fa","prefixlen":64,"scope":"link"}]},
{"ifindex":3,"link_index":4,"ifname":"veth-red-br","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"master":"v-net-0","operstate":"UP","link_type":"ether","address":"8e:d9:61:ff:2f:5d","link_netnsid":0,"linkinfo":{"info_kind":"veth","info_slave_kind":"bridge"},"addr_info":[]},
{"ifindex":5,"link_index":6,"ifname":"veth-blue-br","flags":["BROADCAST","MULTICAST"],"mtu":1500,"master":"v-net-0","operstate":"DOWN","link_type":"ether","address":"0a:d3:b0:96:d3:27","link_netnsid":7,"linkinfo":{"info_kind":"veth"},"addr_info":[]},
{"ifindex":8,"link":"local-b","ifname":"local-a","flags":["BROADCAST"],"operstate":"DOWN","link_type":"ether","address":"aa:aa:aa:aa:aa:aa","linkinfo":{"info_kind":"veth"},"addr_info":[]},
{"ifindex":9,"link":"local-a","ifname":"local-b","flags":["BROADCAST"],"operstate":"DOWN","link_type":"ether","address":"bb:bb:bb:bb:bb:bb","linkinfo":{"info_kind":"veth"},"addr_info":[]}]`.replace(
    /\n/g,
    '',
  );

describe('parsing ip -j output', () => {
  it('maps links with their kind, master, and veth peer (index and namespace)', () => {
    const entries = parseJsonArray(ADDR);
    expect(linkNsids(entries)).toEqual([0, 7]);
    const links = parseLinks(entries, new Map([[0, 'red']]));
    expect(links[0]).toEqual({
      ifname: 'lo',
      ifindex: 1,
      state: 'DOWN',
      adminUp: false,
      mac: '00:00:00:00:00:00',
      mtu: 65536,
      kind: 'loopback',
    });
    expect(links[1]).toMatchObject({ ifname: 'v-net-0', kind: 'bridge', adminUp: true });
    expect(links[2]).toMatchObject({
      ifname: 'veth-red-br',
      master: 'v-net-0',
      peerIfindex: 4,
      peerNamespace: 'red',
    });
    // An nsid with no known name: the peer's namespace stays absent rather than guessed.
    expect(links[3]).toMatchObject({ ifname: 'veth-blue-br', peerIfindex: 6 });
    expect(links[3]).not.toHaveProperty('peerNamespace');
    // A pair inside one namespace names its peer by name.
    expect(links[4]).toMatchObject({ ifname: 'local-a', peerIfindex: 9 });
    expect(links[4]).not.toHaveProperty('peerNamespace');
  });

  it('lists every address with its family and scope', () => {
    expect(parseAddresses(parseJsonArray(ADDR))).toEqual([
      { ifname: 'v-net-0', cidr: '192.168.15.5/24', family: 4, scope: 'global' },
      { ifname: 'v-net-0', cidr: 'fe80::50f3:8eff:fee1:47fa/64', family: 6, scope: 'link' },
    ]);
  });

  it('keeps main-table routes of both families, telling IPv6 by its preference', () => {
    const routes = parseRoutes(
      parseJsonArray(
        JSON.stringify([
          { dst: 'default', gateway: '192.168.15.5', dev: 'veth-blue', flags: [] },
          {
            dst: '192.168.15.0/24',
            dev: 'veth-blue',
            protocol: 'kernel',
            scope: 'link',
            prefsrc: '192.168.15.2',
          },
          { dst: '10.1.2.3', dev: 'veth-blue', metric: 5 },
          { type: 'blackhole', dst: '10.66.0.0/16', flags: [] },
          {
            type: 'local',
            dst: '192.168.15.2',
            dev: 'veth-blue',
            table: 'local',
            protocol: 'kernel',
          },
          { dst: 'fe80::/64', dev: 'veth-blue', protocol: 'kernel', metric: 256, pref: 'medium' },
          { dst: 'default', dev: 'veth-blue', metric: 1024, pref: 'medium' },
          { dst: '10.9.0.0/16', dev: 'x', table: '100' },
        ]),
      ),
    );
    expect(routes).toEqual([
      { to: 'default', via: '192.168.15.5', dev: 'veth-blue', family: 4 },
      {
        to: '192.168.15.0/24',
        dev: 'veth-blue',
        protocol: 'kernel',
        scope: 'link',
        src: '192.168.15.2',
        family: 4,
      },
      { to: '10.1.2.3/32', dev: 'veth-blue', metric: 5, family: 4 },
      { to: '10.66.0.0/16', family: 4 },
      { to: 'fe80::/64', dev: 'veth-blue', protocol: 'kernel', metric: 256, family: 6 },
      { to: 'default', dev: 'veth-blue', metric: 1024, family: 6 },
    ]);
  });

  it('maps neighbours with their MAC and first state', () => {
    expect(
      parseNeighbours(
        parseJsonArray(
          '[{"dst":"192.168.15.2","dev":"veth-red","lladdr":"16:a9:15:91:03:a2","state":["REACHABLE"]},{"dst":"192.168.15.9","dev":"veth-red","state":["FAILED"]}]',
        ),
      ),
    ).toEqual([
      { address: '192.168.15.2', dev: 'veth-red', mac: '16:a9:15:91:03:a2', state: 'REACHABLE' },
      { address: '192.168.15.9', dev: 'veth-red', state: 'FAILED' },
    ]);
  });

  it('keeps only bridge ports’ forwarding entries', () => {
    const fdb = parseFdb(
      parseJsonArray(
        JSON.stringify([
          { mac: '33:33:00:00:00:01', ifname: 'v-net-0', flags: ['self'], state: 'permanent' },
          {
            mac: 'fa:e6:df:ec:0c:a0',
            ifname: 'veth-red-br',
            flags: [],
            master: 'v-net-0',
            state: '',
          },
          {
            mac: 'a6:92:17:bb:42:ca',
            ifname: 'veth-red-br',
            vlan: 1,
            master: 'v-net-0',
            state: 'permanent',
          },
          { mac: '01:00:5e:00:00:01', ifname: 'veth-red-br', flags: ['self'], state: 'permanent' },
        ]),
      ),
    );
    expect(fdb).toEqual([
      { mac: 'fa:e6:df:ec:0c:a0', port: 'veth-red-br', bridge: 'v-net-0', permanent: false },
      {
        mac: 'a6:92:17:bb:42:ca',
        port: 'veth-red-br',
        bridge: 'v-net-0',
        permanent: true,
        vlan: 1,
      },
    ]);
  });

  it('reads nsid names and treats empty output as an empty list', () => {
    expect(parseNsidList('[{"nsid":0,"name":"blue"},{"nsid":1}]')).toEqual(new Map([[0, 'blue']]));
    expect(parseJsonArray('')).toEqual([]);
    expect(() => parseJsonArray('{"not":"a list"}')).toThrow();
  });
});
