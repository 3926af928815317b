/**
 * The benchmark's labs, built with the model's own schema: one bridge `v-net-0` in the host and
 * N namespaces ns0..ns{N-1}, each joined to it by a veth (`veth{i}` inside, `veth{i}-br` on the
 * bridge) with one address in 10.0.0.0/16 -- the seed's section 5, N times over.
 */
import { LabSchema, type Lab, type LabInput } from '@netns-lab/model';

export const BRIDGE = 'v-net-0';

/** Namespace i's address: 10.0.0.1, 10.0.0.2, ... (/16: up to 65534 namespaces). */
export function addressOf(i: number): string {
  const n = i + 1;
  return `10.0.${n >> 8}.${n & 255}`;
}

/** An address no generated namespace uses (the "change one address" edit). */
export function otherAddressOf(i: number): string {
  return `10.0.250.${(i % 250) + 1}`;
}

export interface BridgeLabOptions {
  /** Namespace indexes to leave out. */
  without?: readonly number[];
  /** Namespace index -> address (without prefix) instead of addressOf(i). */
  addresses?: ReadonlyMap<number, string>;
}

/** The single-bridge lab with namespaces 0..n-1. */
export function bridgeLab(n: number, options: BridgeLabOptions = {}): Lab {
  const skip = new Set(options.without ?? []);
  const indexes = Array.from({ length: n }, (_, i) => i).filter((i) => !skip.has(i));
  const input: LabInput = {
    version: 1,
    name: `bench: ${indexes.length} namespaces on one bridge`,
    nodes: [
      { kind: 'host', id: 'host' },
      { kind: 'bridge', id: BRIDGE, name: BRIDGE },
      ...indexes.map((i) => ({ kind: 'namespace' as const, id: `ns${i}`, name: `ns${i}` })),
    ],
    links: indexes.map((i) => ({
      id: `l${i}`,
      a: {
        node: `ns${i}`,
        ifname: `veth${i}`,
        addresses: [`${options.addresses?.get(i) ?? addressOf(i)}/16`],
      },
      b: { node: BRIDGE, ifname: `veth${i}-br` },
    })),
  };
  return LabSchema.parse(input);
}
