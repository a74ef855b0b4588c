// One customer call as it is reported once it ends (to the log and the webhook).
// Times are ISO 8601 (UTC); durations in milliseconds. Label-like fields use the same
// words as the metrics (gateway/metrics/metric-labels.ts).

import type { EndReason } from '../call/call-events';
import type { BackEvidence, GoneEvidence } from '../call/evidence';
import type { LegRole } from '../call/leg-state';

export const CALL_RECORD_SCHEMA = 'holdfast.call-record/1';

/** Why the call ended, in the call model's words. */
export type CallEndReason = EndReason;

export type CallOutcome = 'answered' | 'abandoned' | 'overflowed' | 'failed' | 'shutdown';

export type DisconnectEvidence = GoneEvidence;
export type ReturnEvidence = BackEvidence;
/** 'released': the agent's part in the call ended with its drop (a consulted agent's). */
export type EpisodeOutcome =
  'reattached' | 'rerouted' | 'released' | 'customer-left' | 'call-ended';

export interface CustomerInfo {
  /** The From header (or just its URI). */
  from: string;
  to?: string;
  /** Where the INVITE came from (the SBC). */
  source?: string;
  /** The customer dialog's SIP Call-ID. */
  sipCallId?: string;
}

/** One attempt to connect an agent (or the overflow destination) to the customer. */
export interface LegRecord {
  agentId: string;
  /** The leg's part in the call (primary, consult, transfer, overflow). */
  role?: LegRole;
  /** Offered to reattach the same agent after a disconnect (new INVITE). */
  resumption: boolean;
  offeredAt: string;
  answeredAt?: string;
  endedAt?: string;
  /** Why the leg ended (e.g. `no-answer`, `agent-hangup`, `rerouted`, or the call's end reason). */
  endReason?: string;
}

/** From the first evidence that the agent was gone (t0) to how it was resolved. */
export interface DisconnectEpisode {
  agentId: string;
  /** The evidence that fired first. */
  evidence: DisconnectEvidence;
  t0: string;
  /** When the disconnected prompt started for the customer. */
  promptAt?: string;
  detectionToPromptMs?: number;
  /** What showed the agent was back, and when. */
  returnEvidence?: ReturnEvidence;
  returnedAt?: string;
  /** From the agent's return to audio flowing again (reattached episodes). */
  reconnectToAudioMs?: number;
  durationMs: number;
  outcome: EpisodeOutcome;
  /** The policy cells run for this call during the episode ("situation/column: actions"). */
  cells?: string[];
}

export interface CallRecord {
  schema: typeof CALL_RECORD_SCHEMA;
  callId: string;
  customer: CustomerInfo;
  startedAt: string;
  /** When an agent first answered. */
  answeredAt?: string;
  /** From the start to the first answer. */
  queueWaitMs?: number;
  endedAt: string;
  durationMs: number;
  legs: LegRecord[];
  disconnects: DisconnectEpisode[];
  overflow?: { at: string; target?: string };
  outcome: CallOutcome;
  endReason: CallEndReason;
}
