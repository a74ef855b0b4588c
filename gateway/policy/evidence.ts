// What told us an agent is gone, or back (recorded with the disconnect, see the policy doc).

export type GoneEvidence =
  'media-loss' | 'transport-closed' | 'keepalive-failed' | 'explicit-signal' | 'bye-failure-reason';

export type BackEvidence = 'media-resumed' | 're-invite' | 're-register' | 'explicit-signal';
