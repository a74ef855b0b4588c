// Time as a dependency: one small interface for every layer (SIP transactions, media
// polling and playback, the gateway's deadlines), so that unit tests drive time by hand
// (test/fixtures/manual-clock.ts) and production code never sleeps in a test.
import { performance } from 'node:perf_hooks';

/** A pending call of `after`; cancel() is idempotent. */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds, monotonic (elapsed times, deadlines). */
  now(): number;
  /** Runs fn once, ms from now. */
  after(ms: number, fn: () => void): Timer;
}

/** Node's own timers and performance.now(). */
export const systemClock: Clock = {
  now: () => performance.now(),
  after(ms, fn) {
    const t = setTimeout(fn, Math.max(0, ms));
    return { cancel: () => clearTimeout(t) };
  },
};
