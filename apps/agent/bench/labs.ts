/**
 * The benchmark's labs, built with the model's own schema: one bridge `v-net-0` in the host and
 * N namespaces ns0..ns{N-1}, each joined to it by a veth (`veth{i}` inside, `veth{i}-br` on the
 * bridge) with one address in 10.0.0.0/16 -- the seed's section 5, N times over.
 */
import { classLab, type ClassLabOptions, type Lab } from '@netns-lab/model';

export const BRIDGE = 'v-net-0';

export {
  classAddressOf as addressOf,
  type ClassLabOptions as BridgeLabOptions,
} from '@netns-lab/model';

/** An address no generated namespace uses (the "change one address" edit). */
export function otherAddressOf(i: number): string {
  return `10.0.250.${(i % 250) + 1}`;
}

/** The bench's single-bridge lab with namespaces 0..n-1 (the model's classLab). */
export function bridgeLab(n: number, options: ClassLabOptions = {}): Lab {
  const lab = classLab(n, options);
  return { ...lab, name: `bench: ${lab.name ?? ''}` };
}
