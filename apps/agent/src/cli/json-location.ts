/**
 * Where a JSON text stops being JSON, as line and column. V8's messages sometimes give an
 * offset and sometimes only quote the text, so this finds the offset itself.
 */

class Stop {
  constructor(readonly at: number) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** The offset of the first syntax error, or -1 when the text is valid JSON. */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw new Stop(i);
  };
  const space = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text.charAt(i))) i += 1;
  };
  const string = (): void => {
    i += 1;
    while (i < text.length) {
      const c = text.charAt(i);
      if (c === '"') {
        i += 1;
        return;
      }
      if (c === '\\') {
        i += 1;
        const e = text.charAt(i);
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 5;
        } else if (e !== '' && '"\\/bfnrt'.includes(e)) i += 1;
        else fail();
        continue;
      }
      if (c.charCodeAt(0) < 0x20) fail();
      i += 1;
    }
    fail();
  };
  const sequence = (close: string, item: () => void): void => {
    i += 1;
    space();
    if (text.charAt(i) === close) {
      i += 1;
      return;
    }
    for (;;) {
      item();
      space();
      const c = text.charAt(i);
      if (c === ',') {
        i += 1;
        continue;
      }
      if (c === close) {
        i += 1;
        return;
      }
      fail();
    }
  };
  const value = (): void => {
    space();
    const c = text.charAt(i);
    if (c === '{') {
      sequence('}', () => {
        space();
        if (text.charAt(i) !== '"') fail();
        string();
        space();
        if (text.charAt(i) !== ':') fail();
        i += 1;
        value();
      });
    } else if (c === '[') {
      sequence(']', value);
    } else if (c === '"') {
      string();
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i;
      if (!NUMBER.test(text)) fail();
      i = NUMBER.lastIndex;
    } else {
      const word = ['true', 'false', 'null'].find((w) => text.startsWith(w, i));
      if (word === undefined) fail();
      i += word?.length ?? 0;
    }
  };
  try {
    value();
    space();
    if (i < text.length) fail();
    return -1;
  } catch (error) {
    if (error instanceof Stop) return error.at;
    return -1; // Nesting deeper than the stack: no location, V8's message still says why.
  }
}

/** 1-based line and column of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return { line, column };
}

/** V8's message without the quoted text and the offset (the caller gives line and column). */
export function shortJsonMessage(message: string): string {
  return message
    .replace(/, (?:\.\.\.)?".*" is not valid JSON$/s, '')
    .replace(/ in JSON at position \d+.*$/s, '')
    .replace(/ after JSON at position \d+.*$/s, ' after the JSON value');
}
