import type { Lab } from '../lab/schema';
import type { KernelModel } from './model';
export function compileLab(_lab: Lab): KernelModel {
  throw new Error('not yet');
}
