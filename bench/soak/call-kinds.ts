// What a soak call does, and how often: most calls just talk; the others carry one fault
// each, so that every fault happens many times over a run.
export type CallKind =
  | 'talk'
  | 'drop-reattach' // agent media stops, the agent re-offers new media within the window
  | 'drop-reroute' // agent media stops for good: rerouted to another agent at the window
  | 'ws-close' // a WebSocket agent's connection closes; it registers again, is INVITEd back
  | 'hangup-ringing' // the customer CANCELs while an agent rings (or while queued)
  | 'cancel-race' // the customer CANCELs at the instant the agent answers
  | 'hangup-prompt' // the agent drops, the customer hangs up during the prompt
  | 'hangup-music' // … during the wait music after the prompt
  | 'hangup-reroute' // … as the window ends and the call is offered to another agent
  | 'hangup-queued'; // the customer gives up while waiting in the queue (CANCEL)

/** Relative weights; a run cycles through a shuffled deck built from them. */
export const KIND_WEIGHTS: Readonly<Record<CallKind, number>> = {
  talk: 40,
  'drop-reattach': 8,
  'drop-reroute': 6,
  'ws-close': 8,
  'hangup-ringing': 6,
  'cancel-race': 6,
  'hangup-prompt': 6,
  'hangup-music': 5,
  'hangup-reroute': 5,
  'hangup-queued': 4,
};

export const CALL_KINDS = Object.keys(KIND_WEIGHTS) as CallKind[];

export interface KindDeck {
  (): CallKind;
  /** A kind that could not run as drawn (ws-close on a UDP agent) is dealt again next. */
  putBack(kind: CallKind): void;
}

/** An endless sequence of kinds in their proportions, shuffled deck by deck. */
export function kindDeck(random: () => number = Math.random): KindDeck {
  let deck: CallKind[] = [];
  const again: CallKind[] = [];
  const draw = () => {
    if (again.length) return again.shift()!;
    if (!deck.length) {
      deck = CALL_KINDS.flatMap((k) => Array<CallKind>(KIND_WEIGHTS[k]).fill(k));
      for (let i = deck.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [deck[i], deck[j]] = [deck[j], deck[i]];
      }
    }
    return deck.pop()!;
  };
  return Object.assign(draw, { putBack: (kind: CallKind) => void again.push(kind) });
}
