import type { Lab } from '../lab/schema';
import type { EntityKind, EntityTypes, KernelModel } from '../kernel/model';
export interface EntityDiff<T> {
  added: T[];
  updated: [from: T, to: T][];
  removed: T[];
}
export type LabDiff = { [K in EntityKind]: EntityDiff<EntityTypes[K]> };
export function diffModels(_prev: KernelModel, _next: KernelModel): LabDiff {
  throw new Error('not yet');
}
export function diffLabs(_prev: Lab, _next: Lab): LabDiff {
  throw new Error('not yet');
}
