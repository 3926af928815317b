import { describe, expect, it } from 'vitest';
import type { IssueCode, LabIssue } from './issue';
import { bridge, end, external, host, lab, namespace, SEED, seedLab, veth } from './fixtures';
import { validateLab } from './validate';

const issuesWith = (input: unknown, code: IssueCode): LabIssue[] =>
  validateLab(input).issues.filter((issue) => issue.code === code);

/** The seed lab without the host's MASQUERADE rule. */
const withoutNat = () => {
  const input = seedLab();
  input.nodes[SEED.host] = host({ ipForward: true });
  return input;
};

describe('hint-forward-off', () => {
  it('hints when a namespace routes through another namespace that does not forward', () => {
    const input = lab(
      [host(), namespace('pc'), namespace('router')],
      [
        veth('l1', end('pc', 'pc-r', '10.0.0.2/24'), end('router', 'r-pc', '10.0.0.1/24')),
        veth('l2', end('router', 'r-h', '10.0.1.1/24'), end('host', 'h-r', '10.0.1.2/24')),
      ],
    );
    input.nodes[1] = namespace('pc', { routes: [{ to: 'default', via: '10.0.0.1' }] });
    const [issue] = issuesWith(input, 'hint-forward-off');
    expect(issue).toMatchObject({ severity: 'hint', path: 'nodes[1].routes[0].via', nodeId: 'pc' });
    expect(issue?.message).toBe(
      "pc routes default via 10.0.0.1 (router), but router's ip_forward is off: turn it on so router passes packets on",
    );
    expect(validateLab(input).ok).toBe(true);
  });

  it('does not hint for a host route to the gateway itself', () => {
    const input = seedLab();
    input.nodes[SEED.host] = host({ nat: [{ kind: 'masquerade', source: '192.168.15.0/24' }] });
    input.nodes[SEED.blue] = namespace('blue', {
      routes: [{ to: '192.168.1.2/32', via: '192.168.15.5' }],
    });
    expect(issuesWith(input, 'hint-forward-off')).toEqual([]);
  });
});

describe('hint-no-way-back', () => {
  it('hints at the LAN host and at the route when nothing masquerades', () => {
    const issues = issuesWith(withoutNat(), 'hint-no-way-back');
    expect(issues.map((i) => [i.path, i.nodeId, i.severity])).toEqual([
      ['nodes[2].routes[0]', 'blue', 'hint'],
      ['nodes[4].hosts[0]', 'lan', 'hint'],
    ]);
  });

  it('counts a default route as a route to the LAN', () => {
    const input = withoutNat();
    input.nodes[SEED.blue] = namespace('blue', {
      routes: [{ to: 'default', via: '192.168.15.5' }],
    });
    expect(issuesWith(input, 'hint-no-way-back').map((i) => i.path)).toEqual([
      'nodes[2].routes[0]',
      'nodes[4].hosts[0]',
    ]);
  });

  it('does not hint when the LAN host has a gateway back', () => {
    const input = withoutNat();
    input.nodes[SEED.lan] = external('lan', '192.168.1.0/24', [
      { name: 'lan-pc', address: '192.168.1.3', gateway: '192.168.1.2' },
    ]);
    expect(issuesWith(input, 'hint-no-way-back')).toEqual([]);
  });

  it('does not hint when a MASQUERADE rule on the gateway covers the sources', () => {
    const input = seedLab();
    input.nodes[SEED.host] = host({
      ipForward: true,
      nat: [{ kind: 'masquerade', source: '192.168.0.0/16' }],
    });
    expect(issuesWith(input, 'hint-no-way-back')).toEqual([]);
  });

  it('does not hint for routes that do not lead to the LAN', () => {
    const input = withoutNat();
    input.nodes[SEED.blue] = namespace('blue', {
      routes: [{ to: '10.0.0.0/8', via: '192.168.15.5' }],
    });
    expect(issuesWith(input, 'hint-no-way-back')).toEqual([]);
  });
});

describe('hint-link-down', () => {
  it('hints at a veth end that is down, with the command that brings it up', () => {
    const input = seedLab();
    input.links![0] = veth('red-br', end('red', 'veth-red', '192.168.15.1/24'), {
      ...end('v-net-0', 'veth-red-br'),
      up: false,
    });
    const result = validateLab(input);
    expect(result.ok).toBe(true);
    const [issue] = result.issues.filter((i) => i.code === 'hint-link-down');
    expect(issue).toMatchObject({ severity: 'hint', path: 'links[0].b.up', linkId: 'red-br' });
    expect(issue?.message).toBe(
      'veth-red-br on the host is down, and an interface that is down passes nothing: set it up (ip link set veth-red-br up)',
    );
  });

  it('hints at a bridge that is down', () => {
    const input = seedLab();
    input.nodes[SEED.bridge] = bridge('v-net-0', { addresses: ['192.168.15.5/24'], up: false });
    const [issue] = issuesWith(input, 'hint-link-down');
    expect(issue).toMatchObject({ path: 'nodes[3].up', nodeId: 'v-net-0' });
    expect(issue?.message).toContain('(ip link set dev v-net-0 up)');
  });
});

describe('hint-no-address', () => {
  it('hints at a namespace with no interfaces', () => {
    const input = seedLab();
    input.nodes.push(namespace('green'));
    const [issue] = issuesWith(input, 'hint-no-address');
    expect(issue).toMatchObject({ severity: 'hint', path: 'nodes[5]', nodeId: 'green' });
    expect(issue?.message).toContain('green has no interfaces');
  });

  it('hints at a namespace whose interfaces have no address', () => {
    const input = seedLab();
    input.links![0] = veth('red-br', end('red', 'veth-red'), end('v-net-0', 'veth-red-br'));
    const [issue] = issuesWith(input, 'hint-no-address');
    expect(issue?.path).toBe('nodes[1]');
    expect(issue?.message).toContain('red has no address on veth-red');
  });

  it('counts a bridge inside the namespace as its interface', () => {
    const input = lab([
      host(),
      namespace('router'),
      bridge('sw', { namespace: 'router', addresses: ['10.0.0.1/24'] }),
    ]);
    expect(issuesWith(input, 'hint-no-address')).toEqual([]);
  });
});

describe('hint-nat-unattached', () => {
  it('hints at a MASQUERADE source that holds no address of the lab', () => {
    const input = seedLab();
    input.nodes[SEED.host] = host({
      ipForward: true,
      nat: [
        { kind: 'masquerade', source: '192.168.15.0/24' },
        { kind: 'masquerade', source: '10.99.0.0/16' },
      ],
    });
    const [issue] = issuesWith(input, 'hint-nat-unattached');
    expect(issue).toMatchObject({
      severity: 'hint',
      path: 'nodes[0].nat[1].source',
      nodeId: 'host',
    });
    expect(issue?.message).toBe(
      'MASQUERADE 10.99.0.0/16 on the host: no address in the lab is inside 10.99.0.0/16, so the rule never matches a packet: use the subnet of the namespaces whose packets should leave, e.g. 192.168.15.0/24',
    );
  });

  it('does not hint when a LAN host is inside the source', () => {
    const input = seedLab();
    input.nodes[SEED.host] = host({
      ipForward: true,
      nat: [
        { kind: 'masquerade', source: '192.168.15.0/24' },
        { kind: 'masquerade', source: '192.168.1.3/32' },
      ],
    });
    expect(issuesWith(input, 'hint-nat-unattached')).toEqual([]);
  });
});
