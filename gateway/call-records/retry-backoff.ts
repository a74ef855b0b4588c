// Exponential backoff with "equal jitter": the n-th retry waits a random time in
// [delay/2, delay], delay = min(max, base·2^(n-1)). Spreads retries from many gateways after
// a receiver outage while keeping a floor, so retries never hammer it.

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** Uniform in [0, 1); Math.random by default. */
  random?: () => number;
}

export function backoffDelay(retry: number, opts: BackoffOptions): number {
  const ceiling = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, retry - 1));
  const r = (opts.random ?? Math.random)();
  return Math.round(ceiling / 2 + (ceiling / 2) * r);
}
