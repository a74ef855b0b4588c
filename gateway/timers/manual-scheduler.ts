// A Scheduler whose time moves only when told: for unit tests of timing rules.
import type { Deadline, Scheduler } from './deadlines';

export class ManualScheduler implements Scheduler {
  private t = 0;
  private jobs: { at: number; fn: () => void; cancelled: boolean }[] = [];

  now(): number {
    return this.t;
  }

  after(ms: number, fn: () => void): Deadline {
    const job = { at: this.t + ms, fn, cancelled: false };
    this.jobs.push(job);
    return { cancel: () => (job.cancelled = true) };
  }

  /** Moves time forward, running what falls due in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = this.jobs
        .filter((j) => !j.cancelled && j.at <= end)
        .sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.t = due.at;
      due.cancelled = true;
      due.fn();
    }
    this.t = end;
    this.jobs = this.jobs.filter((j) => !j.cancelled);
  }

  get pending(): number {
    return this.jobs.filter((j) => !j.cancelled).length;
  }
}
