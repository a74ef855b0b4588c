// Puts waiting calls in front of agents: the queue in priority order, the longest-idle
// available agent, the ring timeout, and the overflow at the maximum wait.
import type { Logger } from 'pino';
import type { HoldfastConfig } from '../config/config-types';
import type { Agent } from '../agents/agent';
import type { AgentDirectory } from '../agents/agent-directory';
import type { Call } from '../call/call';
import type { PromptFile } from '../../media';
import { CallQueue } from '../queue/call-queue';

/** Several gateways (gateway/state/): the queue is shared and pairs are claimed there. */
export interface SharedRouting {
  queue: CallQueue & { claimed(callId: string): boolean };
  /** Atomic pairs of this gateway's waiting calls and agents, each agent already ringing. */
  claim(): Promise<{ callId: string; agentId: string }[]>;
}

export class CallRouter {
  readonly queue: CallQueue;
  private dispatching = false;
  private again = false;
  /** Calls whose maximum wait passed while an agent was ringing. */
  private readonly overflowDue = new Set<string>();

  constructor(
    private readonly calls: ReadonlyMap<string, Call>,
    private readonly agents: AgentDirectory,
    private readonly config: Pick<HoldfastConfig, 'queue' | 'overflow'>,
    private readonly overflowPrompt: PromptFile | undefined,
    private readonly log: Logger,
    private readonly shared?: SharedRouting,
  ) {
    this.queue = shared?.queue ?? new CallQueue();
    agents.on('status', (agent) => {
      if (agent.status === 'available') this.dispatchSoon();
    });
  }

  /** A call starts (or starts again, rerouted) waiting for an agent. */
  enqueue(call: Call): void {
    if (call.ended || this.queue.has(call.id)) return;
    this.queue.add({ callId: call.id, priority: call.priority, enqueuedAt: call.enqueuedAt });
    call.deadlines.set('maxWait', this.config.queue.maxWaitMs, () => this.maxWaitReached(call));
    this.dispatchSoon();
  }

  /** The call ended: out of the queue (its agents are freed as their engagements close). */
  forget(call: Call): void {
    this.queue.remove(call.id);
    this.overflowDue.delete(call.id);
    this.dispatchSoon();
  }

  dispatchSoon(): void {
    setImmediate(() => this.dispatch());
  }

  /** Offers each waiting call, in order, to the best agent for it. */
  dispatch(): void {
    if (this.shared) {
      void this.dispatchShared(this.shared);
      return;
    }
    if (this.dispatching) {
      this.again = true;
      return;
    }
    this.dispatching = true;
    try {
      do {
        this.again = false;
        for (const entry of this.queue.list()) {
          const call = this.calls.get(entry.callId);
          if (!call || call.ended) {
            this.queue.remove(entry.callId);
            continue;
          }
          const agent = this.agents.select(call.skip);
          if (!agent) continue;
          this.queue.remove(call.id);
          this.offer(call, agent).catch((err: Error) => call.fail(err));
        }
      } while (this.again);
    } finally {
      this.dispatching = false;
    }
  }

  /** As dispatch(), with the pairs made (and the agents claimed) in the shared store. */
  private async dispatchShared(s: SharedRouting): Promise<void> {
    if (this.dispatching) {
      this.again = true;
      return;
    }
    this.dispatching = true;
    try {
      do {
        this.again = false;
        if (!this.queue.size) break;
        for (const { callId, agentId } of await s.claim()) {
          const call = this.calls.get(callId);
          const agent = this.agents.get(agentId);
          // Left the local queue meanwhile (ended, overflowed): the agent goes back.
          const waiting = s.queue.claimed(callId);
          if (!agent) continue;
          if (!call || call.ended || !waiting) {
            if (agent.status === 'ringing') this.agents.move(agent, 'available');
            continue;
          }
          this.offer(call, agent).catch((err: Error) => call.fail(err));
        }
      } while (this.again);
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'shared dispatch failed');
    } finally {
      this.dispatching = false;
    }
  }

  private async offer(call: Call, agent: Agent): Promise<void> {
    const contact = agent.contact!;
    this.agents.move(agent, 'ringing');
    call.log.info({ agentId: agent.id, uri: contact.uri }, 'offering the call');
    let outcome;
    try {
      outcome = await call.ring({
        agentId: agent.id,
        uri: contact.uri,
        profile: contact.profile,
        timeoutMs: this.config.queue.ringTimeoutMs,
      });
    } catch (err) {
      call.log.error({ agentId: agent.id, err: (err as Error).message }, 'ringing failed');
      outcome = 'failed' as const;
    }
    if (outcome === 'answered') {
      call.deadlines.cancel('maxWait');
      if (agent.status === 'ringing') this.agents.move(agent, 'busy');
      return;
    }
    if (agent.status === 'ringing') this.agents.move(agent, 'available');
    if (outcome === 'ended' || call.ended) return;
    call.skip.add(agent.id);
    if (this.overflowDue.delete(call.id)) {
      this.overflow(call).catch((err: Error) => call.fail(err));
      return;
    }
    this.queue.add({ callId: call.id, priority: call.priority, enqueuedAt: call.enqueuedAt });
    this.dispatchSoon();
  }

  private maxWaitReached(call: Call): void {
    if (call.state === 'ringing') {
      this.overflowDue.add(call.id);
      return;
    }
    if (call.state === 'queued') this.overflow(call).catch((err: Error) => call.fail(err));
  }

  private async overflow(call: Call): Promise<void> {
    this.queue.remove(call.id);
    const { uri, cause } = this.config.overflow;
    call.log.info({ uri, cause }, 'maximum wait reached: overflow');
    if (uri) {
      const outcome = await call.ring({
        uri,
        profile: 'rtp',
        timeoutMs: this.config.queue.ringTimeoutMs,
      });
      if (outcome === 'failed')
        await call.close('overflow-failed', { status: 480, reason: `Q.850;cause=${cause}` });
      return;
    }
    await call.hangUpWithPrompt(this.overflowPrompt, cause);
  }
}
