import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { labJsonSchema } from '../src/lab/json-schema';

describe('the published JSON Schema', () => {
  it('is the one the zod schema generates (run `npm run schema -w @netns-lab/model` after a change)', () => {
    const published = JSON.parse(
      readFileSync(new URL('../lab.schema.json', import.meta.url), 'utf8'),
    );
    expect(published).toEqual(JSON.parse(JSON.stringify(labJsonSchema())));
  });

  it('describes nodes of the four kinds and veth links', () => {
    const text = JSON.stringify(labJsonSchema());
    for (const kind of ['"host"', '"namespace"', '"bridge"', '"external"', '"veth"'])
      expect(text).toContain(kind);
  });
});
