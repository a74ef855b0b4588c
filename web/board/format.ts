// Words and numbers as the board shows them.

/** 12.3 s under a minute, 2 min 05 s above (never negative). */
export function duration(ms: number): string {
  const v = Math.max(0, ms);
  if (v < 60_000) return `${(Math.floor(v / 100) / 10).toFixed(1)} s`;
  const s = Math.floor(v / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/** The first block of a UUID: enough to tell calls apart on one screen. */
export function shortId(id: string): string {
  return id.split('-')[0] ?? id;
}

export function clockTime(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour12: false });
}

/** The policy's situations, in the words of the operations team. */
export const SITUATION_TEXT: Record<string, string> = {
  disconnected: 'within the reconnect window',
  backWithinWindow: 'back within the window',
  windowElapsed: 'window elapsed — call rerouted',
  presenceElapsed: 'presence timeout elapsed — agent offline',
};

export const EVIDENCE_TEXT: Record<string, string> = {
  'media-loss': 'no audio from the agent',
  'transport-closed': 'SIP transport closed',
  'keepalive-failed': 'keep-alive failed',
  'explicit-signal': 'desktop reported disconnected',
  'bye-failure-reason': 'BYE with a failure reason',
};

/** How an episode ended, from the situation it was in at its end. */
export function endText(situation: string): string {
  switch (situation) {
    case 'disconnected':
    case 'backWithinWindow':
      return 'back within the reconnect window';
    case 'windowElapsed':
      return 'back after the window (call rerouted)';
    case 'presenceElapsed':
      return 'back after the presence timeout';
    default:
      return `ended (${situation})`;
  }
}
