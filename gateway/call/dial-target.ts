// Where a call rings a new agent leg, and how that ended.
import type { LegProfile } from '../../media';

/** An agent's contact, or the overflow destination. */
export interface DialTarget {
  agentId?: string;
  uri: string;
  profile: LegProfile;
  timeoutMs?: number;
  /** Marks a new INVITE as the resumption of this call (agent re-registered). */
  resume?: boolean;
}

export type RingOutcome = 'answered' | 'failed' | 'ended';
