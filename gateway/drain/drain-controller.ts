// Graceful shutdown. On drain() the gateway stops taking new calls (the SIP handler answers
// INVITEs 503 with Retry-After while acceptingCalls() is false, and /ready fails so load
// balancers move on), waits for active calls to end by themselves, and at the latest after
// limitMs asks the owner to end the rest cleanly. force() (a second signal) skips the wait.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { systemClock, type Clock, type Timer } from '../../time/clock';
import { assertDrainMove, type DrainState } from './drain-state';

export type DrainEnd = 'idle' | 'limit' | 'forced';

export interface DrainResult {
  end: DrainEnd;
  /** Calls still up when the wait ended (ended by endRemaining). */
  remaining: number;
  elapsedMs: number;
}

export interface DrainOptions {
  activeCalls: () => number;
  /** Ends the calls still up (BYE / CANCEL, records emitted). Called at most once. */
  endRemaining: () => Promise<void>;
  /** Longest wait for calls to end by themselves; default 5 min. */
  limitMs?: number;
  /** How long endRemaining may take before the drain stops anyway; default 10 s. */
  endTimeoutMs?: number;
  /** Re-count active calls this often, in case callEnded() is not wired; default 1 s. */
  pollMs?: number;
  /** Retry-After (seconds) for INVITEs refused while draining; default 30. */
  retryAfterS?: number;
  clock?: Clock;
  log?: Logger;
}

export interface DrainEvents {
  state: [to: DrainState, from: DrainState];
}

function positive(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!(v > 0) || !Number.isFinite(v))
    throw new RangeError(`drain ${name}: expected a positive number, got ${value}`);
  return v;
}

export class DrainController extends EventEmitter<DrainEvents> {
  private stateValue: DrainState = 'running';
  private readonly clock: Clock;
  private readonly limitMs: number;
  private readonly endTimeoutMs: number;
  private readonly pollMs: number;
  readonly retryAfterS: number;
  private startedAt = 0;
  private poll?: Timer;
  private limit?: Timer;
  private finishing = false;
  private resolveDone!: (r: DrainResult) => void;
  private readonly done = new Promise<DrainResult>((resolve) => (this.resolveDone = resolve));

  constructor(private readonly o: DrainOptions) {
    super();
    this.clock = o.clock ?? systemClock;
    this.limitMs = positive('limitMs', o.limitMs, 300_000);
    this.endTimeoutMs = positive('endTimeoutMs', o.endTimeoutMs, 10_000);
    this.pollMs = positive('pollMs', o.pollMs, 1000);
    this.retryAfterS = Math.round(positive('retryAfterS', o.retryAfterS, 30));
  }

  get state(): DrainState {
    return this.stateValue;
  }

  acceptingCalls(): boolean {
    return this.stateValue === 'running';
  }

  /** A readiness check: fails once draining has begun. */
  readonly readinessCheck = async (): Promise<void> => {
    if (this.stateValue !== 'running') throw new Error(`gateway is ${this.stateValue}`);
  };

  /** Starts draining (idempotent); resolves when the gateway holds no call any more. */
  drain(): Promise<DrainResult> {
    if (this.stateValue !== 'running') return this.done;
    this.move('draining');
    this.startedAt = this.clock.now();
    this.o.log?.info(
      { activeCalls: this.count(), limitMs: this.limitMs },
      'draining: refusing new calls, waiting for active calls to end',
    );
    this.limit = this.clock.after(this.limitMs, () => void this.finish('limit'));
    this.callEnded();
    return this.done;
  }

  /** Tells the controller a call ended, so an idle gateway stops without waiting for the poll. */
  callEnded(): void {
    if (this.stateValue !== 'draining' || this.finishing) return;
    if (this.count() === 0) {
      void this.finish('idle');
      return;
    }
    if (this.poll !== undefined) this.poll.cancel();
    this.poll = this.clock.after(this.pollMs, () => {
      this.poll = undefined;
      this.callEnded();
    });
  }

  /** Ends remaining calls now (second SIGTERM/SIGINT). */
  force(): Promise<DrainResult> {
    if (this.stateValue === 'running') void this.drain();
    if (this.stateValue === 'draining') void this.finish('forced');
    return this.done;
  }

  /** Releases the controller's timers: a drain under way is forced to its end. */
  async close(): Promise<void> {
    if (this.stateValue === 'draining') await this.force();
  }

  private async finish(end: DrainEnd): Promise<void> {
    if (this.finishing) return;
    this.finishing = true;
    this.clearTimers();
    const remaining = this.count();
    if (remaining > 0) {
      this.o.log?.warn({ remaining, end }, 'draining: ending the calls still up');
      await this.endWithin();
    }
    const result = { end, remaining, elapsedMs: Math.round(this.clock.now() - this.startedAt) };
    this.move('stopped');
    this.o.log?.info(result, 'drained');
    this.resolveDone(result);
  }

  private async endWithin(): Promise<void> {
    let timer: Timer | undefined;
    const timedOut = new Promise<'timeout'>(
      (resolve) => (timer = this.clock.after(this.endTimeoutMs, () => resolve('timeout'))),
    );
    try {
      const r = await Promise.race([this.o.endRemaining().then(() => 'ended' as const), timedOut]);
      if (r === 'timeout')
        this.o.log?.error(
          { endTimeoutMs: this.endTimeoutMs, left: this.count() },
          'draining: calls did not end in time; stopping anyway',
        );
    } catch (err) {
      this.o.log?.error({ err }, 'draining: ending the remaining calls failed; stopping anyway');
    } finally {
      if (timer !== undefined) timer.cancel();
    }
  }

  private count(): number {
    try {
      const n = this.o.activeCalls();
      return Number.isFinite(n) && n > 0 ? n : 0;
    } catch (err) {
      this.o.log?.error({ err }, 'draining: could not count active calls');
      return 0;
    }
  }

  private clearTimers(): void {
    if (this.poll !== undefined) this.poll.cancel();
    if (this.limit !== undefined) this.limit.cancel();
    this.poll = this.limit = undefined;
  }

  private move(to: DrainState): void {
    const from = this.stateValue;
    assertDrainMove(from, to);
    this.stateValue = to;
    this.emit('state', to, from);
  }
}
