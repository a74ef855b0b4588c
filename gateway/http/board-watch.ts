// The gateway events after which the board may look different: a call opened or closed, a
// call's state or phase, a leg's state (consult and transfer legs move without the call's state
// moving), an agent's status, an engagement opened or closed, evidence of an absence, a
// hold or mute asked for in SIP. Each only pokes the board stream; what changed is read
// from the objects themselves (board-model.ts).
import type { AgentDirectory } from '../agents/agent-directory';
import type { AgentLeg } from '../call/agent-leg';
import type { Call } from '../call/call';
import type { CallRegistry } from '../call/call-registry';
import type { Engagements } from '../engagements/engagements';

export interface WatchedGateway {
  registry: Pick<CallRegistry, 'on' | 'off' | 'all'>;
  agents: Pick<AgentDirectory, 'on' | 'off'>;
  engagements: Pick<Engagements, 'on' | 'off'>;
}

type Poke = () => void;

/** Calls `poke` after every event above; returns the unsubscribe. */
export function watchGateway(g: WatchedGateway, poke: Poke): () => void {
  let watching = true;
  // The calls' own listeners stay with the calls (they are forgotten on close); once
  // unsubscribed they do nothing.
  const maybePoke = () => {
    if (watching) poke();
  };
  const opened = (call: Call) => {
    watchCall(call, maybePoke);
    maybePoke();
  };
  g.registry.on('opened', opened);
  g.registry.on('closed', maybePoke);
  g.agents.on('status', maybePoke);
  g.engagements.on('opened', maybePoke);
  g.engagements.on('closed', maybePoke);
  g.engagements.on('evidence', maybePoke);
  for (const call of g.registry.all.values()) watchCall(call, maybePoke);
  return () => {
    watching = false;
    g.registry.off('opened', opened);
    g.registry.off('closed', maybePoke);
    g.agents.off('status', maybePoke);
    g.engagements.off('opened', maybePoke);
    g.engagements.off('closed', maybePoke);
    g.engagements.off('evidence', maybePoke);
  };
}

function watchCall(call: Call, poke: Poke): void {
  call.on('state', poke);
  call.on('phase', poke);
  call.on('legCreated', (leg) => {
    watchLeg(leg, poke);
    poke();
  });
  for (const leg of call.agentLegs) watchLeg(leg, poke);
}

function watchLeg(leg: AgentLeg, poke: Poke): void {
  leg.on('state', poke);
  leg.on('holdRequested', poke);
  leg.on('muteRequested', poke);
}
