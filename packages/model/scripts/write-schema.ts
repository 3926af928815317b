// Writes lab.schema.json from the zod schema: `npm run schema -w @netns-lab/model`.
import { writeFileSync } from 'node:fs';
import { labJsonSchema } from '../src/lab/json-schema';

writeFileSync(
  new URL('../lab.schema.json', import.meta.url),
  `${JSON.stringify(labJsonSchema(), null, 2)}\n`,
);
