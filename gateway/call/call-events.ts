// What a call tells the rest of the gateway: its legs (engagements follow them), its state,
// and what happened, for call records and metrics.
import type { SipRequest, SipResponse } from '../sip-types/srf-types';
import type { AgentLeg } from './agent-leg';
import type { CallPhase } from './call-phase';
import type { CallState } from './call-state';
import type { BackEvidence, GoneEvidence } from './evidence';

export type EndReason =
  | 'customer-hangup'
  | 'customer-cancel'
  | 'agent-hangup'
  | 'overflow-hangup'
  | 'overflow-failed'
  | 'error'
  | 'shutdown'
  /** Its agent dropped and the policy ends such calls (a chat escalated to a call). */
  | 'agent-disconnected'
  /** rtpengine lost the call's media (it died or restarted). */
  | 'media-lost'
  /** The SIP server connection dropped: its dialogs no longer reach us (fault-semantics.md). */
  | 'signalling-lost';

export interface PolicyCellApplied {
  situation: string;
  column: string;
  actions: readonly string[];
  /** The gone agent the cell ran for, and the evidence that it is gone. */
  agentId: string;
  evidence: GoneEvidence;
}

export interface CallEvents {
  state: [to: CallState, from: CallState];
  phase: [to: CallPhase, from: CallPhase];
  /** An agent asked for a transfer with REFER on its leg (the listener answers it). */
  referred: [leg: AgentLeg, req: SipRequest, res: SipResponse];
  /** A new agent leg (its INVITE is about to go out). */
  legCreated: [leg: AgentLeg];
  /** A leg's hold or mute changed. */
  controls: [];
  ended: [reason: EndReason];
  // What happened, for call records and metrics (they never steer the call).
  /** An INVITE went out to an agent (or to the overflow destination). */
  legOffered: [leg: AgentLeg];
  legAnswered: [leg: AgentLeg];
  legEnded: [leg: AgentLeg, reason: string];
  /** The call entered agentGone: t0 of a disconnect episode. */
  disconnected: [agentId: string, evidence: GoneEvidence];
  /** The disconnected prompt is playing to the customer. */
  promptStarted: [];
  /** The gone agent is back (first evidence acted upon). */
  returned: [evidence: BackEvidence];
  /** Audio flows again between the returned agent and the customer. */
  reattached: [];
  rerouted: [];
  /** A cell of the disconnect policy ran on this call for a gone agent (for its record). */
  policyApplied: [cell: PolicyCellApplied];
  overflowed: [target?: string];
}
