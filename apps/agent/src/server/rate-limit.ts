/** A token bucket: `burst` messages at once, then `perSecond` on average. */

export interface RateLimitOptions {
  perSecond: number;
  burst: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { perSecond: 50, burst: 100 };

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly options: RateLimitOptions,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = options.burst;
    this.last = now();
  }

  /** Takes one token; false when the bucket is empty. */
  take(): boolean {
    const now = this.now();
    const refill = ((now - this.last) / 1000) * this.options.perSecond;
    this.tokens = Math.min(this.options.burst, this.tokens + refill);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
