// Keeps the private rtpengine running: when its process exits without being asked to, the
// exit is reported (down, stateLost: every call it anchored is gone) and a new process is
// started on the same ng port and media ports, so the gateway's ng client carries on.
// Restarts back off (250 ms doubling to 10 s) so that a crash loop does not spin; the delay
// resets once an instance has stayed up for a minute.
import createDebug from 'debug';
import { systemClock, type Clock, type Timer } from '../time/clock';
import type { RtpengineHealth } from './rtpengine-health';
import {
  startRtpengineProcess,
  type ProcessExit,
  type RtpengineProcess,
  type RtpengineProcessOptions,
} from './rtpengine-process';

const debug = createDebug('holdfast:rtpengine-supervisor');

export interface BackoffOptions {
  /** First restart delay. Default 250 ms. */
  initialMs?: number;
  /** Ceiling. Default 10 000 ms. */
  maxMs?: number;
  /** Up this long and the delay starts from initialMs again. Default 60 000 ms. */
  stableMs?: number;
}

/** Restart delays: doubling up to a ceiling, from the start again after a stable period. */
export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly stableMs: number;
  private nextMs: number;

  constructor(opts: BackoffOptions = {}) {
    this.initialMs = opts.initialMs ?? 250;
    this.maxMs = opts.maxMs ?? 10_000;
    this.stableMs = opts.stableMs ?? 60_000;
    if (!(this.initialMs > 0 && this.maxMs >= this.initialMs))
      throw new RangeError(
        `backoff needs 0 < initialMs <= maxMs (got ${this.initialMs}, ${this.maxMs})`,
      );
    this.nextMs = this.initialMs;
  }

  /** The delay before the next attempt, given how long the last instance stayed up. */
  next(upForMs: number): number {
    if (upForMs >= this.stableMs) this.nextMs = this.initialMs;
    const delay = this.nextMs;
    this.nextMs = Math.min(this.maxMs, this.nextMs * 2);
    return delay;
  }
}

export interface SupervisorOptions {
  process: RtpengineProcessOptions;
  health: RtpengineHealth;
  backoff?: BackoffOptions;
  clock?: Clock;
  /** A new process answers: the monitor takes a fresh uptime baseline. */
  onRestarted?: (pid: number) => void;
}

export class RtpengineSupervisor {
  private current: RtpengineProcess;
  private readonly backoff: Backoff;
  private readonly clock: Clock;
  private upSince: number;
  private timer?: Timer;
  private stopping?: Promise<void>;
  private restarting?: Promise<void>;
  private attempt = 0;

  constructor(
    first: RtpengineProcess,
    private readonly opts: SupervisorOptions,
  ) {
    this.current = first;
    this.clock = opts.clock ?? systemClock;
    this.backoff = new Backoff(opts.backoff);
    this.upSince = this.clock.now();
    this.follow(first);
  }

  get pid(): number {
    return this.current.pid;
  }

  logTail(): string[] {
    return this.current.logTail();
  }

  /** Stops the current process; no restart after that. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.timer?.cancel();
      this.opts.health.reportStopped();
      await this.restarting; // a process being started is stopped by restart() itself
      await this.current.stop();
    })();
    return this.stopping;
  }

  private follow(proc: RtpengineProcess): void {
    void proc.exited.then((exit) => this.onExit(proc, exit));
  }

  private onExit(proc: RtpengineProcess, exit: ProcessExit): void {
    if (this.stopping || proc !== this.current) return;
    const how = exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
    const reason = `rtpengine (pid ${proc.pid}) ${how}; its last words: ${exit.lastWords}`;
    debug(reason);
    const { health } = this.opts;
    health.reportDown('exited', reason);
    health.reportStateLost('exited', false);
    this.scheduleRestart(this.backoff.next(this.clock.now() - this.upSince));
  }

  private scheduleRestart(delayMs: number): void {
    if (this.stopping) return;
    this.timer = this.clock.after(delayMs, () => {
      this.timer = undefined;
      this.restarting = this.restart().finally(() => (this.restarting = undefined));
    });
  }

  private async restart(): Promise<void> {
    if (this.stopping) return;
    this.attempt++;
    let proc: RtpengineProcess;
    try {
      proc = await startRtpengineProcess(this.opts.process);
    } catch (err) {
      if (this.stopping) return;
      // A failed start stayed up for no time: the delay keeps growing.
      const nextInMs = this.backoff.next(0);
      debug('restart %d failed: %s', this.attempt, (err as Error).message);
      this.opts.health.reportRestartFailed(this.attempt, err as Error, nextInMs);
      this.scheduleRestart(nextInMs);
      return;
    }
    if (this.stopping) {
      await proc.stop();
      return;
    }
    this.current = proc;
    this.upSince = this.clock.now();
    this.follow(proc);
    this.opts.onRestarted?.(proc.pid);
    this.opts.health.reportRestarted(proc.pid);
  }
}
