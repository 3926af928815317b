import { describe, expect, it } from 'vitest';
import { exampleLab } from '../examples/labs';
import {
  NamespaceStateSchema,
  type LiveAddress,
  type LiveLink,
  type LiveRoute,
  type NamespaceState,
} from '../live/state';
import { compileLab } from './compile';
import { emptyKernelModel, entityKey, type EntityTypes, type KernelModel } from './model';
import { observedModel, unionModels, type KernelView } from './observed';

/** A namespace's tables as the agent reads them: nothing but the given links and addresses. */
function state(
  ns: string,
  tables: { links?: LiveLink[]; addresses?: LiveAddress[]; routes?: LiveRoute[] } = {},
): NamespaceState {
  return NamespaceStateSchema.parse({
    ns,
    links: tables.links ?? [],
    addresses: tables.addresses ?? [],
    routes: tables.routes ?? [],
    neighbours: [],
    fdb: [],
    ipForward: false,
    nat: [],
    readAt: 0,
  });
}

/** A view of the given states; every named namespace among them exists. */
function view(...states: NamespaceState[]): KernelView {
  return {
    namespaces: new Set(states.map((s) => s.ns).filter((ns) => ns !== 'host')),
    states: new Map(states.map((s) => [s.ns, s])),
  };
}

/** A veth end, up; its peer as the kernel names it (index, and namespace when another one). */
function vethEnd(
  ifname: string,
  ifindex: number,
  peer: { ifindex?: number; ns?: string } = {},
  extra: Partial<LiveLink> = {},
): LiveLink {
  const link: LiveLink = { ifname, ifindex, state: 'UP', adminUp: true, kind: 'veth', ...extra };
  if (peer.ifindex !== undefined) link.peerIfindex = peer.ifindex;
  if (peer.ns !== undefined) link.peerNamespace = peer.ns;
  return link;
}

const bridgeLink = (ifname: string, ifindex: number): LiveLink => ({
  ifname,
  ifindex,
  state: 'UP',
  adminUp: true,
  kind: 'bridge',
});

const address = (ifname: string, cidr: string): LiveAddress => ({ ifname, cidr, family: 4 });

/** A model of the given entities of one kind. */
function modelOf<K extends keyof EntityTypes>(kind: K, ...entities: EntityTypes[K][]): KernelModel {
  const model = emptyKernelModel();
  const bucket = model[kind] as Record<string, EntityTypes[K]>;
  for (const entity of entities) bucket[entityKey[kind](entity)] = entity;
  return model;
}

const SEED_VETH_PAIR = 'blue/veth-blue <-> red/veth-red';

/** What the kernel holds after seed-veth: veth-red (red, 2) <-> veth-blue (blue, 3). */
const seedVethKernel = (): KernelView =>
  view(
    state('host'),
    state('red', {
      links: [vethEnd('veth-red', 2, { ifindex: 3, ns: 'blue' })],
      addresses: [address('veth-red', '192.168.15.1/24')],
    }),
    state('blue', {
      links: [vethEnd('veth-blue', 3, { ifindex: 2, ns: 'red' })],
      addresses: [address('veth-blue', '192.168.15.2/24')],
    }),
  );

/** What the kernel holds after seed-bridge: veth-red <-> veth-red-br, veth-blue <-> veth-blue-br. */
const seedBridgeKernel = (): KernelView =>
  view(
    state('host', {
      links: [
        bridgeLink('v-net-0', 4),
        vethEnd('veth-red-br', 5, { ifindex: 2, ns: 'red' }, { master: 'v-net-0' }),
        vethEnd('veth-blue-br', 6, { ifindex: 2, ns: 'blue' }, { master: 'v-net-0' }),
      ],
    }),
    state('red', {
      links: [vethEnd('veth-red', 2, { ifindex: 5, ns: 'host' })],
      addresses: [address('veth-red', '192.168.15.1/24')],
    }),
    state('blue', {
      links: [vethEnd('veth-blue', 2, { ifindex: 6, ns: 'host' })],
      addresses: [address('veth-blue', '192.168.15.2/24')],
    }),
  );

describe('observedModel: veth pairs', () => {
  it('observes a veth whose two ends exist and name each other as peers', () => {
    const want = compileLab(exampleLab('seed-veth'));
    const observed = observedModel(want, seedVethKernel());
    expect(observed.veth[SEED_VETH_PAIR]).toBe(want.veth[SEED_VETH_PAIR]);
  });

  it('observes every pair of seed-bridge in the kernel seed-bridge left', () => {
    const want = compileLab(exampleLab('seed-bridge'));
    const observed = observedModel(want, seedBridgeKernel());
    expect(Object.keys(observed.veth).sort()).toEqual(Object.keys(want.veth).sort());
    expect(Object.keys(want.veth)).toHaveLength(2);
  });

  it("does not observe seed-veth's veth-red <-> veth-blue in the kernel seed-bridge left (each end is paired with its -br end)", () => {
    const want = compileLab(exampleLab('seed-veth'));
    const observed = observedModel(want, seedBridgeKernel());
    expect(observed.veth[SEED_VETH_PAIR]).toBeUndefined();
    // Both ends do exist, with the right names and kind: only the peers tell.
    expect(observed.iface['red/veth-red']).toBeDefined();
    expect(observed.iface['blue/veth-blue']).toBeDefined();
  });

  it("does not observe a veth when one end's peer index points at another interface", () => {
    const want = compileLab(exampleLab('seed-veth'));
    for (const [redPeer, bluePeer] of [
      [7, 2],
      [3, 7],
    ] as const) {
      const kernel = view(
        state('red', { links: [vethEnd('veth-red', 2, { ifindex: redPeer, ns: 'blue' })] }),
        state('blue', { links: [vethEnd('veth-blue', 3, { ifindex: bluePeer, ns: 'red' })] }),
      );
      expect(observedModel(want, kernel).veth[SEED_VETH_PAIR], `${redPeer}/${bluePeer}`).toBe(
        undefined,
      );
    }
  });

  it("does not observe a veth when one end's peer is in another namespace than the other end", () => {
    const want = compileLab(exampleLab('seed-veth'));
    for (const [redPeerNs, bluePeerNs] of [
      ['green', 'red'],
      ['blue', 'green'],
      ['red', 'red'],
    ] as const) {
      const kernel = view(
        state('red', { links: [vethEnd('veth-red', 2, { ifindex: 3, ns: redPeerNs })] }),
        state('blue', { links: [vethEnd('veth-blue', 3, { ifindex: 2, ns: bluePeerNs })] }),
      );
      expect(observedModel(want, kernel).veth[SEED_VETH_PAIR], `${redPeerNs}/${bluePeerNs}`).toBe(
        undefined,
      );
    }
  });

  it('observes a veth whose peers the kernel does not name (unknown is not another)', () => {
    const want = compileLab(exampleLab('seed-veth'));
    const kernel = view(
      state('red', { links: [vethEnd('veth-red', 2)] }),
      state('blue', { links: [vethEnd('veth-blue', 3, { ifindex: 2 })] }),
    );
    expect(observedModel(want, kernel).veth[SEED_VETH_PAIR]).toBe(want.veth[SEED_VETH_PAIR]);
  });

  it('observes a veth with both ends in one namespace only when neither end names a peer namespace', () => {
    const pair: EntityTypes['veth'] = {
      a: { ns: 'red', ifname: 'x' },
      b: { ns: 'red', ifname: 'y' },
      origin: { linkId: 'l', path: 'links[0]' },
    };
    const want = modelOf('veth', pair);
    const key = entityKey.veth(pair);
    const inOne = view(
      state('red', { links: [vethEnd('x', 2, { ifindex: 3 }), vethEnd('y', 3, { ifindex: 2 })] }),
    );
    expect(observedModel(want, inOne).veth[key]).toBe(pair);
    for (const [xPeerNs, yPeerNs] of [
      ['blue', undefined],
      [undefined, 'blue'],
      ['red', undefined],
    ] as const) {
      const elsewhere = view(
        state('red', {
          links: [
            vethEnd('x', 2, { ifindex: 3, ...(xPeerNs === undefined ? {} : { ns: xPeerNs }) }),
            vethEnd('y', 3, { ifindex: 2, ...(yPeerNs === undefined ? {} : { ns: yPeerNs }) }),
          ],
        }),
        state('blue'),
      );
      expect(observedModel(want, elsewhere).veth[key], `${xPeerNs}/${yPeerNs}`).toBeUndefined();
    }
  });

  it('does not observe a veth with an end missing, not a veth, or in a namespace that does not exist', () => {
    const want = compileLab(exampleLab('seed-veth'));
    const red = state('red', { links: [vethEnd('veth-red', 2, { ifindex: 3, ns: 'blue' })] });
    const blue = state('blue', { links: [vethEnd('veth-blue', 3, { ifindex: 2, ns: 'red' })] });
    expect(observedModel(want, view(red, blue)).veth[SEED_VETH_PAIR]).toBeDefined();
    expect(observedModel(want, view(red, state('blue'))).veth[SEED_VETH_PAIR]).toBeUndefined();
    expect(observedModel(want, view(red)).veth[SEED_VETH_PAIR]).toBeUndefined();
    const notVeth = state('blue', { links: [bridgeLink('veth-blue', 3)] });
    expect(observedModel(want, view(red, notVeth)).veth[SEED_VETH_PAIR]).toBeUndefined();
    const blueGone: KernelView = { namespaces: new Set(['red']), states: view(red, blue).states };
    expect(observedModel(want, blueGone).veth[SEED_VETH_PAIR]).toBeUndefined();
  });
});

describe('observedModel: remembered per entity and state', () => {
  const want = compileLab(exampleLab('seed-veth'));
  const RED_ADDRESS = 'red/veth-red/192.168.15.1/24';

  it('gives the remembered result for the same entity and the same tables (tables never change once read)', () => {
    const red = state('red', {
      links: [vethEnd('veth-red', 2)],
      addresses: [address('veth-red', '192.168.15.1/24')],
    });
    const kernel = view(red);
    expect(observedModel(want, kernel).address[RED_ADDRESS]).toBe(want.address[RED_ADDRESS]);
    // Changing a table in place is not allowed; it shows that the first result is remembered.
    red.addresses.length = 0;
    expect(observedModel(want, kernel).address[RED_ADDRESS]).toBe(want.address[RED_ADDRESS]);
    // A new read that kept the unchanged tables as the previous read's objects (the observer's
    // shareUnchangedState) is not looked at again either.
    const reread = view({ ...red, readAt: 1 });
    expect(observedModel(want, reread).address[RED_ADDRESS]).toBe(want.address[RED_ADDRESS]);
    // Another entity object of the same content is looked at afresh.
    const other = compileLab(exampleLab('seed-veth'));
    expect(other.address[RED_ADDRESS]).not.toBe(want.address[RED_ADDRESS]);
    expect(observedModel(other, kernel).address[RED_ADDRESS]).toBeUndefined();
  });

  it('looks again when the namespace was read again (a new state object) and the address came', () => {
    const without = view(state('red', { links: [vethEnd('veth-red', 2)] }));
    expect(observedModel(want, without).address[RED_ADDRESS]).toBeUndefined();
    const withIt = view(
      state('red', {
        links: [vethEnd('veth-red', 2)],
        addresses: [address('veth-red', '192.168.15.1/24')],
      }),
    );
    expect(observedModel(want, withIt).address[RED_ADDRESS]).toBe(want.address[RED_ADDRESS]);
  });

  it('looks again when the namespace was read again (a new state object) and the address went', () => {
    const withIt = view(
      state('red', {
        links: [vethEnd('veth-red', 2)],
        addresses: [address('veth-red', '192.168.15.1/24')],
      }),
    );
    expect(observedModel(want, withIt).address[RED_ADDRESS]).toBe(want.address[RED_ADDRESS]);
    const without = view(state('red', { links: [vethEnd('veth-red', 2)] }));
    expect(observedModel(want, without).address[RED_ADDRESS]).toBeUndefined();
  });

  it("looks again at a veth when only its other end's namespace was read again", () => {
    const red = state('red', { links: [vethEnd('veth-red', 2, { ifindex: 3, ns: 'blue' })] });
    expect(observedModel(want, view(red, state('blue'))).veth[SEED_VETH_PAIR]).toBeUndefined();
    const blue = state('blue', { links: [vethEnd('veth-blue', 3, { ifindex: 2, ns: 'red' })] });
    expect(observedModel(want, view(red, blue)).veth[SEED_VETH_PAIR]).toBe(
      want.veth[SEED_VETH_PAIR],
    );
    const crossed = state('blue', { links: [vethEnd('veth-blue', 3, { ifindex: 9, ns: 'red' })] });
    expect(observedModel(want, view(red, crossed)).veth[SEED_VETH_PAIR]).toBeUndefined();
  });

  it('looks again when a namespace stops existing, even with its last state still in the view', () => {
    const kernel = seedVethKernel();
    expect(observedModel(want, kernel).address[RED_ADDRESS]).toBeDefined();
    const gone: KernelView = { namespaces: new Set(['blue']), states: kernel.states };
    const observed = observedModel(want, gone);
    expect(observed.address[RED_ADDRESS]).toBeUndefined();
    expect(observed.netns.red).toBeUndefined();
    expect(observed.netns.blue).toBe(want.netns.blue);
  });
});

describe('observedModel: several candidate models', () => {
  // seed-veth and seed-bridge share red, blue, veth-red, veth-blue and their addresses (with
  // other origins); the kernel holds what seed-bridge made.
  const first = compileLab(exampleLab('seed-veth'));
  const second = compileLab(exampleLab('seed-bridge'));

  it("takes an entity of two models once, the first model's version", () => {
    const observed = observedModel([first, second], seedBridgeKernel());
    for (const [kind, key] of [
      ['netns', 'red'],
      ['iface', 'red/veth-red'],
      ['iface', 'blue/veth-blue'],
      ['address', 'red/veth-red/192.168.15.1/24'],
    ] as const) {
      const mine = (first[kind] as Record<string, unknown>)[key];
      expect(mine, key).toBeDefined();
      const theirs = (second[kind] as Record<string, unknown>)[key];
      expect(theirs, key).toBeDefined();
      expect(theirs, key).not.toBe(mine);
      expect((observed[kind] as Record<string, unknown>)[key], key).toBe(mine);
    }
    // The two versions differ in their origins: the first model's is kept.
    expect(second.iface['red/veth-red']?.origin).toEqual({ linkId: 'red-br', path: 'links[0].a' });
    expect(observed.iface['red/veth-red']?.origin).toEqual({
      linkId: 'red-blue',
      path: 'links[0].a',
    });
    expect(second.address['red/veth-red/192.168.15.1/24']?.origin.linkId).toBe('red-br');
    expect(observed.address['red/veth-red/192.168.15.1/24']?.origin.linkId).toBe('red-blue');
  });

  it('observes an entity that only a later model has, and leaves out one the kernel does not hold', () => {
    const observed = observedModel([first, second], seedBridgeKernel());
    expect(observed.bridge['host/v-net-0']).toBe(second.bridge['host/v-net-0']);
    expect(observed.veth['host/veth-red-br <-> red/veth-red']).toBe(
      second.veth['host/veth-red-br <-> red/veth-red'],
    );
    expect(observed.iface['host/veth-red-br']).toBe(second.iface['host/veth-red-br']);
    expect(observed.veth[SEED_VETH_PAIR]).toBeUndefined();
    expect(SEED_VETH_PAIR in first.veth).toBe(true);
  });

  it("keeps the first model's version of an entity the kernel holds differently, with the first model's origin", () => {
    const down = seedBridgeKernel();
    const red = down.states.get('red')!;
    const redDown = { ...red, links: [{ ...red.links[0]!, adminUp: false }] };
    const kernel: KernelView = {
      namespaces: down.namespaces,
      states: new Map([...down.states, ['red', redDown]]),
    };
    const observed = observedModel([first, second], kernel).iface['red/veth-red'];
    expect(observed).toEqual({ ...first.iface['red/veth-red'], up: false });
    expect(observed?.origin).toBe(first.iface['red/veth-red']?.origin);
  });

  it('finds what it finds for the union of the models, in either order', () => {
    for (const kernel of [seedBridgeKernel(), seedVethKernel(), view(state('host'))])
      for (const models of [
        [first, second],
        [second, first],
        [first, first, second],
      ]) {
        const observed = observedModel(models, kernel);
        const ofUnion = observedModel(unionModels(...models), kernel);
        expect(observed).toEqual(ofUnion);
        for (const kind of Object.keys(observed) as (keyof KernelModel)[])
          expect(Object.keys(observed[kind]).sort()).toEqual(Object.keys(ofUnion[kind]).sort());
      }
  });

  it('finds the same for one model alone or in a list of one', () => {
    const kernel = seedBridgeKernel();
    expect(observedModel([second], kernel)).toEqual(observedModel(second, kernel));
  });
});

describe("observedModel: the kernel's version of an interface or a route", () => {
  const gateway = compileLab(exampleLab('seed-gateway'));
  const BLUE_ROUTE = 'blue/192.168.1.0/24/';
  const BLUE_END = 'blue/veth-blue';

  const blueKernel = (tables: { links?: LiveLink[]; routes?: LiveRoute[] }): KernelView =>
    view(state('host'), state('blue', tables));
  const route = (via: string, extra: Partial<LiveRoute> = {}): LiveRoute => ({
    to: '192.168.1.0/24',
    via,
    dev: 'veth-blue',
    protocol: 'boot',
    family: 4,
    ...extra,
  });

  it('gives the candidate interface itself when the kernel has it as the lab wants it', () => {
    const observed = observedModel(gateway, blueKernel({ links: [vethEnd('veth-blue', 2)] }));
    expect(observed.iface[BLUE_END]).toBe(gateway.iface[BLUE_END]);
  });

  it("gives the kernel's version of an interface that is down while the lab wants it up", () => {
    const down = vethEnd('veth-blue', 2, {}, { adminUp: false, state: 'DOWN' });
    const observed = observedModel(gateway, blueKernel({ links: [down] })).iface[BLUE_END];
    expect(observed).not.toBe(gateway.iface[BLUE_END]);
    expect(observed).toEqual({ ...gateway.iface[BLUE_END], up: false });
  });

  it("gives the kernel's version of an interface that is a bridge port the lab does not want", () => {
    const port = vethEnd('veth-blue', 2, {}, { master: 'br-x' });
    const observed = observedModel(gateway, blueKernel({ links: [port] })).iface[BLUE_END];
    expect(observed).not.toBe(gateway.iface[BLUE_END]);
    expect(observed).toEqual({ ...gateway.iface[BLUE_END], master: 'br-x' });
  });

  it('gives the candidate route itself when the kernel has it as the lab wants it', () => {
    const observed = observedModel(gateway, blueKernel({ routes: [route('192.168.15.5')] }));
    expect(observed.route[BLUE_ROUTE]).toBe(gateway.route[BLUE_ROUTE]);
  });

  it("gives the kernel's version of a route through another gateway", () => {
    const observed = observedModel(gateway, blueKernel({ routes: [route('192.168.15.6')] }));
    expect(observed.route[BLUE_ROUTE]).not.toBe(gateway.route[BLUE_ROUTE]);
    expect(observed.route[BLUE_ROUTE]).toEqual({
      ...gateway.route[BLUE_ROUTE],
      via: '192.168.15.6',
    });
  });

  it("does not take the kernel's own routes for the lab's", () => {
    const own = route('192.168.15.5', { protocol: 'kernel' });
    expect(observedModel(gateway, blueKernel({ routes: [own] })).route[BLUE_ROUTE]).toBeUndefined();
  });
});
