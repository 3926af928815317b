import type { LabDiff } from '../diff/diff';
import type { PlanStep } from './steps';
export interface PlanOptions {
  natComment?: string;
}
export function planDiff(_diff: LabDiff, _options: PlanOptions = {}): PlanStep[] {
  throw new Error('not yet');
}
