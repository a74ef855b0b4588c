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
}
