// A token bucket refilled lazily from the clock: no timer per source.

export interface Budget {
  /** Sustained requests per second. */
  perSecond: number;
  /** Requests allowed in a burst (the bucket's size). */
  burst: number;
}

export class RateLimitConfigError extends Error {
  override name = 'RateLimitConfigError';
}

export function assertBudget(where: string, b: Budget): Budget {
  const ok = (n: number) => typeof n === 'number' && n > 0 && !Number.isNaN(n);
  if (!b || !ok(b.perSecond) || !ok(b.burst)) {
    throw new RateLimitConfigError(
      `${where}: expected { perSecond > 0, burst > 0 } (Infinity allowed), got ${JSON.stringify(b)}`,
    );
  }
  return b;
}

export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly budget: Budget,
    now: number,
  ) {
    this.tokens = budget.burst;
    this.at = now;
  }

  /** Takes one token if there is one. */
  take(now: number): boolean {
    const elapsed = Math.max(0, now - this.at);
    this.at = Math.max(this.at, now);
    this.tokens = Math.min(
      this.budget.burst,
      this.tokens + (elapsed * this.budget.perSecond) / 1000,
    );
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
