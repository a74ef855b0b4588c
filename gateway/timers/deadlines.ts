// Deadlines (reconnect window, presence timeout, ring timeout, maximum wait) behind one
// small interface, so that unit tests drive time by hand and production uses node-schedule.
// Every Deadlines instance counts what it has pending: tests assert it returns to zero.
import schedule from 'node-schedule';

export interface Deadline {
  cancel(): void;
}

export interface Scheduler {
  /** Runs fn once, ms from now. */
  after(ms: number, fn: () => void): Deadline;
  /** Milliseconds, monotonic enough for elapsed times. */
  now(): number;
}

/** node-schedule jobs at a Date; cancelled jobs leave nothing behind. */
export const nodeScheduleScheduler: Scheduler = {
  after(ms, fn) {
    const job = schedule.scheduleJob(new Date(Date.now() + Math.max(1, ms)), fn);
    // node-schedule returns null for a date in the past: run it on the next tick instead.
    if (!job) {
      const t = setTimeout(fn, 0);
      return { cancel: () => clearTimeout(t) };
    }
    return { cancel: () => job.cancel() };
  },
  now: () => Date.now(),
};

/** A group of deadlines owned by one object (a call, an agent), released together. */
export class Deadlines {
  private static live = 0;
  private readonly pending = new Map<string, Deadline>();

  constructor(private readonly scheduler: Scheduler = nodeScheduleScheduler) {}

  /** Deadlines pending in the whole process (for leak checks). */
  static get liveCount(): number {
    return Deadlines.live;
  }

  get size(): number {
    return this.pending.size;
  }

  has(name: string): boolean {
    return this.pending.has(name);
  }

  /** Sets (or replaces) the named deadline. */
  set(name: string, ms: number, fn: () => void): void {
    this.cancel(name);
    const d = this.scheduler.after(ms, () => {
      if (this.pending.get(name) !== d) return;
      this.pending.delete(name);
      Deadlines.live--;
      fn();
    });
    this.pending.set(name, d);
    Deadlines.live++;
  }

  cancel(name: string): void {
    const d = this.pending.get(name);
    if (!d) return;
    d.cancel();
    this.pending.delete(name);
    Deadlines.live--;
  }

  cancelAll(): void {
    for (const name of [...this.pending.keys()]) this.cancel(name);
  }
}
