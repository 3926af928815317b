/**
 * fast-check generators of hostile client frames: generated junk, and valid messages mutated
 * (wrong types, arrays where strings go, kernel names the kernel or iproute2 would misread,
 * unknown keys, missing keys, deep nesting, broken labs), plus raw frames that are not JSON,
 * binary frames and invalid UTF-8. And the verdict the agent must give each one, computed with
 * the same schema and guard the server uses, so the test also knows which frames would be
 * valid (those are left out: they are the only ones allowed to run anything).
 */
import fc from 'fast-check';
import { exampleLab, parseClientMessage, validateLab, type Lab } from '@netns-lab/model';
import { guardClientMessage } from '../../../src/server/message-guard';

/** A frame as the fuzzer sends it. */
export type Frame =
  | { kind: 'text'; data: string; what: string }
  | { kind: 'binary'; data: Buffer; what: string }
  /** A text frame whose bytes are not UTF-8: ws closes the connection with 1007. */
  | { kind: 'bad-utf8'; data: Buffer; what: string };

/** What the agent must answer. */
export type Verdict =
  | { answer: 'error'; code: 'bad-message' | 'invalid-lab' | 'unknown-namespace' | 'stale-base' }
  | { answer: 'close'; code: 1007 }
  /** A valid message that would run something: not part of the fuzz. */
  | { answer: 'runs' };

/** Names to try wherever a kernel name goes. */
export const HOSTILE_NAMES = [
  'sixteen-bytes-ab',
  'x'.repeat(64),
  '.',
  '..',
  'a/b',
  '../../etc',
  '/',
  'x:y',
  'red blue',
  'red\n',
  '\tred',
  'red\u0000',
  '-f',
  '-n',
  '--',
  'dev',
  'help',
  'de',
  'h',
  'a',
  'up',
  'link',
  'netns',
  'all',
  '',
  'ré',
  'veth-red;id',
  '$(id)',
  '`id`',
] as const;

/** Addresses to try wherever an address goes. */
const HOSTILE_ADDRESSES = [
  '-f 10.0.0.1',
  '192.168.15.1/33',
  '999.1.1.1/24',
  '192.168.15',
  'example.com',
  'dev',
  '',
  '::ffff:-1',
  '1.2.3.4 via 5.6.7.8',
  '192.168.15.2\n',
  '0x7f.1',
];

/** Namespaces that exist in the test's lab: a valid message naming one would run something. */
export const LAB_NAMESPACES = new Set(['host', 'red', 'blue']);

/**
 * A value nested `depth` levels deep. JSON.stringify recurses and gives up long before JSON.parse
 * does, so the deep text is spliced into the frame after stringifying (see serialise).
 */
class Deep {
  constructor(
    readonly depth: number,
    readonly array: boolean,
  ) {}
  text(): string {
    return this.array
      ? `${'['.repeat(this.depth)}"red"${']'.repeat(this.depth)}`
      : `${'{"a":'.repeat(this.depth)}"red"${'}'.repeat(this.depth)}`;
  }
}

/** The frame text of a message that may hold Deep values. */
export function serialise(message: unknown): string {
  const deep: Deep[] = [];
  const text =
    JSON.stringify(message, (_key, value: unknown) =>
      value instanceof Deep ? `@@deep${deep.push(value) - 1}@@` : value,
    ) ?? 'undefined';
  return text.replace(/"@@deep(\d+)@@"/g, (_match, i: string) => deep[Number(i)]!.text());
}

/** Values of the wrong type, and values that are deep or long. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(['red']),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  fc.constantFrom(...HOSTILE_NAMES),
  fc.constantFrom(...HOSTILE_ADDRESSES),
  fc.string({ minLength: 257, maxLength: 2000 }),
  fc
    .tuple(fc.constantFrom(10, 1000, 100_000), fc.boolean())
    .map(([depth, array]) => new Deep(depth, array)),
  fc.jsonValue({ maxDepth: 3 }),
);

/** A lab revision the fuzzed agent never reaches. */
const STALE_BASE = 1_000_000;

/** A message type for a test's description, whatever was put there. */
const label = (type: unknown): string => (typeof type === 'string' ? type : typeof type);

const BASES: Record<string, Record<string, unknown>> = {
  ping: {
    type: 'ping',
    requestId: 'p',
    ns: 'red',
    target: '192.168.15.2',
    count: 1,
    intervalMs: 200,
  },
  'route-get': { type: 'route-get', requestId: 'r', ns: 'red', address: '192.168.15.2' },
  tracepath: { type: 'tracepath', requestId: 't', ns: 'red', target: '192.168.15.2' },
  refresh: { type: 'refresh', ns: 'red' },
  cancel: { type: 'cancel', requestId: 'c' },
  destroy: { type: 'destroy', requestId: 'd' },
  apply: { type: 'apply', requestId: 'a', lab: exampleLab('seed-bridge') },
  'apply-patch': {
    type: 'apply-patch',
    requestId: 'ap',
    base: STALE_BASE,
    patch: { removeNodes: ['blue'], removeLinks: ['blue-br'] },
  },
};

const baseMessage = fc
  .constantFrom(...Object.keys(BASES))
  .map((type) => structuredClone(BASES[type]!));

/** A valid message with one thing wrong in it. */
const mutatedMessage: fc.Arbitrary<{ message: unknown; what: string }> = fc.oneof(
  // A field set to a value of the wrong type, a hostile name or address, or something deep.
  fc.tuple(baseMessage, fc.nat(), hostileValue).map(([m, i, value]) => {
    const keys = Object.keys(m);
    const key = keys[i % keys.length]!;
    m[key] = value;
    return { message: m, what: `${label(m['type'])}.${key} = hostile value` };
  }),
  // Where a namespace name goes, each hostile name.
  fc
    .tuple(
      fc.constantFrom('ping', 'route-get', 'tracepath', 'refresh'),
      fc.constantFrom(...HOSTILE_NAMES),
    )
    .map(([type, ns]) => ({
      message: { ...structuredClone(BASES[type]!), ns },
      what: `${type}.ns = ${JSON.stringify(ns)}`,
    })),
  // Where an address goes, each hostile address.
  fc
    .tuple(fc.constantFrom('ping', 'route-get', 'tracepath'), fc.constantFrom(...HOSTILE_ADDRESSES))
    .map(([type, address]) => ({
      message: {
        ...structuredClone(BASES[type]!),
        [type === 'route-get' ? 'address' : 'target']: address,
      },
      what: `${type} address = ${JSON.stringify(address)}`,
    })),
  // An unknown key (a shell command, an option, a prototype).
  fc
    .tuple(
      baseMessage,
      fc.constantFrom('shell', 'cmd', 'argv', '__proto__', 'constructor', 'force', 'extra', 'ns2'),
      hostileValue,
    )
    .map(([m, key, value]) => {
      Object.defineProperty(m, key, {
        value,
        enumerable: true,
        configurable: true,
        writable: true,
      });
      return { message: m, what: `${label(m['type'])} + unknown key ${key}` };
    }),
  // A required key missing.
  fc.tuple(baseMessage, fc.nat()).map(([m, i]) => {
    const keys = Object.keys(m).filter((k) => k !== 'type' && k !== 'count' && k !== 'intervalMs');
    if (keys.length === 0) return { message: { ...m, type: 'shell' }, what: 'unknown type' };
    delete m[keys[i % keys.length]!];
    return { message: m, what: `${label(m['type'])} without a key` };
  }),
  // An unknown or wrongly typed message type.
  fc
    .oneof(fc.string({ maxLength: 20 }), hostileValue)
    .map((type) => ({ message: { type, requestId: 'x' }, what: 'unknown type' })),
  // The whole message wrapped or replaced.
  baseMessage.map((m) => ({ message: [m], what: 'message in an array' })),
  baseMessage.map((m) => ({ message: JSON.stringify(m), what: 'message as a JSON string' })),
  // A lab with something wrong deep inside.
  fc
    .tuple(fc.nat(), fc.nat(), fc.constantFrom(...HOSTILE_NAMES), hostileValue)
    .map(([which, where, name, value]) => {
      const lab = structuredClone(BASES['apply']!['lab']) as Lab;
      const raw = lab as unknown as Record<string, unknown>;
      const node = lab.nodes[1 + (where % (lab.nodes.length - 1))] as unknown as Record<
        string,
        unknown
      >;
      const link = lab.links[where % lab.links.length] as unknown as {
        a: Record<string, unknown>;
        b: Record<string, unknown>;
      } & Record<string, unknown>;
      const edits = [
        () => (node['name'] = name),
        () => (link.a['ifname'] = name),
        () => (link.b['ifname'] = name),
        () => (link.a['addresses'] = [HOSTILE_ADDRESSES[where % HOSTILE_ADDRESSES.length]]),
        () => (node['shell'] = 'rm -rf /'),
        () => (raw['version'] = value),
        () => (raw['nodes'] = value),
        () => (link['kind'] = value),
        () => (node['kind'] = value),
        () => (lab.links = [...lab.links, ...lab.links]),
        () => (lab.layout = { nodes: { [String(name)]: value } } as never),
      ];
      edits[which % edits.length]!();
      return {
        message: { type: 'apply', requestId: 'a', lab },
        what: `apply with a broken lab (${which % edits.length})`,
      };
    }),
);

/** Every kind of frame the fuzzer sends. */
export const hostileFrame: fc.Arbitrary<Frame> = fc.oneof(
  {
    weight: 8,
    arbitrary: mutatedMessage.map(({ message, what }) => ({
      kind: 'text' as const,
      data: serialise(message),
      what,
    })),
  },
  {
    weight: 2,
    arbitrary: fc
      .jsonValue()
      .map((v) => ({ kind: 'text' as const, data: JSON.stringify(v), what: 'generated JSON' })),
  },
  {
    weight: 1,
    arbitrary: fc
      .string({ maxLength: 200 })
      .map((s) => ({ kind: 'text' as const, data: s, what: 'generated text' })),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(baseMessage, fc.nat()).map(([m, cut]) => {
      const text = JSON.stringify(m);
      return {
        kind: 'text' as const,
        data: text.slice(0, cut % text.length),
        what: 'truncated JSON',
      };
    }),
  },
  {
    weight: 1,
    arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => ({
      kind: 'binary' as const,
      data: Buffer.from(bytes),
      what: 'binary frame',
    })),
  },
  {
    weight: 1,
    arbitrary: fc.string({ maxLength: 20 }).map((s) => ({
      kind: 'bad-utf8' as const,
      data: Buffer.concat([Buffer.from(s), Buffer.from([0xff, 0xfe, 0xc0])]),
      what: 'invalid UTF-8',
    })),
  },
);

/** What the agent must answer to `frame`, by the shared schema, the guard and validateLab. */
export function verdict(frame: Frame): Verdict {
  if (frame.kind === 'binary') return { answer: 'error', code: 'bad-message' };
  if (frame.kind === 'bad-utf8') return { answer: 'close', code: 1007 };
  let json: unknown;
  try {
    json = JSON.parse(frame.data);
  } catch {
    return { answer: 'error', code: 'bad-message' };
  }
  const parsed = parseClientMessage(json);
  if (!parsed.ok) return { answer: 'error', code: 'bad-message' };
  const guarded = guardClientMessage(parsed.message);
  if (!guarded.ok) return { answer: 'error', code: 'bad-message' };
  const message = guarded.message;
  switch (message.type) {
    case 'apply':
      return validateLab(message.lab).issues.some((i) => i.severity === 'error')
        ? { answer: 'error', code: 'invalid-lab' }
        : { answer: 'runs' };
    case 'ping':
    case 'route-get':
    case 'tracepath':
    case 'refresh':
      return message.ns === undefined || LAB_NAMESPACES.has(message.ns)
        ? { answer: 'runs' }
        : { answer: 'error', code: 'unknown-namespace' };
    case 'apply-patch':
      // The fuzzed agent's lab is at a low revision: a patch on a base far beyond is stale.
      return message.base >= STALE_BASE
        ? { answer: 'error', code: 'stale-base' }
        : { answer: 'runs' };
    case 'destroy':
    case 'cancel':
      return { answer: 'runs' };
  }
}
