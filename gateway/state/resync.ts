// When the connection to Redis comes back after a loss, Redis may have restarted empty (it
// runs without persistence: the shared state is live state). Each instance then writes its
// own part again, only where the store has nothing: the agents it knows (with the status
// its copy has; a record still there wins, as at start-up), the registrations it runs, the
// digest secret every instance holds, its waiting calls and its calls' records. Then it
// dispatches: queued calls and available agents meet again.
import type { Logger } from 'pino';
import type { AgentDirectory } from '../agents/agent-directory';
import type { AgentSync } from './agent-sync';
import type { QueuedCall, StateStore } from './state-store';

export interface ResyncOptions {
  store: StateStore;
  agents: AgentDirectory;
  sync: AgentSync;
  sipServer(): string;
  /** This instance runs the agent's registration expiry (it took or adopted it). */
  runsRegistration(agentId: string): boolean;
  /** The digest secret (hex) this instance holds, if it loaded one. */
  digestSecret?: string;
  /** This instance's waiting calls, as the shared queue should hold them. */
  ownQueue(): Omit<QueuedCall, 'owner'>[];
  /** Writes every call record of this instance again (idempotent). */
  rewriteCalls(): void;
  dispatchSoon(): void;
  log: Logger;
}

export interface ResyncCounts {
  agents: number;
  registrations: number;
  queued: number;
}

export async function resync(o: ResyncOptions): Promise<ResyncCounts> {
  const { store } = o;
  const counts: ResyncCounts = { agents: 0, registrations: 0, queued: 0 };
  if (o.digestSecret) await store.secret('digest', o.digestSecret);
  for (const agent of o.agents.all()) {
    const before = await store.agent(agent.id);
    const rec =
      before ?? (await store.initAgent({ id: agent.id, status: agent.status, now: Date.now() }));
    if (!before) counts.agents++;
    o.sync.take(rec);
    const mine = agent.config.uri || o.runsRegistration(agent.id);
    if (agent.contact && mine && !(await store.registration(agent.id))) {
      await store.register({ agentId: agent.id, contact: agent.contact, sipServer: o.sipServer() });
      counts.registrations++;
    }
  }
  const shared = new Set((await store.queue()).map((q) => q.callId));
  for (const q of o.ownQueue())
    if (!shared.has(q.callId)) {
      await store.enqueue(q);
      counts.queued++;
    }
  o.rewriteCalls();
  o.dispatchSoon();
  return counts;
}
