// Carries out the disconnect policy: keeps one AgentAbsence per gone agent and turns the
// matrix's actions into calls on the agent's call and notification box. The rules are in
// disconnect-policy.ts; this file only knows how to perform each action.
import type { Logger } from 'pino';
import type { Agent } from '../agents/agent';
import type { AgentDirectory } from '../agents/agent-directory';
import type { Call } from '../call/call';
import type { HoldfastConfig } from '../config/config-types';
import type { NotificationCenter } from '../notifications/notification-center';
import type { CallRouter } from '../routing/call-router';
import type { Clock } from '../../time/clock';
import { AgentAbsence, type PolicyStep } from './agent-absence';
import { AGENT_STATUS_ON_ENTER, type Action } from './disconnect-policy';
import type { BackEvidence, GoneEvidence } from './evidence';

export class DisconnectCoordinator {
  private readonly absences = new Map<string, AgentAbsence>();

  constructor(
    private readonly agents: AgentDirectory,
    private readonly calls: ReadonlyMap<string, Call>,
    private readonly router: CallRouter,
    private readonly notifications: NotificationCenter,
    private readonly config: Pick<HoldfastConfig, 'policy' | 'queue'>,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  absenceOf(agentId: string): AgentAbsence | undefined {
    return this.absences.get(agentId);
  }

  get size(): number {
    return this.absences.size;
  }

  /** Evidence that the agent is gone. Later evidence for the same absence is only logged. */
  gone(agentId: string, evidence: GoneEvidence): void {
    const agent = this.agents.get(agentId);
    if (!agent) return;
    if (
      this.absences.has(agentId) ||
      agent.status === 'offline' ||
      agent.status === 'disconnected'
    ) {
      this.log.debug({ agentId, evidence }, 'more evidence of an absence already handled');
      return;
    }
    this.log.info({ agentId, evidence, callId: agent.callId }, 'agent disconnected');
    // Dropped while being rung: that offer is over (the call goes to the next agent).
    const ringing =
      agent.status === 'ringing' && agent.callId ? this.calls.get(agent.callId) : undefined;
    this.agents.move(agent, 'disconnected');
    if (ringing) {
      agent.callId = undefined;
      ringing.cancelRing();
    }
    const absence = new AgentAbsence(
      agentId,
      evidence,
      {
        reconnectWindowMs: this.config.policy.reconnectWindowMs,
        presenceTimeoutMs: this.config.policy.presenceTimeoutMs,
      },
      this.clock,
      (step) => this.execute(agent, step),
      undefined,
      (situation) => {
        const status = AGENT_STATUS_ON_ENTER[situation];
        if (status && agent.status === 'disconnected') this.agents.move(agent, status);
      },
    );
    this.absences.set(agentId, absence);
    absence.start();
  }

  /** Evidence that the agent is back. Returns false when it was not considered gone. */
  back(agentId: string, evidence: BackEvidence): boolean {
    const absence = this.absences.get(agentId);
    const agent = this.agents.get(agentId);
    if (!absence || !agent) return false;
    this.absences.delete(agentId);
    const situation = absence.back(evidence);
    this.log.info({ agentId, evidence, situation, elapsedMs: absence.elapsedMs }, 'agent back');
    // Without a call to rejoin the agent is simply available again.
    const call = this.callOf(agent);
    if (!call && (agent.status === 'disconnected' || agent.status === 'offline'))
      this.agents.move(agent, 'available');
    return true;
  }

  /** Shutdown: no deadline may outlive the gateway. */
  close(): void {
    for (const a of this.absences.values()) a.end();
    this.absences.clear();
  }

  private callOf(agent: Agent): Call | undefined {
    const call = agent.callId ? this.calls.get(agent.callId) : undefined;
    return call && !call.ended && call.agentId === agent.id ? call : undefined;
  }

  private execute(agent: Agent, step: PolicyStep): void {
    for (const action of step.actions) {
      this.log.debug(
        { agentId: agent.id, situation: step.situation, column: step.column, action },
        'policy action',
      );
      this.perform(action, agent, step);
    }
  }

  private perform(action: Action, agent: Agent, step: PolicyStep): void {
    const box = this.notifications.box(agent.id);
    const call = this.callOf(agent);
    switch (action) {
      case 'holdNotifications':
        box.hold();
        return;
      case 'deliverHeldNotifications':
        box.release();
        return;
      case 'expireStaleNotifications':
        box.expire((n) => {
          if (!n.callId) return undefined;
          const c = this.calls.get(n.callId);
          if (!c || c.ended) return `call ${n.callId} has ended`;
          if (c.agentId !== agent.id)
            return c.agentId
              ? `call ${n.callId} was given to agent ${c.agentId}`
              : `call ${n.callId} was rerouted`;
          return undefined;
        });
        return;
      case 'keepCallAssigned':
        return;
      case 'playDisconnectedPrompt':
        if (call) void call.agentGone(step.evidence as GoneEvidence);
        return;
      case 'reattachAgent':
        if (call) void this.reattach(agent, call, step.evidence as BackEvidence);
        return;
      case 'restoreCallState':
        // Hold and mute live on the call; reattaching re-applies them.
        return;
      case 'rerouteCall':
        if (call && call.state === 'agentGone') this.reroute(agent, call);
        return;
    }
  }

  private reroute(agent: Agent, call: Call): void {
    agent.callId = undefined;
    call.reroute(this.config.policy.reroutePriority);
    this.router.enqueue(call);
  }

  private async reattach(agent: Agent, call: Call, evidence: BackEvidence): Promise<void> {
    call.returning(evidence);
    let ok = false;
    if (evidence === 'media-resumed' || evidence === 're-invite') {
      ok = true;
    } else if (call.agentLegAlive && evidence === 'explicit-signal') {
      ok = await call.reofferToAgent();
    }
    if (ok) {
      await call.reattach(evidence);
    } else if (agent.contact) {
      ok = await call.reattachOnNewLeg(
        {
          agentId: agent.id,
          uri: agent.contact.uri,
          profile: agent.contact.profile,
          timeoutMs: this.config.queue.ringTimeoutMs,
        },
        evidence,
      );
    }
    if (call.ended) return;
    if (ok && agent.status === 'disconnected') {
      this.agents.move(agent, 'busy');
      return;
    }
    if (!ok) {
      // Back, but not reachable on the call: the customer must not wait for nothing.
      this.log.warn(
        { agentId: agent.id, callId: call.id },
        'could not reattach the agent: rerouting',
      );
      this.reroute(agent, call);
      if (agent.status === 'disconnected') this.agents.move(agent, 'available');
    }
  }
}
