// The per-leg decision of the media watchdog, free of I/O: fed the packet counter rtpengine
// reports for a leg (packets received *from* it) at the time of each poll, it says when the
// leg went silent for lossMs and when packets flow again.
//
// States: 'starting' (watched, no packet yet; allowed graceMs), 'flowing', 'lost',
// 'stalled', 'suspended' (the leg is not expected to send: held, inactive). Loss is
// declared only on evidence: a poll showing no new packet for lossMs since the poll that
// last saw the counter move.
//
// Only time covered by successful polls counts: when the watchdog could not observe
// (queries failing or answering late: rtpengine frozen, unreachable) it says so with
// blind(), and the next successful poll starts the silence clock afresh — the leg gets its
// grace again. A frozen rtpengine counts nothing: its unmoved counters are not evidence.
//
// When the last packet came: a poll only says the counter moved since the previous one. So
// that polls can be sparse while a leg flows (rtpengine's cost is per query), the counter's
// growth dates the last packet: a leg that sent k packets since the previous poll at a rate
// r was heard until about prev + (k + 1) / r. Only for a leg that sends at a constant rate
// (its last few intervals alike: fixed ptime, no DTX), r being the lowest of them less
// RATE_MARGIN, so that jitter dates late, never early. What it cannot tell: packets missing
// in the middle of an interval (a pause, then more) are dated as if missing at its end, so
// a leg silent again right after such a pause has the pause counted in its silence (a
// steady leg turning to DTX just before it stops, say). Either way a loss needs lossMs −
// flowingMs of silence seen by two polls, the rest dated (half of lossMs by default: far
// above DTX's 400 ms gaps). A leg short of its rate twice in a row learns it afresh.
// nextPollAt() asks for a poll exactly when the silence would reach lossMs, and otherwise
// every flowingMs; every unsteadyMs while the leg is not dated (no steady rate yet, Opus
// DTX, the interval after a short one), as its stop is then found up to one period late.
//
// 'stalled' instead of 'lost': silence that starts right after such a blind stretch (within
// stallWindowMs of the first poll that saw again) is most likely rtpengine's doing, not the
// party's. Measured on rtpengine 10.5: a socket that queued more than 250 packets while it
// was stopped (5 read loops of 50 each without draining it; ~5 s of 20 ms packets on
// loopback) is never read again — both directions of the call go silent for good, right
// after the backlog is counted. The party is not gone: the call needs fresh media ports.

export type LegLossState = 'starting' | 'flowing' | 'lost' | 'stalled' | 'suspended';

export type LegLossEvent =
  | { type: 'lost'; at: number; silentForMs: number }
  | { type: 'stalled'; at: number; silentForMs: number }
  | { type: 'restored'; at: number; lostForMs: number };

export interface LegLossOptions {
  lossMs: number;
  /** Time allowed for the first packet after watching starts or resumes. Default lossMs. */
  graceMs?: number;
  /** Silence beginning this soon after a blind stretch is 'stalled'. Default 1000 ms. */
  stallWindowMs?: number;
}

/** How often a leg wants to be polled, by what is known of it (see nextPollAt). */
export interface PollPeriods {
  /** While it flows steadily (its last packet dated from its rate). */
  flowingMs: number;
  /**
   * While it flows at a varying rate (Opus DTX), or has not shown a steady one yet: its
   * stop is found up to this late. Default flowingMs.
   */
  unsteadyMs?: number;
  /** While it starts (first packet awaited) or after a poll that could not see. */
  fastMs: number;
  /** While lost or stalled: how soon packets coming back are noticed. */
  lostMs: number;
}

/** The learned rate is taken this much lower than the slowest recent full interval. */
const RATE_MARGIN = 0.95;
/** Full intervals the rate is learned from, all in a row… */
const RATE_HISTORY = 4;
/** …and this close to each other (a constant-rate stream; not DTX, whose rate varies). */
const RATE_SPREAD = 1.25;

export class LegLossDetector {
  private stateValue: LegLossState = 'starting';
  private count?: number;
  /** Time of the poll that last saw the counter move (or of start/resume). */
  private lastChangeAt: number;
  private lostAt = 0;
  /** Since the last successful poll, a poll failed: the next one is a fresh baseline. */
  private blinded = false;
  private peersFlowing = false;
  /** Time of the first successful poll after the last blind stretch. */
  private sightAt?: number;
  /** Time of the previous successful poll, when its interval can date packets. */
  private prevPollAt?: number;
  /** The previous interval saw the counter move (so this one started flowing). */
  private prevMoved = false;
  /** Whether the last poll's interval was full (the leg sent until the poll, as far as known). */
  private heardToPoll = false;
  /** Packets per ms of recent full intervals. */
  private readonly rates: number[] = [];
  /** Intervals in a row short of the learned rate. */
  private shortfalls = 0;
  private readonly lossMs: number;
  private readonly graceMs: number;
  private readonly stallWindowMs: number;

  constructor(opts: LegLossOptions, now: number) {
    if (!(opts.lossMs > 0)) throw new RangeError(`lossMs must be > 0 (got ${opts.lossMs})`);
    this.lossMs = opts.lossMs;
    this.graceMs = opts.graceMs ?? opts.lossMs;
    this.stallWindowMs = opts.stallWindowMs ?? 1000;
    this.lastChangeAt = now;
  }

  get state(): LegLossState {
    return this.stateValue;
  }

  /** Whether a blind stretch is pending (the next poll is a baseline). */
  get isBlind(): boolean {
    return this.blinded;
  }

  /**
   * Feeds one poll's packet counter; returns the event it causes, if any. `peersFlowing`:
   * another party of the call sent packets since the previous poll, so rtpengine is reading
   * its sockets — a silence of this leg is then its own, never a stall.
   */
  observe(packets: number, now: number, peersFlowing = false): LegLossEvent | undefined {
    this.peersFlowing = peersFlowing;
    const moved = this.count !== undefined && packets > this.count;
    const first = this.count === undefined && packets > 0 && this.stateValue === 'starting';
    // A counter going down means a different stream (leg re-created): take it as a baseline.
    if (this.count !== undefined && packets < this.count) {
      this.count = packets;
      this.forgetRate(now);
      return undefined;
    }
    const heardUntil = moved ? this.lastPacketEstimate(packets - this.count!, now) : now;
    this.count = packets;
    this.heardToPoll = moved && heardUntil >= now;
    this.prevPollAt = this.blinded ? undefined : now;
    this.prevMoved = moved && !this.blinded;
    if (this.blinded) {
      this.blinded = false;
      this.sightAt = now;
      // No packet: nothing is known about the blind stretch; silence counts from here.
      const watching = this.stateValue === 'starting' || this.stateValue === 'flowing';
      if (!moved && !first && watching) {
        this.lastChangeAt = now;
        return undefined;
      }
    }
    switch (this.stateValue) {
      case 'suspended':
        return undefined;
      case 'starting':
        if (moved || first) {
          this.to('flowing', now);
          return undefined;
        }
        if (now - this.lastChangeAt >= this.graceMs) return this.lose(now);
        return undefined;
      case 'flowing':
        if (moved) {
          this.lastChangeAt = heardUntil;
          return undefined;
        }
        if (now - this.lastChangeAt >= this.lossMs) return this.lose(now);
        return undefined;
      case 'lost':
      case 'stalled':
        if (!moved) return undefined;
        this.to('flowing', now);
        return { type: 'restored', at: now, lostForMs: now - this.lostAt };
    }
  }

  /** A poll failed or answered too late to be trusted: the time since the last one is not evidence. */
  blind(): void {
    this.blinded = true;
  }

  /**
   * When this leg wants its next poll: at the moment its silence would reach lossMs if it
   * is silent now, else after the period its state asks for.
   */
  nextPollAt(now: number, p: PollPeriods): number {
    if (this.blinded) return now + p.fastMs;
    switch (this.stateValue) {
      case 'suspended':
        return now + p.flowingMs;
      case 'starting':
        return Math.min(now + p.fastMs, this.lastChangeAt + this.graceMs);
      case 'lost':
      case 'stalled':
        return now + p.lostMs;
      case 'flowing': {
        // The interval after a short one is not dated either (see lastPacketEstimate).
        const dated = this.steady && this.shortfalls === 0;
        let period = dated ? p.flowingMs : (p.unsteadyMs ?? p.flowingMs);
        // Back from a blind stretch: whether a silence is 'stalled' is decided now, and
        // the call's other watchers (the gateway's) should decide alike: poll as before.
        if (this.sightAt !== undefined && now - this.sightAt < this.stallWindowMs + this.lossMs)
          period = p.fastMs;
        if (this.heardToPoll) return now + period;
        return Math.max(now, Math.min(now + period, this.lastChangeAt + this.lossMs));
      }
    }
  }

  /**
   * The last packet of `delta` counted since the previous poll, dated by the leg's rate
   * (never after `now`) once the leg sends steadily; else `now`, which dates nothing.
   */
  private lastPacketEstimate(delta: number, now: number): number {
    const from = this.prevPollAt;
    if (from === undefined || this.blinded || now <= from || !this.prevMoved) return now;
    const until = this.steady
      ? Math.min(now, from + (delta + 1) / (Math.min(...this.rates) * RATE_MARGIN))
      : now;
    // After a short interval this one may have begun with a gap (a stop, then a return):
    // it is measured, not dated.
    const dated = this.shortfalls === 0;
    if (until < now) {
      // Short of the learned rate: it stopped in this interval, or a starved sender skipped
      // a few packets (measured under load: one stop in five was found a poll period late
      // when a hiccup made it forget the rate). Short twice in a row: a new rate, learnt afresh.
      if (++this.shortfalls >= 2) {
        this.rates.length = 0;
        this.shortfalls = 0;
      }
      return dated ? until : now;
    }
    this.shortfalls = 0;
    this.rates.push(delta / (now - from));
    if (this.rates.length > RATE_HISTORY) this.rates.shift();
    return until;
  }

  /** Whether the leg's recent full intervals show one rate (so its packets can be dated). */
  private get steady(): boolean {
    return (
      this.rates.length === RATE_HISTORY &&
      Math.max(...this.rates) <= Math.min(...this.rates) * RATE_SPREAD
    );
  }

  private forgetRate(now: number): void {
    this.rates.length = 0;
    this.shortfalls = 0;
    this.prevPollAt = now;
    this.prevMoved = false;
    this.heardToPoll = false;
  }

  /** The leg stops being expected to send (hold, inactive): no alarm meanwhile. */
  suspend(): void {
    if (this.stateValue === 'starting' || this.stateValue === 'flowing')
      this.stateValue = 'suspended';
    // A lost or stalled leg stays so: its 'restored' comes when packets do.
  }

  /** The leg is expected to send again; it gets graceMs for its first packet. */
  resume(now: number): void {
    if (this.stateValue !== 'suspended') return;
    this.stateValue = 'starting';
    this.lastChangeAt = now;
  }

  private lose(now: number): LegLossEvent {
    const silentForMs = now - this.lastChangeAt;
    const stalled =
      !this.peersFlowing &&
      this.sightAt !== undefined &&
      this.lastChangeAt - this.sightAt <= this.stallWindowMs;
    this.stateValue = stalled ? 'stalled' : 'lost';
    this.lostAt = now;
    return { type: stalled ? 'stalled' : 'lost', at: now, silentForMs };
  }

  private to(state: LegLossState, now: number): void {
    this.stateValue = state;
    this.lastChangeAt = now;
  }
}
