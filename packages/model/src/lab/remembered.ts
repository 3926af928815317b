/**
 * A pure function of a string, remembered per input: a lab is validated, compiled and
 * observed on every apply, and an edit of a 1000-namespace lab would otherwise parse the same
 * 1000 addresses and check the same 2000 names again each time. Bounded: when it holds `limit`
 * inputs it starts over. Results are shared, so they must never be changed by their users.
 */
export function remembered<T>(compute: (text: string) => T, limit = 50_000): (text: string) => T {
  let cache = new Map<string, T>();
  return (text) => {
    const hit = cache.get(text);
    if (hit !== undefined || cache.has(text)) return hit as T;
    const value = compute(text);
    if (cache.size >= limit) cache = new Map();
    cache.set(text, value);
    return value;
  };
}
