// The seed's table (docs/disconnect-policy.md) as data: situation × column → actions.
//
// Rows are the four situations of an agent whose desktop dropped at t0. Each cell says what
// happens when the situation begins (`enter`) and, for the rows that last, what happens if
// the agent comes back while it holds (`back`). Columns not built yet (non-voice
// conversations, consults, transfers) slot in as new keys of Column with their cells.

/** The rows, in the order time moves through them. */
export const SITUATIONS = [
  'disconnected',
  'backWithinWindow',
  'windowElapsed',
  'presenceElapsed',
] as const;
export type Situation = (typeof SITUATIONS)[number];

/** The columns built so far. */
export const COLUMNS = ['notifications', 'phoneCall'] as const;
export type Column = (typeof COLUMNS)[number];

export type Action =
  /** Notifications: keep new ones instead of delivering them. */
  | 'holdNotifications'
  /** Notifications: deliver what was held (in order). */
  | 'deliverHeldNotifications'
  /** Notifications: drop held ones that no longer apply, each with a reason. */
  | 'expireStaleNotifications'
  /** Phone call: block the agent's media; customer hears the disconnected prompt, then music. */
  | 'playDisconnectedPrompt'
  /** Phone call: same agent back on the call, prompt/music stopped, hold and mute as they were. */
  | 'reattachAgent'
  /** Phone call: release the agent's leg and offer the call to another agent, ahead of new calls. */
  | 'rerouteCall';

export interface Cell {
  /** When the situation begins. */
  enter: readonly Action[];
  /** When the agent comes back while the situation holds. */
  back: readonly Action[];
}

export type PolicyMatrix = Readonly<Record<Situation, Readonly<Record<Column, Cell>>>>;

export const DISCONNECT_POLICY: PolicyMatrix = {
  // "Not delivered to the agent." / "Stays assigned; the customer hears a message …, then wait music."
  disconnected: {
    notifications: { enter: ['holdNotifications'], back: [] },
    // Staying assigned is doing nothing: no action stands for it.
    phoneCall: { enter: ['playDisconnectedPrompt'], back: [] },
  },
  // "Incoming notifications are shown." / "Reconnected to the call; hold, mute unchanged."
  backWithinWindow: {
    notifications: { enter: ['deliverHeldNotifications'], back: [] },
    phoneCall: { enter: ['reattachAgent'], back: [] },
  },
  // "Incoming notifications are shown." / "The call is rerouted."
  windowElapsed: {
    notifications: { enter: [], back: ['expireStaleNotifications', 'deliverHeldNotifications'] },
    phoneCall: { enter: ['rerouteCall'], back: [] },
  },
  // "Shown when the agent reconnects." / "The call is rerouted." (the agent is now offline)
  presenceElapsed: {
    notifications: { enter: [], back: ['expireStaleNotifications', 'deliverHeldNotifications'] },
    phoneCall: { enter: ['rerouteCall'], back: [] },
  },
};

export type Moment = keyof Cell;

export function actionsFor(
  situation: Situation,
  column: Column,
  moment: Moment,
  matrix: PolicyMatrix = DISCONNECT_POLICY,
): readonly Action[] {
  return matrix[situation][column][moment];
}

/** The agent's own status when a situation begins (the rows' definition, not a column). */
export const AGENT_STATUS_ON_ENTER: Readonly<Partial<Record<Situation, 'offline'>>> = {
  presenceElapsed: 'offline',
};
