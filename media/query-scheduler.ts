// Spreads periodic rtpengine queries over time under one global rate limit. rtpengine keeps
// every ng reply (~1.9 KB per two-leg query) for 30–60 s to answer retransmissions, so
// the query rate, not the call count, bounds its memory: maxPerSec × 1.9 KB × 60 s at
// worst (1000/s ≈ 114 MB; 64 MB RSS measured at 200 calls). Each job wants a period, or
// says after each run when it wants the next (the watchdog times its polls to when a
// silence would become a loss); the soonest due go first. When there are more jobs than
// the budget allows, every job's effective period stretches evenly (jobs ÷ maxPerSec).
import { systemClock, type Clock, type Timer } from '../time/clock';

export interface QuerySchedulerOptions {
  /** Global ceiling on jobs started per second. Default 1000 (keeps 200 polled calls within ~300 ms). */
  maxPerSec?: number;
  /** How often the scheduler wakes up. Default 20 ms. */
  tickMs?: number;
  clock?: Clock;
}

/** One run of a job; may resolve with the clock time it wants to run next. */
export type JobRun = () => Promise<number | void | undefined>;

interface Job {
  periodMs: number;
  due: number;
  running: boolean;
  run: JobRun;
}

export class QueryScheduler {
  private readonly jobs = new Map<string, Job>();
  private readonly clock: Clock;
  private readonly maxPerSec: number;
  private readonly tickMs: number;
  private timer?: Timer;
  private tokens = 0;
  private lastRefill = 0;
  private closedFlag = false;
  /** Jobs started so far (for measurements). */
  started = 0;

  constructor(opts: QuerySchedulerOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.maxPerSec = opts.maxPerSec ?? 1000;
    this.tickMs = opts.tickMs ?? 20;
    if (!(this.maxPerSec > 0))
      throw new RangeError(`maxPerSec must be > 0 (got ${this.maxPerSec})`);
  }

  get size(): number {
    return this.jobs.size;
  }

  /** The period each job actually gets now, given the budget. */
  effectivePeriodMs(periodMs: number): number {
    return Math.max(periodMs, (this.jobs.size / this.maxPerSec) * 1000);
  }

  /**
   * Runs `run` about every periodMs (first run at once), or when its last run said, until
   * the returned function is called.
   */
  add(key: string, periodMs: number, run: JobRun): () => void {
    if (this.closedFlag) throw new Error('QueryScheduler is closed');
    if (this.jobs.has(key)) throw new Error(`QueryScheduler: job ${key} already exists`);
    const job: Job = { periodMs, due: this.clock.now(), running: false, run };
    this.jobs.set(key, job);
    this.arm();
    return () => {
      if (this.jobs.get(key) === job) this.jobs.delete(key);
      if (!this.jobs.size) this.disarm();
    };
  }

  /** Brings a job's next run forward to `at` (clock time) if it was due later. */
  wake(key: string, at: number): void {
    const job = this.jobs.get(key);
    if (job) job.due = Math.min(job.due, at);
  }

  close(): void {
    this.closedFlag = true;
    this.jobs.clear();
    this.disarm();
  }

  private arm(): void {
    if (this.timer || this.closedFlag) return;
    this.lastRefill = this.clock.now();
    this.tokens = Math.max(this.tokens, 1);
    this.timer = this.clock.after(0, () => this.tick());
  }

  private disarm(): void {
    if (this.timer) this.timer.cancel();
    this.timer = undefined;
  }

  private tick(): void {
    this.timer = undefined;
    const now = this.clock.now();
    // Token bucket: refill at maxPerSec, burst at most one tick's worth (plus one).
    const burst = Math.max(1, (this.maxPerSec * this.tickMs) / 1000) + 1;
    this.tokens = Math.min(burst, this.tokens + ((now - this.lastRefill) * this.maxPerSec) / 1000);
    this.lastRefill = now;
    const due = [...this.jobs.values()].filter((j) => j.due <= now && !j.running);
    due.sort((a, b) => a.due - b.due);
    for (const job of due) {
      if (this.tokens < 1) break;
      this.tokens -= 1;
      this.started++;
      job.running = true;
      // Next due from the time it was due (keeps the rate) but never in the past.
      job.due = Math.max(job.due + job.periodMs, now);
      job.run().then(
        (next) => {
          job.running = false;
          if (typeof next === 'number') job.due = next;
        },
        () => (job.running = false),
      );
    }
    if (this.jobs.size && !this.closedFlag) {
      this.timer = this.clock.after(this.tickMs, () => this.tick());
    }
  }
}
