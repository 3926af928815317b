import { describe, expect, it } from 'vitest';
import { canonicalCidr, canonicalIp, parseCidr, parseIp } from './address';
import { checkKernelName } from './names';
import { remembered } from './remembered';

/** A function that counts its calls per input. */
function counting<T>(compute: (text: string) => T): {
  fn: (text: string) => T;
  calls: Map<string, number>;
} {
  const calls = new Map<string, number>();
  return {
    fn: (text) => {
      calls.set(text, (calls.get(text) ?? 0) + 1);
      return compute(text);
    },
    calls,
  };
}

describe('remembered', () => {
  it('computes once per input and gives the same result again', () => {
    const { fn, calls } = counting((text) => ({ length: text.length }));
    const f = remembered(fn);
    const first = f('abc');
    expect(first).toEqual({ length: 3 });
    expect(f('abc')).toBe(first);
    expect(f('abc')).toBe(first);
    expect(f('de')).toEqual({ length: 2 });
    expect(f('de')).toEqual({ length: 2 });
    expect(calls).toEqual(
      new Map([
        ['abc', 1],
        ['de', 1],
      ]),
    );
  });

  it('remembers a null or undefined result too', () => {
    const { fn, calls } = counting((text) => (text === 'null' ? null : undefined));
    const f = remembered(fn);
    for (let i = 0; i < 3; i++) {
      expect(f('null')).toBeNull();
      expect(f('undefined')).toBeUndefined();
    }
    expect(calls).toEqual(
      new Map([
        ['null', 1],
        ['undefined', 1],
      ]),
    );
  });

  it('tells the empty text from others', () => {
    const { fn, calls } = counting((text) => text.length);
    const f = remembered(fn);
    expect(f('')).toBe(0);
    expect(f('')).toBe(0);
    expect(f('x')).toBe(1);
    expect(calls.get('')).toBe(1);
  });

  it('starts over when it holds `limit` inputs, and then remembers again', () => {
    const { fn, calls } = counting((text) => text.toUpperCase());
    const f = remembered(fn, 2);
    f('a');
    f('b');
    f('a');
    f('b');
    expect([calls.get('a'), calls.get('b')]).toEqual([1, 1]);
    // A third input: the two before are forgotten.
    expect(f('c')).toBe('C');
    expect(f('c')).toBe('C');
    expect(calls.get('c')).toBe(1);
    expect(f('a')).toBe('A');
    expect(calls.get('a')).toBe(2);
    // And it remembers again after starting over.
    expect(f('a')).toBe('A');
    expect(calls.get('a')).toBe(2);
  });

  it('never holds more than `limit` inputs however many it is given', () => {
    const { fn, calls } = counting((text) => text);
    const f = remembered(fn, 3);
    const inputs = Array.from({ length: 10 }, (_, i) => `t${i}`);
    for (const text of inputs) f(text);
    expect(inputs.every((text) => calls.get(text) === 1)).toBe(true);
    // The last one is surely held; the first ones were forgotten long ago.
    f('t9');
    expect(calls.get('t9')).toBe(1);
    f('t0');
    expect(calls.get('t0')).toBe(2);
  });
});

describe('the remembered address and name checks', () => {
  it('parse a valid CIDR the same way every time', () => {
    for (let i = 0; i < 3; i++) {
      expect(parseCidr('192.168.15.1/24')).toEqual({
        address: { family: 4, value: 0xc0a80f01n },
        prefix: 24,
      });
      expect(parseCidr('fd00::1/64')).toEqual({
        address: { family: 6, value: (0xfd00n << 112n) | 1n },
        prefix: 64,
      });
    }
    expect(parseCidr('10.0.0.1/8')).toBe(parseCidr('10.0.0.1/8'));
  });

  it('refuse an invalid CIDR every time', () => {
    for (let i = 0; i < 3; i++)
      for (const text of [
        '1.2.3.4/33',
        '192.168.15.1',
        'nonsense',
        '',
        '01.2.3.4/8',
        'fd00::1/129',
      ])
        expect(parseCidr(text), text).toBeNull();
  });

  it('give the canonical text of a CIDR every time, and the input itself when it does not parse', () => {
    for (let i = 0; i < 3; i++) {
      expect(canonicalCidr('fd00:0::1/64')).toBe('fd00::1/64');
      expect(canonicalCidr('FD00::0:1/64')).toBe('fd00::1/64');
      expect(canonicalCidr('192.168.15.1/24')).toBe('192.168.15.1/24');
      expect(canonicalCidr('1.2.3.4/33')).toBe('1.2.3.4/33');
      expect(canonicalCidr('nonsense')).toBe('nonsense');
    }
  });

  it('give the same answers for addresses and kernel names every time', () => {
    for (let i = 0; i < 3; i++) {
      expect(parseIp('192.168.15.5')).toEqual({ family: 4, value: 0xc0a80f05n });
      expect(parseIp('192.168.15')).toBeNull();
      expect(canonicalIp('fd00:0::5')).toBe('fd00::5');
      expect(canonicalIp('x')).toBe('x');
      expect(checkKernelName('veth-red')).toBeNull();
      expect(checkKernelName('up')).toEqual({ rule: 'keyword', keyword: 'up' });
      expect(checkKernelName('a/b')).toEqual({ rule: 'forbidden-character', character: '/' });
    }
  });
});
