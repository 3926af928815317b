/** A counting semaphore with a fast lane. */
export function createGate(limit: number) {
  let active = 0;
  const urgent: (() => void)[] = [];
  const waiting: (() => void)[] = [];
  return {
    /** `first`: ahead of every ordinary waiter (after earlier urgent ones). */
    enter(first = false): Promise<void> {
      if (active < limit) {
        active += 1;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => (first ? urgent : waiting).push(resolve));
    },
    leave(): void {
      const next = urgent.shift() ?? waiting.shift();
      if (next) next();
      else active -= 1;
    },
  };
}
