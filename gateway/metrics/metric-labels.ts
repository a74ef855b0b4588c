// The label values of the gateway's metrics. Each set is closed, so a series exists (at
// zero) for every value from the first scrape, and cardinality cannot grow at run time.
// The evidence names are the call model's own (gateway/policy/evidence.ts), so the gateway
// passes them through unchanged.

export const CALL_OUTCOMES = ['answered', 'abandoned', 'overflowed', 'failed', 'shutdown'] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

export const AGENT_STATES = ['available', 'ringing', 'busy', 'disconnected', 'offline'] as const;
export type AgentState = (typeof AGENT_STATES)[number];

export const DISCONNECT_EVIDENCE = [
  'media-loss',
  'transport-closed',
  'keepalive-failed',
  'explicit-signal',
  'bye-failure-reason',
] as const;
export type DisconnectEvidence = (typeof DISCONNECT_EVIDENCE)[number];

/** How a disconnect episode ended; `call-ended` = shutdown or error while the agent was gone. */
export const EPISODE_OUTCOMES = [
  'reattached',
  'rerouted',
  'released',
  'customer-left',
  'call-ended',
] as const;
export type EpisodeOutcome = (typeof EPISODE_OUTCOMES)[number];

export const WEBHOOK_DROP_REASONS = ['overflow', 'attempts', 'rejected', 'closed'] as const;
export type WebhookDropReason = (typeof WEBHOOK_DROP_REASONS)[number];

/** SIP request classes with separate rate budgets (see gateway/rate-limit). */
export const SIP_REQUEST_CLASSES = ['setup', 'other'] as const;
export type SipRequestClass = (typeof SIP_REQUEST_CLASSES)[number];
