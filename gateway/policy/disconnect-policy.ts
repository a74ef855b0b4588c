// The seed's table (docs/disconnect-policy.md) as data: situation × column → actions.
//
// Rows are the four situations of an agent whose desktop dropped at t0. Each cell says what
// happens when the situation begins (`enter`) and, for the rows that last, what happens if
// the agent comes back while it holds (`back`). Columns are the agent's parts at that
// moment: its notifications always, then one per engagement (the customer's agent on a
// phone call, either agent of a consult, the agent of a transfer in flight) and its
// non-voice conversations. An engagement whose part changes during the absence (a transfer
// that failed is a phone call again) enters the new column's cell of the current row.
// A cell with nothing to do is empty: no action stands for "nothing changes".

/** The rows, in the order time moves through them. */
export const SITUATIONS = [
  'disconnected',
  'backWithinWindow',
  'windowElapsed',
  'presenceElapsed',
] as const;
export type Situation = (typeof SITUATIONS)[number];

export const COLUMNS = [
  'notifications',
  'phoneCall',
  'nonVoice',
  'consultPrimary',
  'consultSecondary',
  'transfer',
] as const;
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
  /** Consult, primary: the secondary hears the primary-disconnected prompt, then music. */
  | 'tellSecondaryPrimaryGone'
  /** Transfer: the agent is noted gone; the transfer goes on, the customer keeps its music. */
  | 'continueTransfer'
  /** Same agent back on the call: audio as before the drop (hold, mute; the consult resumes). */
  | 'reattachAgent'
  /** Release the agent's legs (a consult with it ends) and offer the call to another agent. */
  | 'rerouteCall'
  /** Consult, secondary: its part ends; primary and customer carry on, the customer held. */
  | 'releaseSecondary'
  /** Non-voice: conversations stay assigned (the owning systems are told). */
  | 'keepConversations'
  /** Non-voice: a voice/video call escalated from a chat ends (Reason to the customer). */
  | 'endEscalatedCalls'
  /** Non-voice: the agent is back on its conversations (the owning systems are told). */
  | 'rejoinConversations'
  /** Non-voice: the conversations go back to their systems for another agent. */
  | 'rerouteConversations';

export interface Cell {
  /** When the situation begins. */
  enter: readonly Action[];
  /** When the agent comes back while the situation holds. */
  back: readonly Action[];
}

export type PolicyMatrix = Readonly<Record<Situation, Readonly<Record<Column, Cell>>>>;

const NOTHING: Cell = { enter: [], back: [] };

export const DISCONNECT_POLICY: PolicyMatrix = {
  disconnected: {
    // "Not delivered to the agent."
    notifications: { enter: ['holdNotifications'], back: [] },
    // "Stays assigned. The customer hears that the agent is disconnected …, then wait music."
    phoneCall: { enter: ['playDisconnectedPrompt'], back: [] },
    // "Non-voice conversations stay assigned. A chat escalated to a voice call: that call ends."
    nonVoice: { enter: ['keepConversations', 'endEscalatedCalls'], back: [] },
    // "The secondary agent hears a message that the primary agent is disconnected."
    consultPrimary: { enter: ['tellSecondaryPrimaryGone'], back: [] },
    // "The call ends for the secondary agent."
    consultSecondary: { enter: ['releaseSecondary'], back: [] },
    // "Not applicable": the transfer the agent started goes on.
    transfer: { enter: ['continueTransfer'], back: [] },
  },
  backWithinWindow: {
    // "Incoming notifications are shown to the agent."
    notifications: { enter: ['deliverHeldNotifications'], back: [] },
    // "Reconnected to the call. Call state (hold, mute) is unchanged."
    phoneCall: { enter: ['reattachAgent'], back: [] },
    // "The agent rejoins the conversation."
    nonVoice: { enter: ['rejoinConversations'], back: [] },
    // "The primary agent rejoins the call. Call state is unchanged."
    consultPrimary: { enter: ['reattachAgent'], back: [] },
    // "The call ends for the secondary agent": it already has.
    consultSecondary: NOTHING,
    // "The call is transferred. The agent is reconnected to the call if the transfer fails."
    transfer: { enter: ['reattachAgent'], back: [] },
  },
  windowElapsed: {
    // "Incoming notifications are shown to the agent" (on its return).
    notifications: { enter: [], back: ['expireStaleNotifications', 'deliverHeldNotifications'] },
    // "The call is rerouted."
    phoneCall: { enter: ['rerouteCall'], back: [] },
    // "The agent rejoins the conversation" (on its return).
    nonVoice: { enter: [], back: ['rejoinConversations'] },
    // "Rerouted to another agent and the consult ends. The customer stays on hold."
    consultPrimary: { enter: ['rerouteCall'], back: [] },
    consultSecondary: NOTHING,
    // "Rerouted if the transfer fails": a failed transfer is a phone call again, whose cell
    // of this row reroutes it.
    transfer: NOTHING,
  },
  presenceElapsed: {
    // "Shown when the agent reconnects."
    notifications: { enter: [], back: ['expireStaleNotifications', 'deliverHeldNotifications'] },
    // "The call is rerouted." (the agent is now offline)
    phoneCall: { enter: ['rerouteCall'], back: [] },
    // "The conversation is rerouted."
    nonVoice: { enter: ['rerouteConversations'], back: [] },
    // "Not applicable": rerouted at the window already.
    consultPrimary: NOTHING,
    // "The consult ends for the secondary agent": it already has.
    consultSecondary: NOTHING,
    // "The call is rerouted."
    transfer: { enter: ['rerouteCall'], back: [] },
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
