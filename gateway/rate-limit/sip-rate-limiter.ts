// Per-source rate limiting of SIP requests. Each source address has two token buckets:
// one for requests that cost the most (INVITE and REGISTER: a dialog, an rtpengine
// session, a digest check) and one for everything else. Sources on an exemption list (the
// SBCs) get their own, larger budgets. Throttled requests are counted per source and
// reported once per interval (see throttle-reporter.ts), not logged one by one.
import { LruTable } from './lru-table';
import { assertBudget, RateLimitConfigError, TokenBucket, type Budget } from './token-bucket';

export type SipRequestClass = 'setup' | 'other';

export function requestClass(method: string): SipRequestClass {
  const m = method.toUpperCase();
  return m === 'INVITE' || m === 'REGISTER' ? 'setup' : 'other';
}

/** Which addresses an exemption covers (gateway/sip/AddressAllowList fits). */
export interface AddressMatcher {
  allows(address: string): boolean;
}

export interface Exemption {
  /** For the log. */
  name: string;
  from: AddressMatcher;
  /** Budgets per source address of this exemption; unlimited when left out. */
  setup?: Budget;
  other?: Budget;
}

export interface SipRateLimiterOptions {
  setup: Budget;
  other: Budget;
  exemptions?: Exemption[];
  /** Source addresses tracked at once (least recently seen forgotten first); default 10000. */
  maxSources?: number;
  /** Distinct throttled sources listed in a summary; the rest are counted; default 20. */
  summaryTop?: number;
  /** Milliseconds; monotonic. */
  now: () => number;
}

interface Source {
  setup: TokenBucket | undefined;
  other: TokenBucket | undefined;
  /** Exemption name, if any. */
  exemption?: string;
}

export interface ThrottledSource {
  source: string;
  setup: number;
  other: number;
  exemption?: string;
}

export interface ThrottleSummary {
  /** Throttled requests since the last summary. */
  throttled: number;
  /** Distinct sources throttled since the last summary. */
  sources: number;
  /** The sources with the most throttled requests, most first. */
  top: ThrottledSource[];
  sinceMs: number;
}

const UNLIMITED: Budget = { perSecond: Infinity, burst: Infinity };

export class SipRateLimiter {
  private readonly sources: LruTable<string, Source>;
  private readonly throttled: LruTable<string, ThrottledSource>;
  private readonly exemptions: Exemption[];
  private throttledTotal = 0;
  private since: number;

  constructor(private readonly o: SipRateLimiterOptions) {
    assertBudget('rate limit setup (INVITE, REGISTER)', o.setup);
    assertBudget('rate limit other requests', o.other);
    this.exemptions = (o.exemptions ?? []).map((e) => {
      if (!e.name || typeof e.from?.allows !== 'function')
        throw new RateLimitConfigError(`rate limit exemption: needs a name and an address matcher`);
      if (e.setup) assertBudget(`rate limit exemption ${e.name} setup`, e.setup);
      if (e.other) assertBudget(`rate limit exemption ${e.name} other`, e.other);
      return e;
    });
    const max = o.maxSources ?? 10_000;
    this.sources = new LruTable(max);
    // Throttled sources are remembered in a table of the same bound.
    this.throttled = new LruTable(max);
    this.since = o.now();
  }

  /** Source addresses being tracked (bounded by maxSources). */
  get trackedSources(): number {
    return this.sources.size;
  }

  /** True if a request with this method from this address may be handled now. */
  allow(sourceAddress: string, method: string): boolean {
    const now = this.o.now();
    const cls = requestClass(method);
    // An evicted source comes back with full buckets: lenient, but memory stays bounded.
    const source = this.sources.use(sourceAddress, () => this.newSource(sourceAddress, now));
    const bucket = source[cls];
    if (!bucket || bucket.take(now)) return true;
    this.throttledTotal++;
    const entry = this.throttled.use(sourceAddress, () => ({
      source: sourceAddress,
      setup: 0,
      other: 0,
      exemption: source.exemption,
    }));
    entry[cls]++;
    return false;
  }

  /** What was throttled since the last call, then starts counting afresh. */
  takeSummary(): ThrottleSummary {
    const now = this.o.now();
    const all = [...this.throttled.values()];
    this.throttled.clear();
    all.sort((a, b) => b.setup + b.other - (a.setup + a.other));
    const summary: ThrottleSummary = {
      throttled: this.throttledTotal,
      sources: all.length,
      top: all
        .slice(0, this.o.summaryTop ?? 20)
        .map(({ exemption, ...s }) => (exemption ? { ...s, exemption } : s)),
      sinceMs: now - this.since,
    };
    this.throttledTotal = 0;
    this.since = now;
    return summary;
  }

  private newSource(address: string, now: number): Source {
    const exemption = this.exemptions.find((e) => e.from.allows(address));
    const setup = exemption ? (exemption.setup ?? UNLIMITED) : this.o.setup;
    const other = exemption ? (exemption.other ?? UNLIMITED) : this.o.other;
    return {
      setup: setup.perSecond === Infinity ? undefined : new TokenBucket(setup, now),
      other: other.perSecond === Infinity ? undefined : new TokenBucket(other, now),
      ...(exemption && { exemption: exemption.name }),
    };
  }
}
