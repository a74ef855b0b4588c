// Watches an rtpengine from the outside: an ng ping every intervalMs on a client of its
// own (never queued behind the gateway's requests). downAfter failures in a row → 'down'
// (unresponsive); the next answer → 'up'. With detectRestarts (an external rtpengine, whose
// process we cannot see) it also reads rtpengine's uptime from `statistics` to tell that
// it restarted — and so lost every call — even when no ping ever failed.
//
// rtpengine 10.5 reports `statistics.totalstatistics.uptime` as whole seconds in a string
// ("57"), measured: its start time is known to within a second plus the round trip.
import createDebug from 'debug';
import { systemClock, type Clock, type Timer } from '../time/clock';
import { NgClient } from './ng-client';
import type { NgReply } from './ng-types';
import type { RtpengineHealth } from './rtpengine-health';

const debug = createDebug('holdfast:rtpengine-monitor');

export interface MonitorOptions {
  /** Between two pings. Default 1000 ms. */
  intervalMs?: number;
  /** Default 1000 ms. */
  pingTimeoutMs?: number;
  /** Failed pings in a row that make rtpengine 'down'. Default 2. */
  downAfter?: number;
  /** Read the uptime every Nth answered ping (and after every outage). Default 5. */
  restartCheckEvery?: number;
  /** Slack for clock drift between two uptime readings. Default 500 ms. */
  restartMarginMs?: number;
}

/** Where rtpengine's start time lies, from one uptime reading. */
interface StartWindow {
  earliest: number;
  latest: number;
}

/**
 * Tells from successive uptime readings whether rtpengine started again in between. Each
 * reading bounds the start time: uptime u (whole seconds) read between sentAt and
 * receivedAt puts it in [sentAt - (u + 1) s, receivedAt - u s]. Two readings of one
 * process overlap; a restart moves the window past the previous one.
 */
export class RestartDetector {
  private window?: StartWindow;

  constructor(private readonly marginMs = 500) {}

  observe(uptimeSec: number, sentAt: number, receivedAt: number): boolean {
    const next = {
      earliest: sentAt - (uptimeSec + 1) * 1000,
      latest: receivedAt - uptimeSec * 1000,
    };
    const prev = this.window;
    this.window = next;
    return prev !== undefined && next.earliest > prev.latest + this.marginMs;
  }

  reset(): void {
    this.window = undefined;
  }
}

/** rtpengine's uptime in seconds from a `statistics` reply, if it says. */
export function uptimeOf(reply: NgReply): number | undefined {
  const stats = reply.statistics as { totalstatistics?: { uptime?: unknown } } | undefined;
  const raw = stats?.totalstatistics?.uptime;
  const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
}

export class RtpengineMonitor {
  private readonly client: NgClient;
  private readonly clock: Clock;
  private readonly intervalMs: number;
  private readonly downAfter: number;
  private readonly checkEvery: number;
  private readonly detector: RestartDetector;
  private timer?: Timer;
  private stopped = false;
  private failures = 0;
  private answered = 0;
  private uptimeUnknown = false;

  constructor(
    host: string,
    port: number,
    private readonly health: RtpengineHealth,
    private readonly detectRestarts: boolean,
    opts: MonitorOptions & { clock?: Clock } = {},
  ) {
    this.clock = opts.clock ?? systemClock;
    this.intervalMs = opts.intervalMs ?? 1000;
    this.downAfter = opts.downAfter ?? 2;
    this.checkEvery = opts.restartCheckEvery ?? 5;
    this.detector = new RestartDetector(opts.restartMarginMs);
    this.client = new NgClient({
      host,
      port,
      timeoutMs: opts.pingTimeoutMs ?? 1000,
      maxInFlight: 2,
    });
  }

  /** Takes the first uptime reading at once, then pings every intervalMs. */
  async start(): Promise<void> {
    if (this.detectRestarts) await this.restarted();
    this.schedule();
  }

  /** Forget the last uptime reading (the supervisor started a new process). */
  rebase(): void {
    this.detector.reset();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.client.close();
  }

  private schedule(): void {
    if (!this.stopped) this.timer = this.clock.after(this.intervalMs, () => void this.tick());
  }

  private async tick(): Promise<void> {
    try {
      await this.client.ping();
    } catch (err) {
      if (this.stopped) return;
      this.failures++;
      if (this.failures >= this.downAfter && this.health.up)
        this.health.reportDown(
          'unresponsive',
          `no answer to ${this.failures} ng pings in a row: ${(err as Error).message}`,
        );
      this.schedule();
      return;
    }
    if (this.stopped) return;
    this.failures = 0;
    this.answered++;
    // Back from an outage we saw (not one the supervisor handles: its process died).
    const back = this.health.state === 'down' && this.health.downCause === 'unresponsive';
    const check = this.detectRestarts && (back || this.answered % this.checkEvery === 0);
    const restarted = check && (await this.restarted());
    if (this.stopped) return;
    if (restarted) this.health.reportStateLost('restarted', true);
    if (back) this.health.reportUp(restarted);
    this.schedule();
  }

  /** Reads the uptime; true when rtpengine restarted since the last reading. */
  private async restarted(): Promise<boolean> {
    if (this.uptimeUnknown) return false;
    const sentAt = this.clock.now();
    let reply: NgReply;
    try {
      reply = await this.client.request('statistics');
    } catch (err) {
      debug('statistics failed: %s', (err as Error).message);
      return false;
    }
    const uptime = uptimeOf(reply);
    if (uptime === undefined) {
      // Another rtpengine version: restarts are then seen only when pings fail.
      this.uptimeUnknown = true;
      debug('statistics reply has no totalstatistics.uptime: restart detection off');
      return false;
    }
    return this.detector.observe(uptime, sentAt, this.clock.now());
  }
}
