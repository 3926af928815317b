/**
 * The kernel model: a lab compiled to the flat set of things the kernel will hold. Diffing two
 * kernel models gives exactly the changes to make; each entity has a stable key.
 */
import type { StepTarget } from '../protocol/messages';

/** Where an entity came from in the lab, so a failure can be shown at its node or link. */
export type Origin = StepTarget;

export interface NetnsEntity {
  name: string;
  origin: Origin;
}
export interface BridgeEntity {
  ns: string;
  name: string;
  origin: Origin;
}
export interface Endpoint {
  ns: string;
  ifname: string;
}
export interface VethEntity {
  /** The end named first in `ip link add A netns NS_A type veth peer name B netns NS_B`. */
  a: Endpoint;
  b: Endpoint;
  origin: Origin;
}
/** Attributes of an interface netns-lab creates (a veth end or a bridge). */
export interface InterfaceEntity {
  ns: string;
  ifname: string;
  kind: 'veth' | 'bridge';
  up: boolean;
  mac?: string;
  mtu?: number;
  master?: string;
  origin: Origin;
}
export interface AddressEntity {
  ns: string;
  ifname: string;
  /** Canonical CIDR, e.g. 192.168.15.1/24. */
  cidr: string;
  origin: Origin;
}
export interface RouteEntity {
  ns: string;
  /** "default" or a canonical prefix. */
  to: string;
  via?: string;
  dev?: string;
  metric?: number;
  origin: Origin;
}
/** net.ipv4.ip_forward = 1 in a namespace (absent: 0). */
export interface ForwardEntity {
  ns: string;
  origin: Origin;
}
/** `lo` up in a namespace. */
export interface LoopbackEntity {
  ns: string;
  origin: Origin;
}
export interface NatEntity {
  ns: string;
  source: string;
  outInterface?: string;
  origin: Origin;
}

export interface EntityTypes {
  netns: NetnsEntity;
  bridge: BridgeEntity;
  veth: VethEntity;
  iface: InterfaceEntity;
  address: AddressEntity;
  route: RouteEntity;
  loopback: LoopbackEntity;
  forward: ForwardEntity;
  nat: NatEntity;
}
export type EntityKind = keyof EntityTypes;
export const ENTITY_KINDS: readonly EntityKind[] = [
  'netns',
  'bridge',
  'veth',
  'iface',
  'address',
  'route',
  'loopback',
  'forward',
  'nat',
];

/** Entities of each kind by key. */
export type KernelModel = { [K in EntityKind]: Record<string, EntityTypes[K]> };

export function emptyKernelModel(): KernelModel {
  return {
    netns: {},
    bridge: {},
    veth: {},
    iface: {},
    address: {},
    route: {},
    loopback: {},
    forward: {},
    nat: {},
  };
}

const endKey = (e: Endpoint): string => `${e.ns}/${e.ifname}`;

/** The identity of each entity: two entities with one key are the same thing in the kernel. */
export const entityKey: { [K in EntityKind]: (e: EntityTypes[K]) => string } = {
  netns: (e) => e.name,
  bridge: (e) => `${e.ns}/${e.name}`,
  // A veth pair is the same pair whichever end is named first.
  veth: (e) => [endKey(e.a), endKey(e.b)].sort().join(' <-> '),
  iface: (e) => `${e.ns}/${e.ifname}`,
  address: (e) => `${e.ns}/${e.ifname}/${e.cidr}`,
  route: (e) => `${e.ns}/${e.to}/${e.metric ?? ''}`,
  loopback: (e) => e.ns,
  forward: (e) => e.ns,
  nat: (e) => `${e.ns}/${e.source}/${e.outInterface ?? ''}`,
};

/** The namespace an entity lives in. */
export function entityNamespace<K extends EntityKind>(kind: K, e: EntityTypes[K]): string {
  if (kind === 'netns') return (e as NetnsEntity).name;
  if (kind === 'veth') return (e as VethEntity).a.ns;
  return (e as { ns: string }).ns;
}
