import { describe, expect, it } from 'vitest';
import type { LabInput } from '../lab/schema';
import { ISSUE_CODES, type IssueCode } from './issue';
import { bridge, end, external, host, lab, namespace, SEED, seedLab, veth } from './fixtures';
import { validateLab } from './validate';

/** The seed lab, changed by `edit`. */
const seedWith = (edit: (input: LabInput) => void): LabInput => {
  const input = seedLab();
  edit(input);
  return input;
};

const pair = (a: string, b: string, ...addresses: [string, string]) =>
  lab(
    [host(), namespace('red'), namespace('blue')],
    [veth('l1', end('red', a, addresses[0]), end('blue', b, addresses[1]))],
  );

const redAddress = (address: string) =>
  seedWith((input) => {
    input.links![0] = veth('red-br', end('red', 'veth-red', address), end('v-net-0', 'vr-br'));
  });

const blueRoute = (route: { to: string; via?: string; dev?: string }) =>
  seedWith((input) => {
    input.nodes[SEED.blue] = namespace('blue', { routes: [route] });
  });

const hostNat = (...sources: string[]) =>
  seedWith((input) => {
    input.nodes[SEED.host] = host({
      ipForward: true,
      nat: sources.map((source) => ({ kind: 'masquerade' as const, source })),
    });
  });

/** One lab per code that triggers it. A Record, so a new code cannot go without a case. */
const TRIGGERS: Record<IssueCode, unknown> = {
  schema: { version: 1, nodes: 'none' },
  'host-missing': lab([namespace('red')]),
  'id-duplicate': lab([host(), namespace('red'), namespace('red', { name: 'red2' })]),
  'ref-dangling': lab([host(), bridge('br-a', { namespace: 'nowhere' })]),
  'name-empty': pair('', 'veth-blue', '10.0.0.1/24', '10.0.0.2/24'),
  'name-too-long': pair('veth-red-bridge-1', 'veth-blue', '10.0.0.1/24', '10.0.0.2/24'),
  'name-dot': lab([host(), namespace('n1', { name: '.' })]),
  'name-character': pair('veth:red', 'veth-blue', '10.0.0.1/24', '10.0.0.2/24'),
  'name-leading-dash': pair('-veth', 'veth-blue', '10.0.0.1/24', '10.0.0.2/24'),
  'name-keyword': lab([host(), namespace('n1', { name: 'netns' })]),
  'name-reserved': pair('lo', 'veth-blue', '10.0.0.1/24', '10.0.0.2/24'),
  'name-duplicate': seedWith((input) => {
    input.links![0] = veth(
      'red-br',
      end('red', 'veth-red', '192.168.15.1/24'),
      end('v-net-0', 'v-net-0'),
    );
  }),
  'address-invalid': redAddress('192.168.15.1'),
  'address-network': redAddress('192.168.15.255/24'),
  'address-duplicate': redAddress('192.168.15.2/24'),
  'mac-invalid': seedWith((input) => {
    input.nodes[SEED.bridge] = bridge('v-net-0', {
      addresses: ['192.168.15.5/24'],
      mac: 'ff:ff:ff:ff:ff:ff',
    });
  }),
  'mac-duplicate': seedWith((input) => {
    input.links![0] = veth(
      'red-br',
      { ...end('red', 'veth-red', '192.168.15.1/24'), mac: '02:00:00:00:00:01' },
      { ...end('v-net-0', 'veth-red-br'), mac: '02:00:00:00:00:01' },
    );
  }),
  'route-invalid': blueRoute({ to: '192.168.1.5/24', via: '192.168.15.5' }),
  'route-dev-unknown': blueRoute({ to: '192.168.1.0/24', dev: 'eth0' }),
  'route-dev-down': blueRoute({ to: '192.168.1.0/24', dev: 'lo' }),
  'route-gateway-unreachable': blueRoute({ to: '192.168.1.0/24', via: '10.0.0.1' }),
  'route-duplicate': blueRoute({ to: '192.168.15.0/24', dev: 'veth-blue' }),
  'nat-invalid': hostNat('192.168.15.0/33'),
  'nat-out-unknown': seedWith((input) => {
    input.nodes[SEED.host] = host({
      ipForward: true,
      nat: [{ kind: 'masquerade', source: '192.168.15.0/24', outInterface: 'eth0' }],
    });
  }),
  'nat-duplicate': hostNat('192.168.15.0/24', '192.168.15.0/24'),
  'link-same-bridge': seedWith((input) => {
    input.links?.push(veth('loop', end('v-net-0', 'vl-a'), end('v-net-0', 'vl-b')));
  }),
  'link-invalid-end': lab([host(), bridge('br-a'), bridge('br-b', { namespace: 'br-a' })]),
  'bridge-loop': lab(
    [host(), bridge('br-a'), bridge('br-b')],
    [
      veth('l1', end('br-a', 'ab1'), end('br-b', 'ba1')),
      veth('l2', end('br-a', 'ab2'), end('br-b', 'ba2')),
    ],
  ),
  'port-address': seedWith((input) => {
    input.links![0] = veth(
      'red-br',
      end('red', 'veth-red', '192.168.15.1/24'),
      end('v-net-0', 'veth-red-br', '192.168.15.9/24'),
    );
  }),
  'external-invalid': seedWith((input) => {
    input.nodes[SEED.lan] = external('lan', '192.168.1.0/24', [
      { name: 'lan-pc', address: '10.0.0.3' },
    ]);
  }),
  'hint-forward-off': seedWith((input) => {
    input.nodes[SEED.host] = host({ nat: [{ kind: 'masquerade', source: '192.168.15.0/24' }] });
  }),
  'hint-no-way-back': seedWith((input) => {
    input.nodes[SEED.host] = host({ ipForward: true });
  }),
  'hint-link-down': seedWith((input) => {
    input.nodes[SEED.bridge] = bridge('v-net-0', { addresses: ['192.168.15.5/24'], up: false });
  }),
  'hint-no-address': lab([host(), namespace('red')]),
  'hint-nat-unattached': hostNat('192.168.15.0/24', '172.16.0.0/12'),
};

describe('the issue catalogue', () => {
  it.each(Object.keys(ISSUE_CODES) as IssueCode[])('can report %s', (code) => {
    const issues = validateLab(TRIGGERS[code]).issues.filter((issue) => issue.code === code);
    expect(issues.length).toBeGreaterThan(0);
    for (const issue of issues) {
      expect(issue.severity).toBe(ISSUE_CODES[code].severity);
      expect(issue.message.length).toBeGreaterThan(20);
    }
  });
});
