// Where a call is in its life, as an explicit state machine (the legs have their own).
//
//   queued ──► talking ──► consulting ──► talking
//     ▲  │        │   └──► transferring ──► talking
//     │  │        └─► queued (rerouted)
//   any ──► ended
//
// queued: waiting for an agent (first time, or rerouted); talking: a primary agent (or the
// overflow destination) answered; consulting / transferring: the primary brought in a
// second agent, or hands the call over.

import { IllegalCallTransitionError } from './call-state';

export type CallPhase = 'queued' | 'talking' | 'consulting' | 'transferring' | 'ended';

const LEGAL: Readonly<Record<CallPhase, readonly CallPhase[]>> = {
  queued: ['talking', 'ended'],
  talking: ['queued', 'consulting', 'transferring', 'ended'],
  consulting: ['talking', 'queued', 'ended'],
  transferring: ['talking', 'queued', 'ended'],
  ended: [],
};

export function assertPhaseMove(callId: string, from: CallPhase, to: CallPhase): void {
  if (!LEGAL[from].includes(to)) {
    throw new IllegalCallTransitionError(
      `call ${callId}: illegal move ${from} → ${to} (allowed: ${LEGAL[from].join(', ') || 'none'})`,
    );
  }
}
