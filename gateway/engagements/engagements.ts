// Which agent is on which call, in which role: the one writer of that relation. An
// engagement opens when a call creates a leg for an agent, follows the leg that replaces it
// (the agent re-registered and was INVITEd again), and closes when its leg is released.
// The evidence an engaged leg reports comes out here, with the engagement it belongs to.
import { EventEmitter } from 'node:events';
import type { AgentDirectory } from '../agents/agent-directory';
import type { AgentLeg, AgentLegRole } from '../call/agent-leg';
import type { Call } from '../call/call';
import type { LegEvidence } from '../call/evidence';

export interface Engagement {
  readonly agentId: string;
  readonly call: Call;
  /** The leg's part now: a transfer target or a consulted agent becomes the primary. */
  readonly role: AgentLegRole;
  /** The leg through which the agent takes part (it changes on a resumption). */
  readonly leg: AgentLeg;
}

interface Mutable extends Engagement {
  leg: AgentLeg;
}

export interface EngagementEvents {
  opened: [Engagement];
  closed: [Engagement];
  evidence: [Engagement, LegEvidence];
}

export class Engagements extends EventEmitter<EngagementEvents> {
  private readonly byAgent = new Map<string, Set<Mutable>>();

  /** `agents`: an agent left with no engagement is available again (if it was busy/ringing). */
  constructor(private readonly agents: AgentDirectory) {
    super();
  }

  /** Follows a call's agent legs from now on. */
  track(call: Call): void {
    call.on('legCreated', (leg) => this.legCreated(call, leg));
  }

  of(agentId: string): readonly Engagement[] {
    return [...(this.byAgent.get(agentId) ?? [])];
  }

  /** The agent's engagement on a call as the customer's party, if any. */
  primaryOf(agentId: string): Engagement | undefined {
    return this.of(agentId).find((e) => e.role === 'primary' && !e.call.ended);
  }

  get size(): number {
    let n = 0;
    for (const set of this.byAgent.values()) n += set.size;
    return n;
  }

  private legCreated(call: Call, leg: AgentLeg): void {
    const agentId = leg.agentId;
    if (!agentId) return;
    const existing = this.of(agentId).find((e) => e.call === call && e.role === leg.role) as
      Mutable | undefined;
    if (existing) {
      // A resumption: the engagement moves to the new leg once it is answered.
      leg.on('state', (to) => {
        if (to === 'up') existing.leg = leg;
      });
    } else {
      // The role is read from the leg: a snapshot would keep a transfer target that
      // answered (or a consult completed) in its old column of the policy.
      this.open({
        agentId,
        call,
        leg,
        get role() {
          return this.leg.role;
        },
      });
    }
    leg.on('evidence', (ev) => {
      const e = this.find(agentId, call, leg);
      if (e) this.emit('evidence', e, ev);
    });
    leg.on('state', (to) => {
      if (to !== 'released') return;
      const e = this.find(agentId, call, leg);
      if (e) this.close(e);
    });
  }

  private find(agentId: string, call: Call, leg: AgentLeg): Mutable | undefined {
    for (const e of this.byAgent.get(agentId) ?? []) if (e.call === call && e.leg === leg) return e;
    return undefined;
  }

  private open(e: Mutable): void {
    let set = this.byAgent.get(e.agentId);
    if (!set) this.byAgent.set(e.agentId, (set = new Set()));
    set.add(e);
    this.emit('opened', e);
  }

  private close(e: Mutable): void {
    const set = this.byAgent.get(e.agentId);
    if (!set?.delete(e)) return;
    if (!set.size) this.byAgent.delete(e.agentId);
    this.emit('closed', e);
    const agent = this.agents.get(e.agentId);
    if (agent && !set.size && (agent.status === 'busy' || agent.status === 'ringing'))
      this.agents.move(agent, 'available');
  }
}
