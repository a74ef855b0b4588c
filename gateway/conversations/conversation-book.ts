// The agents' non-voice conversations (chat, email, …) as the omnichannel system assigns
// them through the API, and what becomes of them while an agent is gone: they stay
// assigned, are rejoined when it returns, or go back to their system after the presence
// timeout. Each change is told as an event (the agent's stream, the admin stream, the
// webhook: see gateway/events/).
import { EventEmitter } from 'node:events';

export interface Conversation {
  id: string;
  agentId: string;
  channel: string;
  /** The holdfast call it was escalated to (a voice or video call of the same customer). */
  callId?: string;
  assignedAt: number;
}

export type ConversationEventType =
  'conversation.kept' | 'conversation.rejoined' | 'conversation.rerouted' | 'call.ended-with-chat';

export interface ConversationEvent {
  type: ConversationEventType;
  agentId: string;
  conversationId: string;
  channel: string;
  callId?: string;
  /** Wall-clock ms. */
  at: number;
}

export class ConversationBook extends EventEmitter<{ event: [ConversationEvent] }> {
  private readonly byAgent = new Map<string, Map<string, Conversation>>();

  constructor(private readonly now: () => number = Date.now) {
    super();
  }

  /** Assigns (or updates) a conversation; true when it is new. */
  assign(agentId: string, id: string, what: { channel: string; callId?: string }): boolean {
    let mine = this.byAgent.get(agentId);
    if (!mine) this.byAgent.set(agentId, (mine = new Map()));
    const existing = mine.get(id);
    mine.set(id, {
      id,
      agentId,
      channel: what.channel,
      ...(what.callId ? { callId: what.callId } : {}),
      assignedAt: existing?.assignedAt ?? this.now(),
    });
    return !existing;
  }

  /** Ends a conversation (its system closed it); false when the agent had no such one. */
  end(agentId: string, id: string): boolean {
    const mine = this.byAgent.get(agentId);
    const ok = mine?.delete(id) ?? false;
    if (mine && !mine.size) this.byAgent.delete(agentId);
    return ok;
  }

  of(agentId: string): Conversation[] {
    return [...(this.byAgent.get(agentId)?.values() ?? [])];
  }

  /** The agent's conversation escalated to `callId`, or named by the call (its header). */
  escalatedTo(agentId: string, callId: string, conversationId?: string): Conversation | undefined {
    return this.of(agentId).find(
      (c) => c.callId === callId || (conversationId !== undefined && c.id === conversationId),
    );
  }

  get size(): number {
    let n = 0;
    for (const m of this.byAgent.values()) n += m.size;
    return n;
  }

  /** The agent is gone: its conversations stay assigned. */
  keep(agentId: string): void {
    for (const c of this.of(agentId)) this.tell('conversation.kept', c);
  }

  /** The agent is back: it rejoins them. */
  rejoin(agentId: string): void {
    for (const c of this.of(agentId)) this.tell('conversation.rejoined', c);
  }

  /** Past the presence timeout: each goes back to its system for another agent. */
  reroute(agentId: string): void {
    for (const c of this.of(agentId)) {
      this.end(agentId, c.id);
      this.tell('conversation.rerouted', c);
    }
  }

  /** A call escalated from `c` ended because its agent dropped; the chat stays assigned. */
  endedWithChat(c: Conversation, callId: string): void {
    this.tell('call.ended-with-chat', { ...c, callId });
  }

  private tell(type: ConversationEventType, c: Conversation): void {
    this.emit('event', {
      type,
      agentId: c.agentId,
      conversationId: c.id,
      channel: c.channel,
      ...(c.callId ? { callId: c.callId } : {}),
      at: this.now(),
    });
  }
}
