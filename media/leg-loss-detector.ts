// The per-leg decision of the media watchdog, free of I/O: fed the packet counter rtpengine
// reports for a leg (packets received *from* it) at the time of each poll, it says when the
// leg went silent for lossMs and when packets flow again.
//
// States: 'starting' (watched, no packet yet; allowed graceMs), 'flowing', 'lost',
// 'suspended' (the leg is not expected to send: held, inactive). Loss is declared only on
// evidence: a poll showing no new packet for lossMs since the poll that last saw the counter
// move. A failed poll proves nothing, so it is simply not fed in.

export type LegLossState = 'starting' | 'flowing' | 'lost' | 'suspended';

export type LegLossEvent =
  | { type: 'lost'; at: number; silentForMs: number }
  | { type: 'restored'; at: number; lostForMs: number };

export interface LegLossOptions {
  lossMs: number;
  /** Time allowed for the first packet after watching starts or resumes. Default lossMs. */
  graceMs?: number;
}

export class LegLossDetector {
  private stateValue: LegLossState = 'starting';
  private count?: number;
  /** Time of the poll that last saw the counter move (or of start/resume). */
  private lastChangeAt: number;
  private lostAt = 0;
  private readonly lossMs: number;
  private readonly graceMs: number;

  constructor(opts: LegLossOptions, now: number) {
    if (!(opts.lossMs > 0)) throw new RangeError(`lossMs must be > 0 (got ${opts.lossMs})`);
    this.lossMs = opts.lossMs;
    this.graceMs = opts.graceMs ?? opts.lossMs;
    this.lastChangeAt = now;
  }

  get state(): LegLossState {
    return this.stateValue;
  }

  /** Feeds one poll's packet counter; returns the event it causes, if any. */
  observe(packets: number, now: number): LegLossEvent | undefined {
    const moved = this.count !== undefined && packets > this.count;
    const first = this.count === undefined && packets > 0 && this.stateValue === 'starting';
    // A counter going down means a different stream (leg re-created): take it as a baseline.
    if (this.count !== undefined && packets < this.count) {
      this.count = packets;
      return undefined;
    }
    this.count = packets;
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
          this.lastChangeAt = now;
          return undefined;
        }
        if (now - this.lastChangeAt >= this.lossMs) return this.lose(now);
        return undefined;
      case 'lost':
        if (!moved) return undefined;
        this.to('flowing', now);
        return { type: 'restored', at: now, lostForMs: now - this.lostAt };
    }
  }

  /** The leg stops being expected to send (hold, inactive): no alarm meanwhile. */
  suspend(): void {
    if (this.stateValue === 'starting' || this.stateValue === 'flowing')
      this.stateValue = 'suspended';
    // A lost leg stays lost: its 'restored' comes when packets do.
  }

  /** The leg is expected to send again; it gets graceMs for its first packet. */
  resume(now: number): void {
    if (this.stateValue !== 'suspended') return;
    this.stateValue = 'starting';
    this.lastChangeAt = now;
  }

  private lose(now: number): LegLossEvent {
    const silentForMs = now - this.lastChangeAt;
    this.stateValue = 'lost';
    this.lostAt = now;
    return { type: 'lost', at: now, silentForMs };
  }

  private to(state: LegLossState, now: number): void {
    this.stateValue = state;
    this.lastChangeAt = now;
  }
}
