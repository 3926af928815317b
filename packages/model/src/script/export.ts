import type { Lab } from '../lab/schema';
export function exportScript(_lab: Lab): string {
  throw new Error('not yet');
}
