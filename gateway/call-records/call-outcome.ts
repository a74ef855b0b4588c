// A call's outcome from the customer's point of view: did anyone answer, did the customer
// give up, did the call go to overflow, or did it fail.
import type { CallEndReason, CallOutcome } from './call-record';

export interface OutcomeFacts {
  endReason: CallEndReason;
  answered: boolean;
  overflowed: boolean;
}

export function callOutcome(f: OutcomeFacts): CallOutcome {
  if (f.endReason === 'error' || f.endReason === 'overflow-failed') return 'failed';
  if (f.overflowed || f.endReason === 'overflow-hangup') return 'overflowed';
  if (f.answered) return 'answered';
  if (f.endReason === 'customer-hangup' || f.endReason === 'customer-cancel') return 'abandoned';
  if (f.endReason === 'shutdown') return 'shutdown';
  // An agent hang-up before any answer cannot happen; an unknown reason is a failure.
  return 'failed';
}
