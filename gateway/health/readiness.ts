// Readiness: a set of named async checks (the gateway supplies them: drachtio connected,
// rtpengine answers ping, not draining…), each with a timeout. A check passes when it
// resolves and fails when it rejects or does not settle in time. Concurrent probes share
// one run, so a load balancer probing often cannot pile checks up. Details (rtpengine's
// supervision state…) are shown by /health, which stays 200: restarting the gateway would
// not help a component that is being restarted or is external.
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

/** A component's state for /health; `ok: false` makes the gateway report 'degraded'. */
export type HealthDetail = () => { ok: boolean } & Record<string, unknown>;

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
  private readonly detailFns = new Map<string, HealthDetail>();
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

  /** Adds (or replaces) a detail shown by /health; returns a function that removes it. */
  addDetail(name: string, detail: HealthDetail): () => void {
    if (!name) throw new TypeError('health detail: needs a name');
    this.detailFns.set(name, detail);
    return () => {
      if (this.detailFns.get(name) === detail) this.detailFns.delete(name);
    };
  }

  /** Every detail now (synchronous: /health must answer even when things hang). */
  details(): Record<string, { ok: boolean } & Record<string, unknown>> {
    const out: Record<string, { ok: boolean } & Record<string, unknown>> = {};
    for (const [name, fn] of this.detailFns) {
      try {
        out[name] = fn();
      } catch (err) {
        out[name] = { ok: false, error: err instanceof Error ? err.message : String(err) };
      }
    }
    return out;
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
