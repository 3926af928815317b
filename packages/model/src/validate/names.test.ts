import { describe, expect, it } from 'vitest';
import type { IssueCode, LabIssue } from './issue';
import { bridge, end, external, host, lab, namespace, SEED, seedLab, veth } from './fixtures';
import { validateLab } from './validate';

const issuesWith = (input: unknown, code: IssueCode): LabIssue[] =>
  validateLab(input).issues.filter((issue) => issue.code === code);

/** Two namespaces joined by one veth with these end names. */
const pair = (a: string, b: string) =>
  lab(
    [host(), namespace('red'), namespace('blue')],
    [veth('l1', end('red', a, '10.0.0.1/24'), end('blue', b, '10.0.0.2/24'))],
  );

describe('kernel names', () => {
  it('reports an interface name longer than 15 bytes, with its path and a shorter name', () => {
    const [issue] = issuesWith(pair('veth-red-bridge-1', 'veth-blue'), 'name-too-long');
    expect(issue).toMatchObject({
      severity: 'error',
      path: 'links[0].a.ifname',
      linkId: 'l1',
    });
    expect(issue?.message).toMatch(
      /^"veth-red-bridge-1" is 17 bytes; Linux interface names are at most 15\./,
    );
    expect(issue?.message).toContain('end a of link l1');
    expect(issue?.message).toContain('shorten it, e.g. to "veth-red-bridge"');
  });

  it('accepts a name of exactly 15 bytes', () => {
    expect(issuesWith(pair('veth-red-bridge', 'veth-blue'), 'name-too-long')).toEqual([]);
  });

  it('counts bytes, not characters', () => {
    const [issue] = issuesWith(pair('vethé', 'veth-blue'), 'name-character');
    expect(issue?.path).toBe('links[0].a.ifname');
  });

  it('reports an empty interface name', () => {
    const [issue] = issuesWith(pair('', 'veth-blue'), 'name-empty');
    expect(issue).toMatchObject({ severity: 'error', path: 'links[0].a.ifname' });
    expect(issue?.message).toBe(
      'The name of end a of link l1 is empty; give it a name of 1 to 15 characters',
    );
  });

  it('reports "." and ".." as names', () => {
    const [issue] = issuesWith(lab([host(), namespace('n1', { name: '..' })]), 'name-dot');
    expect(issue).toMatchObject({ severity: 'error', path: 'nodes[1].name', nodeId: 'n1' });
    expect(issue?.message).toContain('".." is not allowed as a name');
  });

  it('reports a slash, a space or a colon in a name', () => {
    const issues = issuesWith(
      lab([host(), bridge('b1', { name: 'br/0' }), namespace('n1', { name: 'my ns' })]),
      'name-character',
    );
    expect(issues.map((i) => i.path)).toEqual(['nodes[1].name', 'nodes[2].name']);
    expect(issues[0]?.message).toContain('"br/0" contains "/"');
    expect(issues[0]?.message).toContain('the bridge of node b1');
  });

  it('reports a name that starts with a dash', () => {
    const [issue] = issuesWith(
      lab([host(), namespace('n1', { name: '-red' })]),
      'name-leading-dash',
    );
    expect(issue).toMatchObject({ severity: 'error', path: 'nodes[1].name' });
    expect(issue?.message).toContain('starts with "-"');
  });

  it('reports iproute2 keywords and their prefixes', () => {
    const issues = issuesWith(
      lab([host(), namespace('n1', { name: 'up' }), namespace('n2', { name: 'de' })]),
      'name-keyword',
    );
    expect(issues.map((i) => i.path)).toEqual(['nodes[1].name', 'nodes[2].name']);
    expect(issues[0]?.message).toContain('"up" is an iproute2 keyword');
    expect(issues[1]?.message).toContain('"de" is a prefix of the iproute2 keyword');
  });

  it('checks the names of external LANs and their hosts', () => {
    const issues = validateLab(
      lab([
        host(),
        external('lan', '192.168.1.0/24', [{ name: '-pc', address: '192.168.1.3' }], {
          name: 'lan 1',
        }),
      ]),
    ).issues;
    expect(issues.map((i) => [i.code, i.path])).toEqual([
      ['name-leading-dash', 'nodes[1].hosts[0].name'],
      ['name-character', 'nodes[1].name'],
    ]);
  });

  it('reports a LAN host whose derived interface name is too long, at the host name', () => {
    const input = seedLab();
    input.nodes[SEED.lan] = external('lan', '192.168.1.0/24', [
      { name: 'lan-pc-number1', address: '192.168.1.3', gateway: '192.168.1.2' },
    ]);
    const [issue] = issuesWith(input, 'name-too-long');
    expect(issue).toMatchObject({
      severity: 'error',
      path: 'nodes[4].hosts[0].name',
      nodeId: 'lan',
    });
    expect(issue?.message).toContain('"lan-pc-number1-eth0" is 19 bytes');
    expect(issue?.message).toContain('shorten the host name to 10 bytes or fewer');
  });

  it('accepts a LAN host name whose derived names fit', () => {
    const input = seedLab();
    input.nodes[SEED.lan] = external('lan', '192.168.1.0/24', [
      { name: 'lan-pc-no1', address: '192.168.1.3', gateway: '192.168.1.2' },
    ]);
    expect(validateLab(input).issues).toEqual([]);
  });
});

describe('reserved names', () => {
  it('reports a namespace, a LAN or a LAN host named "host"', () => {
    const issues = issuesWith(
      lab([
        host(),
        namespace('n1', { name: 'host' }),
        external('lan', '192.168.1.0/24', [{ name: 'host', address: '192.168.1.3' }]),
        external('lan2', '192.168.2.0/24', [], { name: 'host' }),
      ]),
      'name-reserved',
    );
    expect(issues.map((i) => [i.path, i.severity])).toEqual([
      ['nodes[1].name', 'error'],
      ['nodes[2].hosts[0].name', 'error'],
      ['nodes[3].name', 'error'],
    ]);
    expect(issues[0]?.message).toContain('"host" is the name netns-lab gives the machine\'s own');
  });

  it('reports an interface named "lo" as reserved, not as a keyword', () => {
    const result = validateLab(pair('lo', 'veth-blue'));
    expect(result.issues.filter((i) => i.code === 'name-reserved').map((i) => i.path)).toEqual([
      'links[0].a.ifname',
    ]);
    expect(result.issues.filter((i) => i.code === 'name-keyword')).toEqual([]);
  });

  it('accepts a namespace called "lo1" and an interface called "host1"', () => {
    const input = lab(
      [host(), namespace('lo1'), namespace('blue')],
      [veth('l1', end('lo1', 'host1', '10.0.0.1/24'), end('blue', 'veth-blue', '10.0.0.2/24'))],
    );
    expect(validateLab(input).issues).toEqual([]);
  });
});

describe('duplicate names', () => {
  it('reports two namespace nodes with one name', () => {
    const [issue] = issuesWith(
      lab([host(), namespace('red'), namespace('red2', { name: 'red' })]),
      'name-duplicate',
    );
    expect(issue).toMatchObject({ severity: 'error', path: 'nodes[2].name', nodeId: 'red2' });
    expect(issue?.message).toBe(
      '"red" already names the namespace of node red (nodes[1].name); two namespaces cannot share a name: rename the namespace of node red2',
    );
  });

  it('reports a LAN host named like a namespace', () => {
    const input = seedLab();
    input.nodes[SEED.lan] = external('lan', '192.168.1.0/24', [
      { name: 'red', address: '192.168.1.3' },
    ]);
    const [issue] = issuesWith(input, 'name-duplicate');
    expect(issue?.path).toBe('nodes[4].hosts[0].name');
  });

  it('reports two interfaces with one name in one namespace', () => {
    const input = seedLab();
    input.nodes.push(bridge('v-net-1', { addresses: ['10.1.0.1/24'] }));
    input.links?.push(
      veth('red-br1', end('red', 'veth-red', '10.1.0.2/24'), end('v-net-1', 'vr1')),
    );
    const [issue] = issuesWith(input, 'name-duplicate');
    expect(issue).toMatchObject({
      severity: 'error',
      path: 'links[3].a.ifname',
      linkId: 'red-br1',
    });
    expect(issue?.message).toBe(
      '"veth-red" already names end a of link red-br (links[0].a) in the namespace red; two interfaces in one namespace cannot share a name (in different namespaces they can): rename end a of link red-br1 (links[3].a)',
    );
  });

  it("reports a LAN port named like the LAN's switch br0", () => {
    const input = seedLab();
    input.links![2] = veth(
      'host-lan',
      end('host', 'veth-lan', '192.168.1.2/24'),
      end('lan', 'br0'),
    );
    const [issue] = issuesWith(input, 'name-duplicate');
    expect(issue?.path).toBe('links[2].b.ifname');
    expect(issue?.message).toContain('the switch of the LAN lan (nodes[4]) in the namespace lan');
  });

  it('reports a bridge port named like its bridge, both in the host', () => {
    const input = seedLab();
    input.links![0] = veth(
      'red-br',
      end('red', 'veth-red', '192.168.15.1/24'),
      end('v-net-0', 'v-net-0'),
    );
    const issues = issuesWith(input, 'name-duplicate');
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({
      severity: 'error',
      path: 'links[0].b.ifname',
      linkId: 'red-br',
    });
    expect(issues[0]?.message).toBe(
      '"v-net-0" already names the bridge v-net-0 (nodes[3]) in the host; two interfaces in one namespace cannot share a name (in different namespaces they can): rename end b of link red-br (links[0].b)',
    );
  });

  it('reports the two ends of one veth with one name when both are in one namespace', () => {
    const input = lab(
      [host(), namespace('red')],
      [veth('loop', end('red', 'eth0', '10.0.0.1/24'), end('red', 'eth0', '10.0.1.1/24'))],
    );
    const [issue] = issuesWith(input, 'name-duplicate');
    expect(issue).toMatchObject({ path: 'links[0].b.ifname', linkId: 'loop' });
    expect(issue?.message).toContain('"eth0" already names end a of link loop (links[0].a)');
    expect(issue?.message).toContain('in the namespace red');
  });

  it('accepts eth0 in every namespace, as in containers', () => {
    const input = lab(
      [host(), namespace('red'), namespace('blue'), bridge('v-net-0')],
      [
        veth('red-br', end('red', 'eth0', '192.168.15.1/24'), end('v-net-0', 'veth-red-br')),
        veth('blue-br', end('blue', 'eth0', '192.168.15.2/24'), end('v-net-0', 'veth-blue-br')),
      ],
    );
    expect(validateLab(input).issues).toEqual([]);
  });

  it('accepts the two ends of one veth with one name in two namespaces', () => {
    expect(validateLab(pair('eth0', 'eth0')).issues).toEqual([]);
  });

  it("accepts a namespace's interface named like a host-side end or a bridge", () => {
    const input = seedLab();
    input.links![0] = veth(
      'red-br',
      end('red', 'v-net-0', '192.168.15.1/24'),
      end('v-net-0', 'veth-blue'),
    );
    input.links![1] = veth(
      'blue-br',
      end('blue', 'veth-blue', '192.168.15.2/24'),
      end('v-net-0', 'veth-blue-br'),
    );
    expect(validateLab(input).issues).toEqual([]);
  });

  it("accepts a LAN host's derived names in another namespace", () => {
    const input = seedLab();
    input.links![0] = veth(
      'red-br',
      end('red', 'lan-pc-eth0', '192.168.15.1/24'),
      end('v-net-0', 'lan-pc-p'),
    );
    expect(validateLab(input).issues).toEqual([]);
  });

  it('accepts bridges with one name in two namespaces, which are made where they live', () => {
    const input = lab([
      host(),
      namespace('red'),
      namespace('blue'),
      bridge('b1', { name: 'sw', namespace: 'red', addresses: ['10.0.0.1/24'] }),
      bridge('b2', { name: 'sw', namespace: 'blue', addresses: ['10.0.1.1/24'] }),
    ]);
    expect(issuesWith(input, 'name-duplicate')).toEqual([]);
  });

  it('reports two LAN hosts with one name once', () => {
    const input = seedLab();
    input.nodes[SEED.lan] = external('lan', '192.168.1.0/24', [
      { name: 'pc', address: '192.168.1.3', gateway: '192.168.1.2' },
      { name: 'pc', address: '192.168.1.4', gateway: '192.168.1.2' },
    ]);
    expect(issuesWith(input, 'name-duplicate').map((i) => i.path)).toEqual([
      'nodes[4].hosts[1].name',
    ]);
  });
});
