// The shared queue's order, the same in both stores: higher priority first, then the
// longer wait, then the call id (a stable tie-break both Redis and a sort can apply).
import type { QueuedCall } from './state-store';

/** Priorities are small integers: 1e13 ms (three centuries) separates them in one number. */
export function queueScore(q: Pick<QueuedCall, 'priority' | 'enqueuedAt'>): number {
  return -q.priority * 1e13 + q.enqueuedAt;
}

export function compareQueued(a: QueuedCall, b: QueuedCall): number {
  return queueScore(a) - queueScore(b) || (a.callId < b.callId ? -1 : a.callId > b.callId ? 1 : 0);
}
