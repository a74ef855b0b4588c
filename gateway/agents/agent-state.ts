// An agent's availability as an explicit state machine: one transition function, and a
// table of the moves that are legal. Anything else is a bug and throws.

export type AgentStatus = 'offline' | 'available' | 'ringing' | 'busy' | 'disconnected';

const LEGAL: Readonly<Record<AgentStatus, readonly AgentStatus[]>> = {
  // Registered, static agent at start-up, or back after the presence timeout.
  offline: ['available'],
  available: ['ringing', 'disconnected', 'offline'],
  // Answered; declined or timed out; dropped while ringing; unregistered.
  ringing: ['busy', 'available', 'disconnected', 'offline'],
  // Call ended; desktop dropped.
  busy: ['available', 'disconnected'],
  // Reattached to its call; back without a call to rejoin; past the presence timeout.
  disconnected: ['busy', 'available', 'offline'],
};

export class IllegalTransitionError extends Error {
  override name = 'IllegalTransitionError';
}

export function canMove(from: AgentStatus, to: AgentStatus): boolean {
  return LEGAL[from].includes(to);
}

export function assertMove(what: string, from: AgentStatus, to: AgentStatus): void {
  if (!canMove(from, to)) {
    throw new IllegalTransitionError(
      `${what}: illegal move ${from} → ${to} (allowed: ${LEGAL[from].join(', ') || 'none'})`,
    );
  }
}
