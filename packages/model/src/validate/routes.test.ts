import { describe, expect, it } from 'vitest';
import type { Route } from '../lab/schema';
import type { IssueCode, LabIssue } from './issue';
import { end, host, namespace, SEED, seedLab, veth } from './fixtures';
import { validateLab } from './validate';

const issuesWith = (input: unknown, code: IssueCode): LabIssue[] =>
  validateLab(input).issues.filter((issue) => issue.code === code);

type RouteInput = Partial<Route> & { to: string };

/** The seed lab with blue's routes replaced. */
const blueRoutes = (...routes: RouteInput[]) => {
  const input = seedLab();
  input.nodes[SEED.blue] = namespace('blue', { routes });
  return input;
};

/** The seed lab with the host's NAT rules replaced. */
const hostNat = (...nat: { source: string; outInterface?: string }[]) => {
  const input = seedLab();
  input.nodes[SEED.host] = host({
    ipForward: true,
    nat: nat.map((rule) => ({ kind: 'masquerade' as const, ...rule })),
  });
  return input;
};

describe('route destinations and gateways', () => {
  it('reports a destination with host bits and names the network', () => {
    const [issue] = issuesWith(
      blueRoutes({ to: '192.168.1.5/24', via: '192.168.15.5' }),
      'route-invalid',
    );
    expect(issue).toMatchObject({
      severity: 'error',
      path: 'nodes[2].routes[0].to',
      nodeId: 'blue',
    });
    expect(issue?.message).toBe(
      'Route 192.168.1.5/24 on blue: 192.168.1.5/24 has host bits; write 192.168.1.0/24',
    );
  });

  it('reports a destination without a prefix', () => {
    const [issue] = issuesWith(
      blueRoutes({ to: '192.168.1.0', via: '192.168.15.5' }),
      'route-invalid',
    );
    expect(issue?.message).toContain(
      'write 192.168.1.0/32 for this one host, or a network such as 192.168.1.0/24',
    );
  });

  it('reports a route with neither a gateway nor a device', () => {
    const [issue] = issuesWith(blueRoutes({ to: '192.168.1.0/24' }), 'route-invalid');
    expect(issue?.path).toBe('nodes[2].routes[0]');
    expect(issue?.message).toContain('a route needs a gateway ("via"');
  });

  it('reports a gateway that is not an address', () => {
    const [issue] = issuesWith(blueRoutes({ to: 'default', via: 'host' }), 'route-invalid');
    expect(issue?.path).toBe('nodes[2].routes[0].via');
    expect(issue?.message).toContain('"host" is not an IPv4 or IPv6 address');
  });

  it('reports a gateway of the other family', () => {
    const [issue] = issuesWith(
      blueRoutes({ to: '192.168.1.0/24', via: 'fd00::5' }),
      'route-invalid',
    );
    expect(issue?.path).toBe('nodes[2].routes[0].via');
    expect(issue?.message).toContain('is IPv6 but the destination is IPv4');
  });

  it('accepts default and network destinations', () => {
    const result = validateLab(
      blueRoutes(
        { to: '192.168.1.0/24', via: '192.168.15.5' },
        { to: 'default', via: '192.168.15.5' },
      ),
    );
    expect(result.issues.filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('reports a device that is not in the namespace and lists the ones that are', () => {
    const [issue] = issuesWith(
      blueRoutes({ to: '192.168.1.0/24', dev: 'veth-red' }),
      'route-dev-unknown',
    );
    expect(issue).toMatchObject({ severity: 'error', path: 'nodes[2].routes[0].dev' });
    expect(issue?.message).toBe(
      'Route 192.168.1.0/24 on blue: blue has no interface "veth-red"; its interfaces are veth-blue and lo',
    );
  });

  it("accepts the namespace's own interfaces and lo as devices", () => {
    const input = blueRoutes({ to: '10.1.0.0/24', dev: 'veth-blue' });
    input.nodes[SEED.red] = namespace('red', {
      loopback: true,
      routes: [{ to: '10.2.0.0/24', dev: 'lo' }],
    });
    expect(validateLab(input).issues.filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('reports a device that is down', () => {
    const input = blueRoutes({ to: '10.1.0.0/24', dev: 'veth-blue' });
    input.links![1] = veth(
      'blue-br',
      { ...end('blue', 'veth-blue', '192.168.15.2/24'), up: false },
      end('v-net-0', 'veth-blue-br'),
    );
    const [issue] = issuesWith(input, 'route-dev-down');
    expect(issue).toMatchObject({ severity: 'error', path: 'nodes[2].routes[0].dev' });
    expect(issue?.message).toContain('veth-blue is down');
  });

  it('reports a gateway reached through an interface that is down', () => {
    const input = seedLab();
    input.links![1] = veth(
      'blue-br',
      { ...end('blue', 'veth-blue', '192.168.15.2/24'), up: false },
      end('v-net-0', 'veth-blue-br'),
    );
    const [issue] = issuesWith(input, 'route-dev-down');
    expect(issue?.path).toBe('nodes[2].routes[0].via');
    expect(issue?.message).toContain(
      'the gateway 192.168.15.5 is reached through veth-blue, which is down',
    );
  });

  it('reports a route through lo while loopback is off', () => {
    const input = blueRoutes({ to: '10.1.0.0/24', dev: 'lo' });
    expect(issuesWith(input, 'route-dev-down').map((i) => i.path)).toEqual([
      'nodes[2].routes[0].dev',
    ]);
  });

  it('reports a gateway on no connected subnet', () => {
    const [issue] = issuesWith(
      blueRoutes({ to: '192.168.1.0/24', via: '192.168.1.2' }),
      'route-gateway-unreachable',
    );
    expect(issue).toMatchObject({
      severity: 'error',
      path: 'nodes[2].routes[0].via',
      nodeId: 'blue',
    });
    expect(issue?.message).toBe(
      'Route 192.168.1.0/24 on blue: the gateway 192.168.1.2 is on no subnet of blue; blue has 192.168.15.2/24 on veth-blue: use a gateway on one of these subnets',
    );
  });

  it("reports a gateway that is the namespace's own address", () => {
    const [issue] = issuesWith(
      blueRoutes({ to: '192.168.1.0/24', via: '192.168.15.2' }),
      'route-gateway-unreachable',
    );
    expect(issue?.message).toContain('is an address of blue itself');
  });

  it('checks the gateway against the given device only', () => {
    const input = seedLab();
    input.nodes[SEED.host] = host({
      ipForward: true,
      nat: [{ kind: 'masquerade', source: '192.168.15.0/24' }],
      routes: [{ to: '10.9.0.0/24', via: '192.168.15.1', dev: 'veth-lan' }],
    });
    const [issue] = issuesWith(input, 'route-gateway-unreachable');
    expect(issue?.path).toBe('nodes[0].routes[0].via');
    expect(issue?.message).toContain('is on no subnet of veth-lan');
  });

  it('accepts a gateway reached through an on-link route', () => {
    const input = blueRoutes(
      { to: '10.1.0.0/24', dev: 'veth-blue' },
      { to: '10.2.0.0/24', via: '10.1.0.1' },
    );
    expect(issuesWith(input, 'route-gateway-unreachable')).toEqual([]);
  });

  it('reports two routes to one destination with one metric', () => {
    const [issue] = issuesWith(
      blueRoutes(
        { to: '192.168.1.0/24', via: '192.168.15.5' },
        { to: '192.168.1.0/24', via: '192.168.15.1' },
      ),
      'route-duplicate',
    );
    expect(issue).toMatchObject({ severity: 'error', path: 'nodes[2].routes[1]' });
    expect(issue?.message).toContain('routes[0] already goes to 192.168.1.0/24 with metric 0');
  });

  it('accepts two routes to one destination with different metrics', () => {
    const input = blueRoutes(
      { to: '192.168.1.0/24', via: '192.168.15.5' },
      { to: '192.168.1.0/24', via: '192.168.15.1', metric: 100 },
    );
    expect(issuesWith(input, 'route-duplicate')).toEqual([]);
  });

  it('reports a route to a subnet the kernel already routes as connected', () => {
    const [issue] = issuesWith(
      blueRoutes({ to: '192.168.15.0/24', dev: 'veth-blue' }),
      'route-duplicate',
    );
    expect(issue?.path).toBe('nodes[2].routes[0]');
    expect(issue?.message).toContain(
      'the kernel already has this route, because veth-blue holds 192.168.15.2/24',
    );
  });
});

describe('NAT rules', () => {
  it('reports a source with host bits', () => {
    const [issue] = issuesWith(hostNat({ source: '192.168.15.1/24' }), 'nat-invalid');
    expect(issue).toMatchObject({
      severity: 'error',
      path: 'nodes[0].nat[0].source',
      nodeId: 'host',
    });
    expect(issue?.message).toBe(
      'MASQUERADE 192.168.15.1/24 on the host: 192.168.15.1/24 has host bits; write 192.168.15.0/24',
    );
  });

  it('reports a source that is not CIDR', () => {
    const [issue] = issuesWith(hostNat({ source: 'red' }), 'nat-invalid');
    expect(issue?.message).toContain('"red" is not an IPv4 or IPv6 address');
  });

  it('reports an out-interface that is not in the namespace', () => {
    const [issue] = issuesWith(
      hostNat({ source: '192.168.15.0/24', outInterface: 'eth0' }),
      'nat-out-unknown',
    );
    expect(issue).toMatchObject({ severity: 'error', path: 'nodes[0].nat[0].outInterface' });
    expect(issue?.message).toContain(
      'the host has no interface "eth0"; its interfaces are v-net-0',
    );
  });

  it('accepts an out-interface of the namespace, or an iptables wildcard that matches one', () => {
    const input = hostNat(
      { source: '192.168.15.0/24', outInterface: 'veth-lan' },
      { source: '192.168.15.0/24', outInterface: 'veth-l+' },
    );
    expect(validateLab(input).issues).toEqual([]);
  });

  it('reports the same rule twice', () => {
    const [issue] = issuesWith(
      hostNat({ source: '192.168.15.0/24' }, { source: '192.168.15.0/24' }),
      'nat-duplicate',
    );
    expect(issue).toMatchObject({ severity: 'error', path: 'nodes[0].nat[1]' });
    expect(issue?.message).toContain('nat[0] is the same rule');
  });
});
