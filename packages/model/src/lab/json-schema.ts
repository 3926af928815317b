/** The lab format as a JSON Schema document (published as packages/model/lab.schema.json). */
import { z } from 'zod';
import { LabSchema } from './schema';

export function labJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(LabSchema, { io: 'input', target: 'draft-2020-12' }),
    $id: 'https://netns-lab.invalid/lab.schema.json',
    title: 'netns-lab lab document, version 1',
  };
}
