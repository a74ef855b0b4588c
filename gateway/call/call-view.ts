// Two read-only views of a call: its snapshot (the API, the board, the logs) and its scene
// (what the audio plan needs to know of its legs).
import type { PromptFile } from '../../media';
import { AgentLeg } from './agent-leg';
import type { AudioScene, PartyView } from './audio-rules';
import type { CallPhase } from './call-phase';
import type { CallState } from './call-state';
import { CUSTOMER_TAG, type CustomerLeg } from './customer-leg';
import type { GoneEvidence } from './evidence';

export interface CallSnapshot {
  id: string;
  state: CallState;
  phase: CallPhase;
  agentId?: string;
  priority: number;
  held: boolean;
  muted: boolean;
  from: string;
  startedAt: number;
  gone?: GoneEvidence;
  legs: { role: string; agentId?: string; tag: string; state: string }[];
}

/** What both views read of a call. */
export interface ViewedCall {
  readonly id: string;
  readonly state: CallState;
  readonly phase: CallPhase;
  readonly agentId?: string;
  readonly priority: number;
  readonly held: boolean;
  readonly muted: boolean;
  readonly startedAt: number;
  readonly goneEvidence?: GoneEvidence;
  readonly customer: CustomerLeg;
  readonly primary?: AgentLeg;
  readonly dialing?: AgentLeg;
  readonly consultLeg?: AgentLeg;
  readonly transferLeg?: AgentLeg;
  readonly retired: readonly AgentLeg[];
  readonly musicDelayed: boolean;
  readonly agentLegs: AgentLeg[];
  readonly finalPrompt?: PromptFile;
}

export function snapshotOf(c: ViewedCall): CallSnapshot {
  return {
    id: c.id,
    state: c.state,
    phase: c.phase,
    ...(c.agentId ? { agentId: c.agentId } : {}),
    priority: c.priority,
    held: c.held,
    muted: c.muted,
    from: c.customer.callingNumber,
    startedAt: c.startedAt,
    ...(c.goneEvidence ? { gone: c.goneEvidence } : {}),
    legs: [c.customer, ...c.agentLegs].map((l) => ({
      role: l.role,
      ...(l instanceof AgentLeg && l.agentId ? { agentId: l.agentId } : {}),
      tag: l.tag,
      state: l.state,
    })),
  };
}

export function sceneOf(c: ViewedCall): AudioScene {
  return {
    phase: c.phase,
    customer: CUSTOMER_TAG,
    primary: partyOf(c.primary),
    dialing: partyOf(c.dialing),
    consult: partyOf(c.consultLeg),
    transfer: partyOf(c.transferLeg),
    retired: c.retired.map((l) => l.tag),
    finalPrompt: c.finalPrompt,
    musicDelayed: c.musicDelayed,
  };
}

function partyOf(l: AgentLeg | undefined): PartyView | undefined {
  if (!l || l.released) return undefined;
  return {
    tag: l.tag,
    role: l.role,
    state: l.state,
    held: l.held,
    muted: l.muted,
    earlyBridged: l.earlyBridged,
  };
}

/** The customer's view of the call (call-state.ts), from its legs. */
export function customerViewOf(c: ViewedCall): CallState {
  const p = c.primary;
  if (p?.state === 'up') return 'connected';
  if (p?.state === 'gone') return 'agentGone';
  const d = c.dialing;
  if (d && !d.released) return d.role === 'overflow' ? 'overflow' : 'ringing';
  // The overflow's failure ends the call: its view stays 'overflow' until then.
  if (d?.role === 'overflow') return 'overflow';
  return 'queued';
}
