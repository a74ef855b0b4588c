// A leg is one party of a call: the customer, an agent in some role, or the overflow
// destination. Its life is an explicit state machine; any move not in the table throws.
//
//   setup ──► early ──► up ◄──► gone
//     │         │       │        │
//     └─────────┴───────┴────────┴──► released
//
// setup: the INVITE is in progress (to an agent, or the customer's not yet answered);
// early: provisional media flows; up: answered, talking; gone: the party dropped (its
// desktop, its transport) and the call waits for it; released: over, nothing left.

export type LegState = 'setup' | 'early' | 'up' | 'gone' | 'released';

export type LegRole = 'customer' | 'primary' | 'consult' | 'transfer' | 'overflow';

const LEGAL: Readonly<Record<LegState, readonly LegState[]>> = {
  setup: ['early', 'up', 'released'],
  early: ['up', 'released'],
  up: ['gone', 'released'],
  gone: ['up', 'released'],
  released: [],
};

export class IllegalLegTransitionError extends Error {
  override name = 'IllegalLegTransitionError';
}

/** The state of one leg, with the one function that changes it. */
export class LegLifecycle {
  private value: LegState = 'setup';

  constructor(
    private readonly what: string,
    private readonly onChange: (to: LegState, from: LegState) => void = () => {},
  ) {}

  get state(): LegState {
    return this.value;
  }

  get released(): boolean {
    return this.value === 'released';
  }

  move(to: LegState): void {
    const from = this.value;
    if (from === to) return;
    if (!LEGAL[from].includes(to)) {
      throw new IllegalLegTransitionError(
        `${this.what}: illegal move ${from} → ${to} (allowed: ${LEGAL[from].join(', ') || 'none'})`,
      );
    }
    this.value = to;
    this.onChange(to, from);
  }
}
