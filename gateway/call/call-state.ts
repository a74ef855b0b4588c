// The customer's view of a call, derived from its phase and its legs (call.ts computes it)
// and reported in the API, logs and events. Its moves are still checked against this
// table: a derivation that jumps where no call can go is a bug in the model and throws.
//
//   queued ──► ringing ──► connected ──► agentGone ──► connected (same agent back)
//     ▲  │        │                          │
//     │  │        └─► queued (ring failed)   └─► queued (rerouted, raised priority)
//     │  └─► overflow ──► connected (overflow destination answered)
//   any ──► ended

export type CallState = 'queued' | 'ringing' | 'connected' | 'agentGone' | 'overflow' | 'ended';

const LEGAL: Readonly<Record<CallState, readonly CallState[]>> = {
  queued: ['ringing', 'overflow', 'ended'],
  ringing: ['connected', 'queued', 'ended'],
  connected: ['agentGone', 'ended'],
  agentGone: ['connected', 'queued', 'ended'],
  overflow: ['connected', 'ended'],
  ended: [],
};

export class IllegalCallTransitionError extends Error {
  override name = 'IllegalCallTransitionError';
}

export function assertCallMove(callId: string, from: CallState, to: CallState): void {
  if (!LEGAL[from].includes(to)) {
    throw new IllegalCallTransitionError(
      `call ${callId}: illegal move ${from} → ${to} (allowed: ${LEGAL[from].join(', ') || 'none'})`,
    );
  }
}
