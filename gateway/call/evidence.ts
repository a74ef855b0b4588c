// What told us an agent is gone, or back: observed on the agent's leg (media, SIP) or
// reported by its page, and recorded with the disconnect (docs/disconnect-policy.md).

export type GoneEvidence =
  'media-loss' | 'transport-closed' | 'keepalive-failed' | 'explicit-signal' | 'bye-failure-reason';

export type BackEvidence = 'media-resumed' | 're-invite' | 're-register' | 'explicit-signal';

/** One observation on a leg, as it reports it. */
export type LegEvidence =
  { kind: 'gone'; evidence: GoneEvidence } | { kind: 'back'; evidence: BackEvidence };
