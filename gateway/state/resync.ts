// When the connection to Redis comes back after a loss, Redis may have restarted empty (it
// runs without persistence: the shared state is live state). Each instance then writes its
// own part again, only where the store has nothing: the agents it knows (with the status
// its copy has; a record still there wins, as at start-up), the registrations it runs, the
// digest secret every instance holds, its waiting calls, its calls' records and
// engagements, and its running disconnect episodes. Then it
// dispatches: queued calls and available agents meet again.
import type { Logger } from 'pino';
import type { AgentDirectory } from '../agents/agent-directory';
import type { AgentSync } from './agent-sync';
import type { EngagementRecord, QueuedCall, StateStore } from './state-store';

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
  /** This instance's engagements (agent × call × role). */
  engagementsOf(agentId: string): Omit<EngagementRecord, 'instanceId'>[];
  /** Writes this instance's running episodes the store lost; how many. */
  rewriteEpisodes(): Promise<number>;
  dispatchSoon(): void;
  log: Logger;
}

export interface ResyncCounts {
  agents: number;
  registrations: number;
  queued: number;
  episodes: number;
}

export async function resync(o: ResyncOptions): Promise<ResyncCounts> {
  const { store } = o;
  // agents: records found missing (another instance may have written one meanwhile).
  const counts: ResyncCounts = { agents: 0, registrations: 0, queued: 0, episodes: 0 };
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
    for (const e of o.engagementsOf(agent.id)) await store.openEngagement(e);
  }
  const shared = new Set((await store.queue()).map((q) => q.callId));
  for (const q of o.ownQueue())
    if (!shared.has(q.callId)) {
      await store.enqueue(q);
      counts.queued++;
    }
  o.rewriteCalls();
  counts.episodes = await o.rewriteEpisodes();
  o.dispatchSoon();
  return counts;
}

/** Runs resync() one at a time: a reconnect during one runs it again after. */
export class Resyncer {
  private running = false;
  private again = false;

  constructor(private readonly options: () => ResyncOptions | undefined) {}

  run(): void {
    const o = this.options();
    if (!o) return;
    if (this.running) return void (this.again = true);
    this.running = true;
    resync(o)
      .then((counts) => o.log.warn(counts, 'redis is back: shared state written again'))
      .catch((err: Error) => o.log.warn({ err: err.message }, 'resync with redis failed'))
      .finally(() => {
        this.running = false;
        if (!this.again) return;
        this.again = false;
        this.run();
      });
  }
}
