// Named deadlines owned by one object (a call, a leg, an absence), released together:
// close() of the owner cancels them all, so none outlives it.
import type { Clock, Timer } from '../../time/clock';

export class Deadlines {
  private readonly pending = new Map<string, Timer>();

  constructor(private readonly clock: Clock) {}

  get size(): number {
    return this.pending.size;
  }

  has(name: string): boolean {
    return this.pending.has(name);
  }

  /** Sets (or replaces) the named deadline. */
  set(name: string, ms: number, fn: () => void): void {
    this.cancel(name);
    const timer = this.clock.after(ms, () => {
      if (this.pending.get(name) !== timer) return;
      this.pending.delete(name);
      fn();
    });
    this.pending.set(name, timer);
  }

  cancel(name: string): void {
    const timer = this.pending.get(name);
    if (!timer) return;
    this.pending.delete(name);
    timer.cancel();
  }

  cancelAll(): void {
    for (const name of [...this.pending.keys()]) this.cancel(name);
  }
}
