// Readiness: a set of named async checks (the gateway supplies them: drachtio connected,
// rtpengine answers ping, not draining…), each with a timeout. A check passes when it
// resolves and fails when it rejects or does not settle in time. Concurrent probes share
// one run, so a load balancer probing often cannot pile checks up.
import { systemClock, type Clock, type Timer } from '../../time/clock';

/** Resolves when healthy; rejects with an Error whose message says what is wrong. */
export type ReadinessCheck = () => Promise<void>;

export interface CheckResult {
  name: string;
  ok: boolean;
  /** Why it failed. */
  reason?: string;
  ms: number;
}

export interface ReadinessReport {
  ready: boolean;
  checks: CheckResult[];
}

export interface ReadinessOptions {
  /** Default timeout of a check; default 2000 ms. */
  timeoutMs?: number;
  clock?: Clock;
}

interface Registered {
  check: ReadinessCheck;
  timeoutMs: number;
}

export class Readiness {
  private readonly checks = new Map<string, Registered>();
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private running?: Promise<ReadinessReport>;

  constructor(opts: ReadinessOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.timeoutMs = opts.timeoutMs ?? 2000;
  }

  /** Adds (or replaces) a named check; returns a function that removes it. */
  add(name: string, check: ReadinessCheck, opts: { timeoutMs?: number } = {}): () => void {
    if (!name) throw new TypeError('readiness check: needs a name');
    if (typeof check !== 'function')
      throw new TypeError(`readiness check ${name}: expected an async function`);
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    if (!(timeoutMs > 0))
      throw new RangeError(`readiness check ${name}: timeoutMs must be positive, got ${timeoutMs}`);
    const entry = { check, timeoutMs };
    this.checks.set(name, entry);
    return () => {
      if (this.checks.get(name) === entry) this.checks.delete(name);
    };
  }

  get names(): string[] {
    return [...this.checks.keys()];
  }

  /** Runs every check (in parallel); ready when all pass. */
  run(): Promise<ReadinessReport> {
    this.running ??= this.runAll().finally(() => (this.running = undefined));
    return this.running;
  }

  private async runAll(): Promise<ReadinessReport> {
    const checks = await Promise.all([...this.checks].map(([name, c]) => this.runOne(name, c)));
    return { ready: checks.every((c) => c.ok), checks };
  }

  private runOne(name: string, c: Registered): Promise<CheckResult> {
    const started = this.clock.now();
    const result = (ok: boolean, reason?: string): CheckResult => ({
      name,
      ok,
      ...(reason !== undefined && { reason }),
      ms: Math.round(this.clock.now() - started),
    });
    return new Promise<CheckResult>((resolve) => {
      let timer: Timer | undefined = this.clock.after(c.timeoutMs, () => {
        timer = undefined;
        resolve(result(false, `no answer within ${c.timeoutMs} ms`));
      });
      const settle = (r: CheckResult) => {
        if (timer === undefined) return; // timed out already
        timer.cancel();
        timer = undefined;
        resolve(r);
      };
      let pending: Promise<void>;
      try {
        pending = Promise.resolve(c.check());
      } catch (err) {
        pending = Promise.reject(err);
      }
      pending.then(
        () => settle(result(true)),
        (err: unknown) => settle(result(false, err instanceof Error ? err.message : String(err))),
      );
    });
  }
}
