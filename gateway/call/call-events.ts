// What a call tells the rest of the gateway (and, later, metrics and call records).
import type { BackEvidence, GoneEvidence } from '../policy/evidence';
import type { CallState } from './call-state';

export type EndReason =
  | 'customer-hangup'
  | 'customer-cancel'
  | 'agent-hangup'
  | 'overflow-hangup'
  | 'overflow-failed'
  | 'error'
  | 'shutdown';

export interface CallEvents {
  state: [to: CallState, from: CallState];
  /** Evidence that the connected agent is gone (the coordinator decides what it means). */
  agentGone: [agentId: string, evidence: GoneEvidence];
  /** Evidence on the call's own leg that the gone agent is back (media, re-INVITE, INFO). */
  agentBack: [agentId: string, evidence: BackEvidence];
  ended: [reason: EndReason];
  // What happened, for call records and metrics (they never steer the call).
  /** An INVITE went out to an agent (or to the overflow destination, agentId 'overflow'). */
  legOffered: [agentId: string, resumption: boolean];
  legAnswered: [agentId: string];
  legEnded: [agentId: string, reason: string];
  /** The call entered agentGone: t0 of a disconnect episode. */
  disconnected: [agentId: string, evidence: GoneEvidence];
  /** The disconnected prompt is playing to the customer. */
  promptStarted: [];
  /** The gone agent is back (first evidence acted upon). */
  returned: [evidence: BackEvidence];
  /** Audio flows again between the returned agent and the customer. */
  reattached: [];
  rerouted: [];
  overflowed: [target?: string];
}
