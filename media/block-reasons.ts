// rtpengine's 'block media' is one switch per sending tag; holdfast has two reasons to set
// it: the caller's (an absent agent, hold, mute) and the pairing's (a party left alone, whose
// media would otherwise go to its stand-in's discard address). The switch is on while any
// reason holds, so that re-pairing a party never undoes a caller's block, and vice versa.
// Commands go out one at a time so that rtpengine sees them in order.
import { RtpengineError } from './errors';
import type { NgRequest } from './ng-negotiation';

export type BlockReason = 'caller' | 'alone';

export type BlockState = { tag: string; reasons: BlockReason[]; applied: boolean }[];

export class BlockReasons {
  private readonly reasons = new Map<string, Set<BlockReason>>();
  private readonly applied = new Map<string, boolean>();
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly request: NgRequest) {}

  isBlocked(tag: string): boolean {
    return (this.reasons.get(tag)?.size ?? 0) > 0;
  }

  has(tag: string, reason: BlockReason): boolean {
    return this.reasons.get(tag)?.has(reason) ?? false;
  }

  /**
   * Sets or clears one reason and brings rtpengine in line. A refusal (the tag is gone from
   * rtpengine) rejects for the caller's reason and is ignored for the pairing's.
   */
  set(tag: string, reason: BlockReason, on: boolean): Promise<void> {
    let set = this.reasons.get(tag);
    if (on) {
      if (!set) this.reasons.set(tag, (set = new Set()));
      set.add(reason);
    } else {
      set?.delete(reason);
      if (set?.size === 0) this.reasons.delete(tag);
    }
    const run = this.chain.then(() => this.apply(tag, reason));
    this.chain = run.catch(() => {});
    return run;
  }

  /** What is blocked and why, for another process to carry on (MediaSession.snapshot). */
  snapshot(): BlockState {
    return [...this.reasons].map(([tag, why]) => ({
      tag,
      reasons: [...why],
      applied: this.applied.get(tag) ?? false,
    }));
  }

  restore(state: BlockState): void {
    for (const b of state) {
      this.reasons.set(b.tag, new Set(b.reasons));
      this.applied.set(b.tag, b.applied);
    }
  }

  /** Forgets a tag rtpengine no longer has. */
  forget(tag: string): void {
    this.reasons.delete(tag);
    this.applied.delete(tag);
  }

  private async apply(tag: string, reason: BlockReason): Promise<void> {
    const want = this.isBlocked(tag);
    // The caller's requests always reach rtpengine (idempotent there, and a refusal must
    // reach the caller); the pairing's only when the switch flips.
    if (reason === 'alone' && this.applied.get(tag) === want) return;
    try {
      await this.request(want ? 'block media' : 'unblock media', { 'from-tag': tag });
      this.applied.set(tag, want);
    } catch (err) {
      if (reason === 'alone' && err instanceof RtpengineError && err.kind === 'refused') return;
      throw err;
    }
  }
}
