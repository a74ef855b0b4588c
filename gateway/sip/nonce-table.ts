// The nonces this gateway has handed out, each with the highest nonce count (nc) it has
// accepted for it. A digest response is bound to its nonce and nc, so a request replayed
// with the same Authorization — from anywhere, with any Contact — repeats an nc already
// seen and is refused (RFC 2617 §3.2.2: the server checks that nc increases). Nonces
// leave the table when they expire, or, past `maxEntries`, oldest first: an unknown nonce
// is then merely stale, and the client answers a fresh challenge.

export interface NonceTableOptions {
  /** How long a nonce may be used after it was issued. */
  ttlMs: number;
  /** Most nonces remembered at once (memory bound under a flood of challenges). */
  maxEntries: number;
}

export type NonceUse = 'ok' | 'stale' | 'replayed';

interface NonceState {
  issuedAt: number;
  /** Highest nc accepted; 0 = unused. */
  lastNc: number;
}

export class NonceTable {
  // A Map iterates in insertion order, which is issue order: the oldest nonce is first.
  private readonly entries = new Map<string, NonceState>();

  constructor(private readonly opts: NonceTableOptions) {}

  get size(): number {
    return this.entries.size;
  }

  add(nonce: string, now: number): void {
    this.sweep(now);
    while (this.entries.size >= this.opts.maxEntries) this.dropOldest();
    this.entries.set(nonce, { issuedAt: now, lastNc: 0 });
  }

  /**
   * Takes one use of `nonce`: with qop=auth its count `nc` must exceed every count accepted
   * before; without qop (RFC 2069 clients, no nc) the nonce is good for one use only.
   */
  use(nonce: string, nc: number | undefined, now: number): NonceUse {
    const state = this.entries.get(nonce);
    if (!state || now - state.issuedAt > this.opts.ttlMs) {
      this.entries.delete(nonce);
      return 'stale';
    }
    const count = nc ?? 1;
    if (count <= state.lastNc) return 'replayed';
    state.lastNc = count;
    return 'ok';
  }

  private sweep(now: number): void {
    for (const [nonce, state] of this.entries) {
      if (now - state.issuedAt <= this.opts.ttlMs) return;
      this.entries.delete(nonce);
    }
  }

  private dropOldest(): void {
    const first = this.entries.keys().next();
    if (!first.done) this.entries.delete(first.value);
  }
}
