import { describe, expect, it } from 'vitest';
import { ISSUE_CODES, type IssueCode, type LabIssue } from './issue';
import {
  bridge,
  bridgeLab,
  end,
  external,
  host,
  lab,
  namespace,
  SEED,
  seedLab,
  veth,
} from './fixtures';
import { validateLab } from './validate';

const issuesWith = (input: unknown, code: IssueCode): LabIssue[] =>
  validateLab(input).issues.filter((issue) => issue.code === code);

describe('validateLab on the seed lab', () => {
  it('accepts the seed bridge lab without errors or hints', () => {
    const result = validateLab(seedLab());
    expect(result.ok).toBe(true);
    expect(result.issues).toEqual([]);
    expect(result.lab?.nodes).toHaveLength(5);
  });

  it('fills defaults in the lab it returns', () => {
    const result = validateLab(seedLab());
    const red = result.lab?.nodes[SEED.red];
    expect(red).toMatchObject({ kind: 'namespace', loopback: false, routes: [], nat: [] });
    expect(result.lab?.layout).toEqual({ nodes: {} });
  });

  it('hints that the LAN cannot answer once the host stops masquerading', () => {
    const input = seedLab();
    input.nodes[SEED.host] = host({ ipForward: true });
    const result = validateLab(input);
    expect(result.ok).toBe(true);
    const hints = result.issues.filter((i) => i.code === 'hint-no-way-back');
    expect(hints.map((h) => h.path)).toEqual(['nodes[2].routes[0]', 'nodes[4].hosts[0]']);
    expect(hints.every((h) => h.severity === 'hint')).toBe(true);
    const atHost = hints.find((h) => h.path === 'nodes[4].hosts[0]');
    expect(atHost?.nodeId).toBe('lan');
    expect(atHost?.message).toContain(
      'lan-pc (192.168.1.3) has no route back to 192.168.15.0/24 and no MASQUERADE on the host covers it: replies from the LAN will be lost',
    );
    const atRoute = hints.find((h) => h.path === 'nodes[2].routes[0]');
    expect(atRoute?.nodeId).toBe('blue');
    expect(atRoute?.message).toMatch(/^blue routes 192\.168\.1\.0\/24 via 192\.168\.15\.5/);
  });

  it('hints that forwarding is off when the host is the gateway and ip_forward is off', () => {
    const input = seedLab();
    input.nodes[SEED.host] = host({
      ipForward: false,
      nat: [{ kind: 'masquerade', source: '192.168.15.0/24' }],
    });
    const result = validateLab(input);
    expect(result.ok).toBe(true);
    expect(result.issues).toEqual([
      {
        severity: 'hint',
        code: 'hint-forward-off',
        path: 'nodes[2].routes[0].via',
        nodeId: 'blue',
        message:
          "blue routes 192.168.1.0/24 via 192.168.15.5 (the host), but the host's ip_forward is off: turn it on so the host passes packets on",
      },
    ]);
  });

  it('does not hint at forwarding when the gateway forwards', () => {
    expect(issuesWith(seedLab(), 'hint-forward-off')).toEqual([]);
  });

  it('validates a 1000-namespace single-bridge lab', () => {
    const result = validateLab(bridgeLab(1000));
    expect(result.ok).toBe(true);
    expect(result.issues).toEqual([]);
  });
});

describe('validateLab on a document of the wrong shape', () => {
  it('reports a missing interface name and a missing link end with their paths', () => {
    const result = validateLab({
      version: 1,
      nodes: [{ kind: 'host', id: 'host' }],
      links: [{ id: 'l1', a: { node: 'host' } }],
    });
    expect(result.ok).toBe(false);
    expect(result.lab).toBeNull();
    expect(result.issues.map((i) => [i.code, i.path, i.severity])).toEqual([
      ['schema', 'links[0].a.ifname', 'error'],
      ['schema', 'links[0].b', 'error'],
    ]);
    expect(result.issues[0]?.message).toBe('links[0].a.ifname is missing; it should be text');
    expect(result.issues[0]?.linkId).toBe('l1');
    expect(result.issues[1]?.message).toContain('should be an object');
  });

  it('names the kinds a node may have', () => {
    const [issue] = validateLab({ version: 1, nodes: [{ kind: 'router', id: 'r1' }] }).issues;
    expect(issue?.path).toBe('nodes[0].kind');
    expect(issue?.nodeId).toBe('r1');
    expect(issue?.message).toContain('"host" or "namespace" or "bridge" or "external"');
    expect(issue?.message).toContain('the text "router"');
  });

  it('reports fields the lab format does not know', () => {
    const [issue] = validateLab({
      version: 1,
      nodes: [{ kind: 'host', id: 'host', ip: 1 }],
    }).issues;
    expect(issue?.code).toBe('schema');
    expect(issue?.path).toBe('nodes[0]');
    expect(issue?.message).toContain('"ip"');
  });

  it('says what was found where a number was expected', () => {
    const input = seedLab();
    input.links?.push(
      veth('l9', { node: 'red', ifname: 'x1', mtu: 10 }, { node: 'blue', ifname: 'x2' }),
    );
    const [issue] = validateLab(input).issues;
    expect(issue?.path).toBe('links[3].a.mtu');
    expect(issue?.message).toBe('links[3].a.mtu is too small: at least 68, not the number 10');
  });

  it('reports a document that is not an object at the root', () => {
    const result = validateLab(null);
    expect(result.issues).toEqual([
      {
        severity: 'error',
        code: 'schema',
        path: '',
        message: 'The lab should be an object, not null',
      },
    ]);
  });
});

describe('validateLab on the lab skeleton', () => {
  it('reports a lab without a host', () => {
    const [issue] = issuesWith(lab([namespace('red')]), 'host-missing');
    expect(issue).toMatchObject({ severity: 'error', path: 'nodes' });
    expect(issue?.message).toContain('no host node');
  });

  it('reports a second host once, as host-missing rather than as a duplicate id', () => {
    const result = validateLab(lab([host(), namespace('red'), host()]));
    expect(result.issues.map((i) => [i.code, i.path])).toContainEqual(['host-missing', 'nodes[2]']);
    expect(result.issues.filter((i) => i.code === 'id-duplicate')).toEqual([]);
  });

  it('reports a node id used twice at the second node', () => {
    const [issue] = issuesWith(
      lab([host(), namespace('red'), namespace('red', { name: 'red2' })]),
      'id-duplicate',
    );
    expect(issue).toMatchObject({ severity: 'error', path: 'nodes[2].id', nodeId: 'red' });
    expect(issue?.message).toBe(
      '"red" is already the id of nodes[1] (a namespace): give this namespace its own id',
    );
  });

  it('reports a link id used twice, and a link id equal to a node id', () => {
    const input = lab(
      [host(), namespace('red'), namespace('blue')],
      [
        veth('l1', end('red', 'a1', '10.0.0.1/24'), end('blue', 'b1', '10.0.0.2/24')),
        veth('l1', end('red', 'a2', '10.0.1.1/24'), end('blue', 'b2', '10.0.1.2/24')),
        veth('red', end('red', 'a3', '10.0.2.1/24'), end('blue', 'b3', '10.0.2.2/24')),
      ],
    );
    const issues = issuesWith(input, 'id-duplicate');
    expect(issues.map((i) => [i.path, i.linkId])).toEqual([
      ['links[1].id', 'l1'],
      ['links[2].id', 'red'],
    ]);
    expect(issues[1]?.message).toContain('also the id of nodes[1]');
  });

  it('accepts distinct ids', () => {
    expect(issuesWith(seedLab(), 'id-duplicate')).toEqual([]);
  });

  it('reports a link end attached to a node that does not exist', () => {
    const input = seedLab();
    input.links?.push(veth('l9', end('red', 'veth-x'), end('green', 'veth-y')));
    const [issue] = issuesWith(input, 'ref-dangling');
    expect(issue).toMatchObject({ severity: 'error', path: 'links[3].b.node', linkId: 'l9' });
    expect(issue?.message).toBe(
      'veth-y (end b of link l9) attaches to "green", but no node has that id: attach it to an existing node',
    );
  });

  it('reports a bridge whose namespace names no node', () => {
    const input = lab([host(), bridge('br-a', { namespace: 'nowhere' })]);
    const [issue] = issuesWith(input, 'ref-dangling');
    expect(issue).toMatchObject({ path: 'nodes[1].namespace', nodeId: 'br-a' });
    expect(issue?.message).toContain('"nowhere" is not the id of any node');
  });

  it('reports a bridge placed in a bridge or an external LAN as an invalid end', () => {
    const input = lab([
      host(),
      bridge('br-a'),
      bridge('br-b', { namespace: 'br-a' }),
      external('lan', '192.168.1.0/24', []),
      bridge('br-c', { namespace: 'lan' }),
    ]);
    const issues = issuesWith(input, 'link-invalid-end');
    expect(issues.map((i) => [i.path, i.severity])).toEqual([
      ['nodes[2].namespace', 'error'],
      ['nodes[4].namespace', 'error'],
    ]);
    expect(issues[0]?.message).toContain('"br-a" is a bridge, which cannot hold a bridge');
    expect(issues[1]?.message).toContain('an external LAN');
  });

  it('accepts a bridge inside a namespace node', () => {
    const input = lab(
      [host(), namespace('router', { ipForward: true }), bridge('br-a', { namespace: 'router' })],
      [veth('l1', end('host', 'veth-h', '10.0.0.1/24'), end('br-a', 'veth-h-br'))],
    );
    const result = validateLab(input);
    expect(result.issues.filter((i) => i.severity === 'error')).toEqual([]);
  });
});

describe('the order of findings', () => {
  it('sorts findings by path with numeric indexes, then by code', () => {
    const nodes = [host()];
    for (let i = 0; i < 12; i++) nodes.push(namespace(`n${i}`));
    const result = validateLab(lab(nodes));
    const paths = result.issues.map((i) => i.path);
    expect(paths.slice(0, 3)).toEqual(['nodes[1]', 'nodes[2]', 'nodes[3]']);
    expect(paths.at(-1)).toBe('nodes[12]');
  });

  it('gives the same findings for the same lab every time', () => {
    const input = seedLab();
    input.nodes[SEED.host] = host();
    expect(validateLab(input)).toEqual(validateLab(JSON.parse(JSON.stringify(input))));
  });

  it('only uses codes from the catalogue, with their catalogue severity', () => {
    const input = seedLab();
    input.nodes.push(namespace('lo-ns', { routes: [{ to: '10.0.0.0/8' }] }));
    for (const issue of validateLab(input).issues)
      expect(issue.severity).toBe(ISSUE_CODES[issue.code].severity);
  });
});
