import { describe, expect, it } from 'vitest';
import { jsonErrorOffset, lineColumn, shortJsonMessage } from './json-location';

describe('JSON error locations', () => {
  it.each([
    ['{"a": 1}', -1],
    ['[1, 2, {"b": [true, false, null, "x\\n"]}]', -1],
    ['{"a": }', 6],
    ['{"a": 1,}', 8],
    ['{"a": 1', 7],
    ['', 0],
    ["{'a': 1}", 1],
    ['[1 2]', 3],
    ['{"a": 1} x', 9],
    ['{"a": tru}', 6],
    ['"tab\there"', 4],
  ])('finds where %j stops being JSON', (text, offset) => {
    expect(jsonErrorOffset(text)).toBe(offset);
  });

  it('agrees with JSON.parse on which texts are valid', () => {
    for (const text of [
      '{}',
      '[]',
      '0',
      '-1.5e+3',
      '"\\u00e9"',
      '01',
      '1.',
      '{"a":1,"a":2}',
      '[,]',
    ]) {
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      expect({ text, valid: jsonErrorOffset(text) < 0 }).toEqual({ text, valid });
    }
  });

  it('counts lines and columns from 1', () => {
    expect(lineColumn('{\n  "a": ]\n}', 9)).toEqual({ line: 2, column: 8 });
  });

  it("shortens V8's messages, which quote the text or give an offset", () => {
    expect(shortJsonMessage(`Unexpected token '}', "{"a": }" is not valid JSON`)).toBe(
      "Unexpected token '}'",
    );
    expect(shortJsonMessage(`Unexpected token ']', ..." "host"}, ]\n}\n" is not valid JSON`)).toBe(
      "Unexpected token ']'",
    );
    expect(shortJsonMessage("Expected ',' or '}' after property value in JSON at position 7")).toBe(
      "Expected ',' or '}' after property value",
    );
  });
});
