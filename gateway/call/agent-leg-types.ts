// The shapes around an AgentLeg: what it is (spec), what it is given (deps), what it tells.
import type { Logger } from 'pino';
import type { LegProfile, MediaSession, MediaWatchdog } from '../../media';
import type { Clock } from '../../time/clock';
import type { SipRequest, SipResponse, SrfInstance } from '../sip-types/srf-types';
import type { LegEvidence } from './evidence';
import type { LegRole, LegState } from './leg-state';

export type AgentLegRole = Exclude<LegRole, 'customer'>;

export interface AgentLegSpec {
  role: AgentLegRole;
  /** Undefined for the overflow destination. */
  agentId?: string;
  tag: string;
  profile: LegProfile;
  uri: string;
  /** A new INVITE to an agent already on the call (it re-registered): a resumption. */
  resume: boolean;
}

export interface AgentLegDeps {
  srf: SrfInstance;
  session: MediaSession;
  watchdog: MediaWatchdog;
  clock: Clock;
  keepaliveMs: number;
  /** BYE Reason texts that mark a transport/desktop failure rather than a hang-up. */
  failureReasons: string[];
  log: Logger;
  /** Ends the call after an internal error in one of this leg's handlers. */
  fail(err: Error): void;
}

export interface AgentLegEvents {
  state: [to: LegState, from: LegState];
  /** The INVITE went out (its transaction id is known: ringingTxnId). */
  inviteSent: [];
  /** A provisional response (180, or 183 without SDP). */
  progress: [status: number];
  /** A 183 with SDP: the agent's early media. */
  earlyMedia: [sdp: string];
  evidence: [LegEvidence];
  /** The agent hung up on purpose (a BYE without a failure reason). */
  hungUp: [];
  /** The agent asked (re-INVITE direction, or INFO) to hold or mute. */
  holdRequested: [held: boolean];
  muteRequested: [muted: boolean];
  /** rtpengine can no longer carry this leg's media (it stalled, or lost the call). */
  mediaDead: [why: 'stalled' | 'gone'];
  /** The agent asked to transfer the call (RFC 3515 REFER; answering it is the listener's). */
  referred: [req: SipRequest, res: SipResponse];
}
