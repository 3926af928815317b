import type { Lab } from '../lab/schema';
export interface ExampleLab {
  id: string;
  title: string;
  description: string;
  lab: Lab;
}
export const EXAMPLE_LABS: ExampleLab[] = [];
