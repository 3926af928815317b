import type { ValidationResult } from './issue';
export function validateLab(_input: unknown): ValidationResult {
  throw new Error('not yet');
}
