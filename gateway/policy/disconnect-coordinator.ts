// Carries out the disconnect policy: keeps one AgentAbsence per gone agent and turns the
// matrix's actions into calls on the agent's engagements and notification box. The rules
// are in disconnect-policy.ts; this file only knows how to perform each action.
import type { Logger } from 'pino';
import type { Clock } from '../../time/clock';
import type { Agent } from '../agents/agent';
import type { AgentDirectory } from '../agents/agent-directory';
import type { Call } from '../call/call';
import type { BackEvidence, GoneEvidence, LegEvidence } from '../call/evidence';
import type { HoldfastConfig } from '../config/config-types';
import type { Engagement } from '../engagements/engagements';
import type { Conversation, ConversationBook } from '../conversations/conversation-book';
import type { NotificationCenter } from '../notifications/notification-center';
import type { CallRouter } from '../routing/call-router';
import { AgentAbsence, type ColumnTarget, type PolicyStep } from './agent-absence';
import {
  AGENT_STATUS_ON_ENTER,
  type Action,
  type Column,
  type PolicyMatrix,
} from './disconnect-policy';

/** What the coordinator reads of the engagements (the relation has one writer elsewhere). */
export interface EngagementView {
  of(agentId: string): readonly Engagement[];
  primaryOf(agentId: string): Engagement | undefined;
}

export interface DisconnectCoordinatorDeps {
  agents: AgentDirectory;
  engagements: EngagementView;
  calls: ReadonlyMap<string, Call>;
  router: Pick<CallRouter, 'enqueue'>;
  notifications: NotificationCenter;
  conversations: ConversationBook;
  config: Pick<HoldfastConfig, 'policy' | 'queue'>;
  clock: Clock;
  log: Logger;
  /** The rules; the seed's table (DISCONNECT_POLICY) unless a test edits a cell. */
  matrix?: PolicyMatrix;
}

type Step = PolicyStep<Engagement>;

export class DisconnectCoordinator {
  private readonly absences = new Map<string, AgentAbsence<Engagement>>();
  /** Agents being brought back onto a call (reattach() under way). */
  private readonly reattaching = new Set<string>();

  constructor(private readonly d: DisconnectCoordinatorDeps) {}

  absenceOf(agentId: string): AgentAbsence<Engagement> | undefined {
    return this.absences.get(agentId);
  }

  get size(): number {
    return this.absences.size;
  }

  /** Evidence reported by an engaged agent's leg. */
  observe(e: Engagement, ev: LegEvidence): void {
    if (ev.kind === 'gone') this.gone(e.agentId, ev.evidence);
    else this.back(e.agentId, ev.evidence);
  }

  /** Evidence that the agent is gone. Later evidence for the same absence is only logged. */
  gone(agentId: string, evidence: GoneEvidence): void {
    const { agents, log } = this.d;
    const agent = agents.get(agentId);
    if (!agent) return;
    if (
      this.absences.has(agentId) ||
      agent.status === 'offline' ||
      agent.status === 'disconnected'
    ) {
      log.debug({ agentId, evidence }, 'more evidence of an absence already handled');
      return;
    }
    log.info(
      { agentId, evidence, callId: this.d.engagements.of(agentId)[0]?.call.id },
      'agent disconnected',
    );
    // Dropped while being rung: that offer is over (the call goes to the next agent).
    const ringing =
      agent.status === 'ringing' ? this.d.engagements.of(agentId).filter((e) => isRinging(e)) : [];
    agents.move(agent, 'disconnected');
    for (const e of ringing) e.call.cancelRing(e.leg);
    const absence = new AgentAbsence<Engagement>({
      agentId,
      evidence,
      times: {
        reconnectWindowMs: this.d.config.policy.reconnectWindowMs,
        presenceTimeoutMs: this.d.config.policy.presenceTimeoutMs,
      },
      clock: this.d.clock,
      execute: (step) => this.execute(agent, evidence, step),
      matrix: this.d.matrix,
      columns: () => this.columnsFor(agentId),
      onSituation: (situation) => {
        const status = AGENT_STATUS_ON_ENTER[situation];
        if (status && agent.status === 'disconnected') agents.move(agent, status);
      },
    });
    this.absences.set(agentId, absence);
    absence.start();
  }

  /** Evidence that the agent is back. Returns false when it was not considered gone. */
  back(agentId: string, evidence: BackEvidence): boolean {
    const absence = this.absences.get(agentId);
    const agent = this.d.agents.get(agentId);
    if (!absence || !agent) return false;
    this.absences.delete(agentId);
    const situation = absence.back(evidence);
    this.d.log.info({ agentId, evidence, situation, elapsedMs: absence.elapsedMs }, 'agent back');
    // Unless its return brought it back onto a call (a reattach now under way), the agent
    // is simply available again: a ring it dropped, a call rerouted, nothing to rejoin.
    if (
      !this.reattaching.has(agentId) &&
      (agent.status === 'disconnected' || agent.status === 'offline')
    )
      this.d.agents.move(agent, 'available');
    return true;
  }

  /** A call's phase changed: its absent agents' parts in it may have too. */
  phaseChanged(call: Call): void {
    for (const absence of this.absences.values()) {
      if (this.d.engagements.of(absence.agentId).some((e) => e.call === call))
        absence.reenter((target) => target?.call === call);
    }
  }

  /** Shutdown: no deadline may outlive the gateway. */
  close(): void {
    for (const a of this.absences.values()) a.end();
    this.absences.clear();
  }

  /**
   * The agent's parts now: its notifications always; one column per call it is on, by its
   * role there; its non-voice conversations (calls escalated from them included).
   */
  private columnsFor(agentId: string): ColumnTarget<Engagement>[] {
    const columns: ColumnTarget<Engagement>[] = [{ column: 'notifications' }];
    for (const e of this.d.engagements.of(agentId)) {
      if (e.call.ended || isRinging(e) || this.chatOf(e)) continue;
      const column = columnOf(e);
      if (column) columns.push({ column, target: e });
    }
    if (this.d.conversations.of(agentId).length) columns.push({ column: 'nonVoice' });
    return columns;
  }

  /** The agent's chat that `e`'s call was escalated from, if it was. */
  private chatOf(e: Engagement): Conversation | undefined {
    return this.d.conversations.escalatedTo(e.agentId, e.call.id, e.call.conversationId);
  }

  private execute(agent: Agent, evidence: GoneEvidence, step: Step): void {
    // The call's record keeps the cell with its disconnect episode: the first row's actions
    // open the episode (told after them), a later row's may close it (a reroute: told before).
    const opening = step.situation === 'disconnected';
    if (!opening) this.applied(agent, evidence, step);
    for (const action of step.actions) {
      this.d.log.debug(
        { agentId: agent.id, situation: step.situation, column: step.column, action },
        'policy action',
      );
      this.perform(action, agent, step);
    }
    if (opening) this.applied(agent, evidence, step);
  }

  private applied(agent: Agent, evidence: GoneEvidence, step: Step): void {
    step.target?.call.emit('policyApplied', {
      situation: step.situation,
      column: step.column,
      actions: step.actions,
      agentId: agent.id,
      evidence,
    });
  }

  private perform(action: Action, agent: Agent, step: Step): void {
    const box = this.d.notifications.box(agent.id);
    const e = step.target;
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
          const c = this.d.calls.get(n.callId);
          if (!c || c.ended) return `call ${n.callId} has ended`;
          if (c.agentId !== agent.id)
            return c.agentId
              ? `call ${n.callId} was given to agent ${c.agentId}`
              : `call ${n.callId} was rerouted`;
          return undefined;
        });
        return;
      case 'playDisconnectedPrompt':
      case 'tellSecondaryPrimaryGone':
      case 'continueTransfer':
        // The call knows from its phase what the others hear while its agent is gone.
        if (e) e.call.coverAbsence(e.leg, step.evidence as GoneEvidence).catch(failCall(e.call));
        return;
      case 'releaseSecondary':
        if (e) e.call.releaseConsulted(e.leg).catch(failCall(e.call));
        return;
      case 'keepConversations':
        this.d.conversations.keep(agent.id);
        return;
      case 'endEscalatedCalls':
        this.endEscalatedCalls(agent);
        return;
      case 'rejoinConversations':
        this.d.conversations.rejoin(agent.id);
        return;
      case 'rerouteConversations':
        this.d.conversations.reroute(agent.id);
        return;
      case 'reattachAgent':
        if (e) this.reattach(agent, e, step.evidence as BackEvidence).catch(failCall(e.call));
        return;
      case 'rerouteCall':
        if (e && e.call.state === 'agentGone') this.reroute(e.call);
        return;
    }
  }

  private endEscalatedCalls(agent: Agent): void {
    for (const e of this.d.engagements.of(agent.id)) {
      const chat = this.chatOf(e);
      if (!chat || e.call.ended) continue;
      this.d.log.info(
        { agentId: agent.id, callId: e.call.id, chat: chat.id },
        'escalated call ends',
      );
      this.d.conversations.endedWithChat(chat, e.call.id);
      void e.call.close('agent-disconnected', {
        reason: 'SIP;cause=480;text="agent disconnected"',
      });
    }
  }

  private reroute(call: Call): void {
    call.reroute(this.d.config.policy.reroutePriority);
    this.d.router.enqueue(call);
  }

  private async reattach(agent: Agent, e: Engagement, evidence: BackEvidence): Promise<void> {
    this.reattaching.add(agent.id);
    try {
      await this.bringBack(agent, e, evidence);
    } finally {
      this.reattaching.delete(agent.id);
      // Whatever became of the call (it failed, even), a returned agent is never left
      // 'disconnected' with no absence to end it.
      if (agent.status === 'disconnected' && !this.absences.has(agent.id))
        this.d.agents.move(agent, 'available');
    }
  }

  private async bringBack(agent: Agent, e: Engagement, evidence: BackEvidence): Promise<void> {
    const call = e.call;
    call.returning(evidence);
    let ok = false;
    if (evidence === 'media-resumed' || evidence === 're-invite') {
      ok = true;
    } else if (e.leg.dialog && call.phase === 'transferring') {
      // Kept aside while its transfer rings: nothing to re-offer until it fails.
      ok = true;
    } else if (e.leg.dialog && evidence === 'explicit-signal') {
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
          timeoutMs: this.d.config.queue.ringTimeoutMs,
        },
        evidence,
      );
    }
    // A call that ended meanwhile leaves the agent to reattach()'s end: available.
    if (call.ended) return;
    if (ok) {
      if (agent.status === 'disconnected') this.d.agents.move(agent, 'busy');
      return;
    }
    // Back, but not reachable on the call: the customer must not wait for nothing.
    this.d.log.warn(
      { agentId: agent.id, callId: call.id },
      'could not reattach the agent: rerouting',
    );
    this.reroute(call);
  }
}

/** A fault while acting on one call ends that call, not the gateway. */
const failCall = (call: Call) => (err: unknown) =>
  call.fail(err instanceof Error ? err : new Error(String(err)));

/** The policy column of an engagement's part in its call. */
function columnOf(e: Engagement): Column | undefined {
  if (e.role === 'consult') return 'consultSecondary';
  if (e.role !== 'primary') return undefined;
  if (e.call.phase === 'consulting') return 'consultPrimary';
  if (e.call.phase === 'transferring') return 'transfer';
  return 'phoneCall';
}

/** The agent is being rung for this call, not yet talking on it. */
function isRinging(e: Engagement): boolean {
  return e.leg.state === 'setup' || e.leg.state === 'early';
}
