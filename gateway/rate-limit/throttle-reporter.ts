// Logs what the rate limiter refused once per interval (a warning naming the worst
// sources), instead of a line per refused request, which a flood would turn into a
// second flood.
import type { Logger } from 'pino';
import { systemClock, type Clock, type Timer } from '../../time/clock';
import type { ThrottleSummary } from './sip-rate-limiter';

export interface ThrottleSummarySource {
  takeSummary(): ThrottleSummary;
}

export class ThrottleReporter {
  private timer?: Timer;
  private closed = false;

  constructor(
    private readonly limiter: ThrottleSummarySource,
    private readonly log: Logger,
    private readonly intervalMs = 10_000,
    private readonly clock: Clock = systemClock,
  ) {
    if (!(intervalMs > 0))
      throw new RangeError(
        `throttle report interval: expected a positive number of ms, got ${intervalMs}`,
      );
    this.schedule();
  }

  /** Logs the current summary now, if anything was throttled. */
  report(): void {
    const s = this.limiter.takeSummary();
    if (s.throttled > 0)
      this.log.warn(
        s,
        `SIP requests throttled: ${s.throttled} from ${s.sources} source(s) in ${Math.round(s.sinceMs / 1000)} s`,
      );
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) this.timer.cancel();
    this.timer = undefined;
    this.report();
  }

  private schedule(): void {
    this.timer = this.clock.after(this.intervalMs, () => {
      if (this.closed) return;
      this.report();
      this.schedule();
    });
  }
}
