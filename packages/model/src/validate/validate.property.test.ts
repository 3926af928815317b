import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LabInput } from '../lab/schema';
import { sortIssues } from './findings';
import { ISSUE_CODES } from './issue';
import { validateLab } from './validate';

type NodeInput = LabInput['nodes'][number];

// Small alphabets, so that clashes, loops and dangling references happen often.
const ids = ['host', 'red', 'blue', 'br', 'v-net-0', 'lan', 'x'];
const names = [
  'red',
  'blue',
  'host',
  'lo',
  'v-net-0',
  'veth-red',
  'veth-red-bridge-1',
  '',
  'up',
  'a/b',
];
const cidrs = [
  '192.168.15.1/24',
  '192.168.15.2/24',
  '192.168.15.0/24',
  '192.168.15.1',
  '10.0.0.1/8',
  'fd00::1/64',
  '1.2.3.4/33',
  'nonsense',
];
const ips = ['192.168.15.5', '192.168.1.2', '10.0.0.1', 'fd00::5', 'x'];
const destinations = [
  'default',
  '192.168.1.0/24',
  '192.168.1.5/24',
  '10.0.0.0/8',
  'fd00::/64',
  'x',
];

const route = fc.record(
  {
    to: fc.constantFrom(...destinations),
    via: fc.constantFrom(...ips),
    dev: fc.constantFrom(...names),
    metric: fc.constantFrom(0, 100),
  },
  { requiredKeys: ['to'] },
);
const nat = fc.record(
  {
    kind: fc.constant('masquerade' as const),
    source: fc.constantFrom(...cidrs, '192.168.15.0/24'),
    outInterface: fc.constantFrom(...names),
  },
  { requiredKeys: ['kind', 'source'] },
);
const routing = {
  ipForward: fc.boolean(),
  routes: fc.array(route, { maxLength: 3 }),
  nat: fc.array(nat, { maxLength: 2 }),
};

const node: fc.Arbitrary<NodeInput> = fc.oneof(
  fc.record({ kind: fc.constant('host' as const), id: fc.constant('host' as const), ...routing }),
  fc.record({
    kind: fc.constant('namespace' as const),
    id: fc.constantFrom(...ids),
    name: fc.constantFrom(...names),
    ...routing,
  }),
  fc.record(
    {
      kind: fc.constant('bridge' as const),
      id: fc.constantFrom(...ids),
      name: fc.constantFrom(...names),
      namespace: fc.constantFrom(...ids),
      addresses: fc.array(fc.constantFrom(...cidrs), { maxLength: 2 }),
      up: fc.boolean(),
      mac: fc.constantFrom('02:00:00:00:00:01', '01:00:00:00:00:01', 'zz'),
    },
    { requiredKeys: ['kind', 'id', 'name'] },
  ),
  fc.record({
    kind: fc.constant('external' as const),
    id: fc.constantFrom(...ids),
    name: fc.constantFrom(...names),
    subnet: fc.constantFrom('192.168.1.0/24', '192.168.1.5/24', 'x'),
    hosts: fc.array(
      fc.record(
        {
          name: fc.constantFrom(...names, 'lan-pc-number1'),
          address: fc.constantFrom('192.168.1.3', '192.168.1.0', '10.0.0.1', 'x'),
          gateway: fc.constantFrom(...ips),
        },
        { requiredKeys: ['name', 'address'] },
      ),
      { maxLength: 2 },
    ),
  }),
);

const linkEnd = fc.record({
  node: fc.constantFrom(...ids),
  ifname: fc.constantFrom(...names),
  addresses: fc.array(fc.constantFrom(...cidrs), { maxLength: 2 }),
  up: fc.boolean(),
});
const link = fc.record({ id: fc.constantFrom(...ids, 'l1', 'l2'), a: linkEnd, b: linkEnd });

const labs = fc.record({
  version: fc.constant(1 as const),
  nodes: fc.array(node, { maxLength: 6 }),
  links: fc.array(link, { maxLength: 5 }),
});

/** The value a finding's path points at in the parsed lab. */
function resolve(root: unknown, path: string): unknown {
  let value = root;
  for (const [, key, index] of path.matchAll(/\.?([A-Za-z]+)|\[(\d+)\]/g)) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key ?? Number(index)];
  }
  return value;
}

describe('validateLab on generated labs', () => {
  it('never throws, lists catalogue codes in order, and is ok exactly when nothing is an error', () => {
    fc.assert(
      fc.property(labs, (input) => {
        const result = validateLab(input);
        expect(result.ok).toBe(result.issues.every((i) => i.severity === 'hint'));
        for (const issue of result.issues) {
          expect(issue.severity).toBe(ISSUE_CODES[issue.code].severity);
          expect(issue.message).not.toBe('');
        }
        expect(sortIssues([...result.issues])).toEqual(result.issues);
        expect(validateLab(input)).toEqual(result);
      }),
      { numRuns: 300 },
    );
  });

  it('points every finding of a parsed lab at a place that exists in it', () => {
    fc.assert(
      fc.property(labs, (input) => {
        const result = validateLab(input);
        if (result.lab === null) return;
        for (const issue of result.issues)
          expect(resolve(result.lab, issue.path), `${issue.code} at ${issue.path}`).toBeDefined();
      }),
      { numRuns: 300 },
    );
  });
});
