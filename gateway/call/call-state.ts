// A customer call's life as an explicit state machine. One transition function; any move
// not in the table is a bug and throws.
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
