import { describe, expect, it } from 'vitest';
import type { IssueCode, LabIssue } from './issue';
import { bridge, end, external, host, lab, namespace, SEED, seedLab, veth } from './fixtures';
import { validateLab } from './validate';

const issuesWith = (input: unknown, code: IssueCode): LabIssue[] =>
  validateLab(input).issues.filter((issue) => issue.code === code);

/** The seed lab with red's end holding these addresses. */
const redWith = (...addresses: string[]) => {
  const input = seedLab();
  input.links![0] = veth(
    'red-br',
    end('red', 'veth-red', ...addresses),
    end('v-net-0', 'veth-red-br'),
  );
  return input;
};

describe('interface addresses', () => {
  it('asks for a prefix when an address has none, as the seed note does', () => {
    const [issue] = issuesWith(redWith('192.168.15.1'), 'address-invalid');
    expect(issue).toMatchObject({
      severity: 'error',
      path: 'links[0].a.addresses[0]',
      linkId: 'red-br',
    });
    expect(issue?.message).toBe(
      'veth-red on red: "192.168.15.1" has no prefix length; write 192.168.15.1/24',
    );
  });

  it('reports a prefix longer than the family allows', () => {
    const [issue] = issuesWith(redWith('192.168.15.1/33'), 'address-invalid');
    expect(issue?.message).toBe(
      'veth-red on red: "192.168.15.1/33": "33" is not a prefix length; IPv4 prefixes are 0 to 32, e.g. 192.168.15.1/24',
    );
  });

  it('reports an octet above 255', () => {
    const [issue] = issuesWith(redWith('192.168.300.1/24'), 'address-invalid');
    expect(issue?.message).toContain('300 is more than 255');
  });

  it('reports a bridge address that does not parse, at the bridge', () => {
    const input = seedLab();
    input.nodes[SEED.bridge] = bridge('v-net-0', { addresses: ['gateway'] });
    const [issue] = issuesWith(input, 'address-invalid');
    expect(issue).toMatchObject({ path: 'nodes[3].addresses[0]', nodeId: 'v-net-0' });
    expect(issue?.message).toMatch(/^v-net-0 on the host: "gateway" is not an IPv4 or IPv6/);
  });

  it('accepts IPv6 addresses', () => {
    expect(issuesWith(redWith('192.168.15.1/24', 'fd00::1/64'), 'address-invalid')).toEqual([]);
  });

  it('reports the network address of a subnet as an interface address', () => {
    const [issue] = issuesWith(redWith('192.168.15.0/24'), 'address-network');
    expect(issue).toMatchObject({ severity: 'error', path: 'links[0].a.addresses[0]' });
    expect(issue?.message).toBe(
      'veth-red on red: 192.168.15.0 is the network address of 192.168.15.0/24, not a host address: pick one from 192.168.15.1 to 192.168.15.254, e.g. 192.168.15.1/24',
    );
  });

  it('reports the broadcast address of a subnet as an interface address', () => {
    const [issue] = issuesWith(redWith('192.168.15.255/24'), 'address-network');
    expect(issue?.message).toContain('192.168.15.255 is the broadcast address');
  });

  it('accepts both addresses of a /31 and a .0 address inside a wider subnet', () => {
    expect(issuesWith(redWith('10.0.0.0/31', '172.16.1.0/16'), 'address-network')).toEqual([]);
  });

  it('reports one address on two interfaces, whatever the prefixes', () => {
    const input = seedLab();
    input.links![1] = veth(
      'blue-br',
      end('blue', 'veth-blue', '192.168.15.1/25'),
      end('v-net-0', 'veth-blue-br'),
    );
    const [issue] = issuesWith(input, 'address-duplicate');
    expect(issue).toMatchObject({
      severity: 'error',
      path: 'links[1].a.addresses[0]',
      linkId: 'blue-br',
    });
    expect(issue?.message).toBe(
      'veth-blue on blue: 192.168.15.1 is already on veth-red on red (links[0].a.addresses[0]); an address belongs to one interface, or ARP and routing break: pick another',
    );
  });

  it('reports an interface address already held by a LAN host', () => {
    const input = seedLab();
    input.links![2] = veth(
      'host-lan',
      end('host', 'veth-lan', '192.168.1.3/24'),
      end('lan', 'veth-lan-br'),
    );
    const [issue] = issuesWith(input, 'address-duplicate');
    expect(issue?.path).toBe('links[2].a.addresses[0]');
    expect(issue?.message).toContain('lan-pc-eth0 on lan-pc (nodes[4].hosts[0].address)');
  });

  it('accepts different addresses on one subnet', () => {
    expect(issuesWith(seedLab(), 'address-duplicate')).toEqual([]);
  });
});

describe('MAC addresses', () => {
  const withMacs = (a: string, b: string) => {
    const input = seedLab();
    input.links![0] = veth(
      'red-br',
      { ...end('red', 'veth-red', '192.168.15.1/24'), mac: a },
      { ...end('v-net-0', 'veth-red-br'), mac: b },
    );
    return input;
  };

  it('reports a MAC that is not six hex pairs', () => {
    const [issue] = issuesWith(withMacs('02:00:00:00:00', '02:00:00:00:00:02'), 'mac-invalid');
    expect(issue).toMatchObject({ severity: 'error', path: 'links[0].a.mac', linkId: 'red-br' });
    expect(issue?.message).toContain('"02:00:00:00:00" is not a MAC address');
  });

  it('reports a multicast MAC and offers a unicast one', () => {
    const [issue] = issuesWith(withMacs('01:00:5e:00:00:01', '02:00:00:00:00:02'), 'mac-invalid');
    expect(issue?.message).toContain('01:00:5e:00:00:01 is a multicast MAC');
    expect(issue?.message).toContain('e.g. 02:00:5e:00:00:01');
  });

  it('reports one MAC on two interfaces, ignoring case', () => {
    const [issue] = issuesWith(withMacs('02:AA:00:00:00:01', '02:aa:00:00:00:01'), 'mac-duplicate');
    expect(issue).toMatchObject({ severity: 'error', path: 'links[0].b.mac' });
    expect(issue?.message).toContain('02:aa:00:00:00:01 is already the MAC of veth-red on red');
  });

  it('accepts distinct unicast MACs', () => {
    const result = validateLab(withMacs('02:00:00:00:00:01', '02:00:00:00:00:02'));
    expect(result.issues).toEqual([]);
  });
});

describe('external LANs', () => {
  const withLan = (
    subnet: string,
    hosts: { name: string; address: string; gateway?: string }[],
  ) => {
    const input = seedLab();
    input.nodes[SEED.lan] = external('lan', subnet, hosts);
    return input;
  };

  it('reports a subnet with host bits and names the network', () => {
    const [issue] = issuesWith(withLan('192.168.1.5/24', []), 'external-invalid');
    expect(issue).toMatchObject({ severity: 'error', path: 'nodes[4].subnet', nodeId: 'lan' });
    expect(issue?.message).toBe(
      'LAN lan: the subnet 192.168.1.5/24 has host bits set; write 192.168.1.0/24',
    );
  });

  it('reports a subnet that is not CIDR as external-invalid', () => {
    const result = validateLab(withLan('192.168.1.0', []));
    expect(result.issues.map((i) => [i.code, i.path])).toEqual([
      ['external-invalid', 'nodes[4].subnet'],
    ]);
    expect(result.issues[0]?.message).toContain('write 192.168.1.0/24');
  });

  it('reports a LAN host outside the subnet', () => {
    const [issue] = issuesWith(
      withLan('192.168.1.0/24', [{ name: 'pc', address: '192.168.2.3', gateway: '192.168.1.2' }]),
      'external-invalid',
    );
    expect(issue?.path).toBe('nodes[4].hosts[0].address');
    expect(issue?.message).toContain("192.168.2.3 is outside the LAN's subnet 192.168.1.0/24");
  });

  it('reports a LAN host on the network or broadcast address', () => {
    const issues = issuesWith(
      withLan('192.168.1.0/24', [
        { name: 'pc1', address: '192.168.1.0', gateway: '192.168.1.2' },
        { name: 'pc2', address: '192.168.1.255', gateway: '192.168.1.2' },
      ]),
      'external-invalid',
    );
    expect(issues.map((i) => i.path)).toEqual([
      'nodes[4].hosts[0].address',
      'nodes[4].hosts[1].address',
    ]);
    expect(issues[0]?.message).toContain('the network address');
    expect(issues[1]?.message).toContain('the broadcast address');
  });

  it('asks for a LAN host address without a prefix', () => {
    const [issue] = issuesWith(
      withLan('192.168.1.0/24', [{ name: 'pc', address: '192.168.1.3/24' }]),
      'external-invalid',
    );
    expect(issue?.message).toContain('write its address without a prefix (192.168.1.3)');
  });

  it('reports a LAN host gateway outside the subnet', () => {
    const [issue] = issuesWith(
      withLan('192.168.1.0/24', [{ name: 'pc', address: '192.168.1.3', gateway: '192.168.15.5' }]),
      'external-invalid',
    );
    expect(issue?.path).toBe('nodes[4].hosts[0].gateway');
    expect(issue?.message).toContain('its gateway 192.168.15.5 is outside');
  });

  it('accepts a LAN host with a gateway on its subnet', () => {
    expect(
      validateLab(
        withLan('192.168.1.0/24', [{ name: 'pc', address: '192.168.1.3', gateway: '192.168.1.2' }]),
      ).issues,
    ).toEqual([]);
  });
});

describe('namespaces and the host on their own', () => {
  it("accepts a plain veth between two namespaces, the seed's first step", () => {
    const input = lab(
      [host(), namespace('red'), namespace('blue')],
      [
        veth(
          'l1',
          end('red', 'veth-red', '192.168.15.1/24'),
          end('blue', 'veth-blue', '192.168.15.2/24'),
        ),
      ],
    );
    expect(validateLab(input)).toMatchObject({ ok: true, issues: [] });
  });
});
