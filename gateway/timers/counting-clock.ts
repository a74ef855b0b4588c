// A clock that knows how many of its timers are pending: one per gateway, so that leak
// checks ("no deadline left") count that gateway's deadlines and nobody else's.
import type { Clock, Timer } from '../../time/clock';

export class CountingClock implements Clock {
  private pendingCount = 0;

  constructor(private readonly inner: Clock) {}

  get pending(): number {
    return this.pendingCount;
  }

  now(): number {
    return this.inner.now();
  }

  after(ms: number, fn: () => void): Timer {
    let live = true;
    const settle = () => {
      if (!live) return false;
      live = false;
      this.pendingCount--;
      return true;
    };
    this.pendingCount++;
    const timer = this.inner.after(ms, () => {
      if (settle()) fn();
    });
    return {
      cancel: () => {
        if (settle()) timer.cancel();
      },
    };
  }
}
