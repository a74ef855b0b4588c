// The gateway's side of sharing one contact centre with other instances (state.redis set):
// agents and registrations kept in step (agent-sync.ts), the queue shared (shared-queue.ts)
// with atomic claims for the router, each call's owner and state, the engagements, and
// this instance's heartbeat. Without state.redis none of this exists: the gateway's own
// objects are the state, as they always were.
import type { Logger } from 'pino';
import type { Agent } from '../agents/agent';
import type { AgentDirectory } from '../agents/agent-directory';
import type { Call } from '../call/call';
import type { CallRegistry } from '../call/call-registry';
import type { HoldfastConfig } from '../config/config-types';
import type { Engagements } from '../engagements/engagements';
import type { SharedRouting } from '../routing/call-router';
import type { NgClient } from '../../media';
import type { Clock } from '../../time/clock';
import type { AgentAbsence } from '../policy/agent-absence';
import { AgentSync } from './agent-sync';
import { EpisodeLog } from './episode-log';
import { ownedCallOf } from './owned-call';
import { OrphanCalls } from './orphan-calls';
import { RedisStore } from './redis/redis-store';
import { Resyncer, type ResyncOptions } from './resync';
import { SharedQueue } from './shared-queue';
import type { CallRecord, Registration } from './state-store';
import type { SipByStackId } from './sip-by-stack-id';
import type { DigestAuthOptions } from '../sip/digest-auth';

export interface SharedStateOptions {
  state: HoldfastConfig['state'] & { redis: { url: string; keyPrefix: string } };
  agents: AgentDirectory;
  calls: ReadonlyMap<string, Call>;
  log: Logger;
  clock: Clock;
  /** Orphaned connected calls: a side silent this long has hung up. */
  silenceMs: number;
}

/** What happened to what a dead instance held, as this survivor saw to it. */
export interface TakeoverNote {
  from: string;
  what: string;
  outcome: string;
  at: number;
}

/** What the composition root connects once the router, registry and registrar exist. */
export interface SharedStateParts {
  registry: CallRegistry;
  engagements: Engagements;
  /** Something changed in the shared queue or an agent became free: dispatch again. */
  dispatchSoon(): void;
  /** Another instance took this agent's registration. */
  registeredElsewhere(agent: Agent, changed: boolean): void;
  /** A dead instance's registration is now this one's: expire it at its own time. */
  adoptRegistration(r: Registration): void;
  /** This instance runs the agent's registration expiry. */
  runsRegistration(agentId: string): boolean;
  /** host:port of the SIP server (known once connected). */
  sipServer(): string;
  absenceOf(
    agentId: string,
  ): Pick<AgentAbsence<unknown>, 'evidence' | 'situation' | 't0' | 'deadlinesAt'> | undefined;
  /** Another instance's dialogs and transactions, through the shared SIP server. */
  sip: SipByStackId;
  /** A dead instance's connected call, carried on as this one's (call-adoption.ts). */
  carryOn(c: CallRecord): Call;
  ng: Pick<NgClient, 'request'>;
}

export class SharedState {
  readonly routing: SharedRouting;
  private readonly queue: SharedQueue;
  private sync?: AgentSync;
  private parts?: SharedStateParts;
  private readonly stops: (() => void)[] = [];
  private beat?: NodeJS.Timeout;
  private episodes?: EpisodeLog;
  private orphans?: OrphanCalls;
  private sweeping = false;
  private readonly resyncer = new Resyncer(() => this.resyncOptions());
  private digestSecret?: string;
  /** Each call's record writer (track()), for a resync to write them all again. */
  private readonly callWriters = new Map<string, () => void>();
  /** Everything taken over from dead instances, and what became of it. */
  readonly takeovers: TakeoverNote[] = [];

  private constructor(
    readonly store: RedisStore,
    private readonly o: SharedStateOptions,
  ) {
    this.queue = new SharedQueue(store, o.calls, o.log);
    this.routing = { queue: this.queue, claim: () => this.claim() };
  }

  static async open(o: SharedStateOptions): Promise<SharedState> {
    const { state, log } = o;
    const ref: { shared?: SharedState } = {}; // for the reconnect, once it exists
    const store = await RedisStore.open({
      url: state.redis.url,
      prefix: state.redis.keyPrefix,
      instanceId: state.instanceId,
      onError: (err) => log.warn({ err: err.message }, 'redis connection'),
      onReconnect: () => ref.shared?.resync(),
    });
    log.info({ instanceId: state.instanceId }, 'sharing state through redis');
    ref.shared = new SharedState(store, o);
    return ref.shared;
  }

  /** Loads the shared agents, then follows calls, engagements and the others' changes. */
  async start(parts: SharedStateParts): Promise<void> {
    this.parts = parts;
    const { store, o } = this;
    await this.heartbeat();
    this.beat = setInterval(() => {
      void this.heartbeat();
      void this.sweep();
    }, o.state.heartbeatMs);
    this.beat.unref();
    const sync = new AgentSync({
      store,
      agents: o.agents,
      sipServer: parts.sipServer,
      hooks: { registeredElsewhere: (a, changed) => parts.registeredElsewhere(a, changed) },
      log: o.log,
    });
    this.sync = sync;
    await sync.load();
    this.stops.push(await sync.follow());
    const note = (from: string) => (what: string, outcome: string) =>
      this.takeovers.push({ from, what, outcome, at: Date.now() });
    this.episodes = new EpisodeLog({
      store,
      agents: o.agents,
      absenceOf: parts.absenceOf,
      callOf: (id) => parts.engagements.primaryOf(id)?.call.id,
      clock: o.clock,
      log: o.log,
      note: (n) => note('')(`episode ${n.agentId}`, n.outcome),
    });
    const episodes = this.episodes;
    o.agents.on('status', (agent) => {
      if (!sync.mirroring) episodes.statusChanged(agent);
    });
    this.orphans = new OrphanCalls({
      store,
      sip: parts.sip,
      carryOn: (c) => parts.carryOn(c),
      query: async (id) =>
        (await parts.ng.request('query', { 'call-id': id })) as Record<string, unknown>,
      deleteMedia: async (id) => {
        await parts.ng.request('delete', { 'call-id': id });
      },
      freeAgent: async (agentId) => {
        await store.moveAgent(agentId, 'busy', 'available', Date.now());
        await sync.reload(agentId);
      },
      clock: o.clock,
      log: o.log,
      pollMs: Math.max(500, o.state.heartbeatMs),
      silenceMs: o.silenceMs,
      note: (n) => note(n.from)(`call ${n.callId} (${n.state})`, n.outcome),
    });
    this.stops.push(
      await store.watch((c) => {
        if (c.by !== store.instanceId && (c.kind === 'queue' || c.kind === 'agent'))
          parts.dispatchSoon();
      }),
    );
    parts.registry.on('opened', (call) => this.track(call));
    parts.engagements.on('opened', (e) =>
      this.write(store.openEngagement({ agentId: e.agentId, callId: e.call.id, role: e.role })),
    );
    parts.engagements.on('closed', (e) => this.write(store.closeEngagement(e.agentId, e.call.id)));
  }

  /**
   * Digest options every instance shares: a REGISTER may answer another's challenge, and a
   * nonce count is taken once for all of them (a replay to another instance is refused).
   */
  async digestOptions(): Promise<DigestAuthOptions> {
    this.digestSecret = await this.store.secret('digest');
    return {
      secret: Buffer.from(this.digestSecret, 'hex'),
      peerNonces: true,
      sharedCounts: async (nonce, nc, expiresAt) => {
        try {
          return await this.store.useNonce(nonce, nc, expiresAt);
        } catch (err) {
          // Redis away: replay protection falls back to this instance's own table.
          this.o.log.warn({ err: (err as Error).message }, 'nonce count not shared');
          return true;
        }
      },
    };
  }

  get roundTrips(): number {
    return this.store.roundTrips;
  }

  /** Round trips for the calls and agents, the heartbeat and takeover sweep left out. */
  get workRoundTrips(): number {
    const by = this.store.roundTripsBy;
    const background = (by.HF_HEARTBEAT ?? 0) + (by.HF_INSTANCES ?? 0);
    return this.store.roundTrips - background;
  }

  /** Redis is back after a loss: this instance's part of the state, written again. */
  resync(): void {
    this.resyncer.run();
  }

  /** What a resync needs; undefined before start(). */
  private resyncOptions(): ResyncOptions | undefined {
    if (!this.parts || !this.sync) return undefined;
    const { parts, sync, o } = this;
    return {
      store: this.store,
      agents: o.agents,
      sync,
      sipServer: parts.sipServer,
      runsRegistration: parts.runsRegistration,
      digestSecret: this.digestSecret,
      ownQueue: () =>
        this.queue.list().map((q) => ({ ...q, skip: [...(o.calls.get(q.callId)?.skip ?? [])] })),
      rewriteCalls: () => this.callWriters.forEach((write) => write()),
      engagementsOf: (agentId) =>
        parts.engagements.of(agentId).map((e) => ({ agentId, callId: e.call.id, role: e.role })),
      rewriteEpisodes: async () => this.episodes?.rewrite() ?? 0,
      dispatchSoon: parts.dispatchSoon,
      log: o.log,
    };
  }

  /** The agent registered (here or elsewhere): true when it ends a taken-over episode. */
  agentBack(agent: Agent): boolean {
    return this.episodes?.back(agent) ?? false;
  }

  /** Deadlines this instance holds for dead instances (resumed episodes, watched calls). */
  get adopted(): number {
    return (this.episodes?.resumedCount ?? 0) + (this.orphans?.size ?? 0);
  }

  async close(): Promise<void> {
    if (this.beat) clearInterval(this.beat);
    this.episodes?.close();
    this.orphans?.close();
    for (const stop of this.stops.splice(0)) stop();
    await this.store.close();
  }

  private async claim(): Promise<{ callId: string; agentId: string }[]> {
    const now = Date.now();
    const claims = await this.store.claim(now);
    return claims.filter((c) => this.sync?.claimed(c.agentId, now, c.ver));
  }

  /** Dead instances (heartbeat expired): one survivor takes over what each held. */
  private async sweep(): Promise<void> {
    if (this.sweeping || !this.orphans || !this.episodes) return;
    this.sweeping = true;
    try {
      for (const i of await this.store.instances()) {
        if (i.alive || i.id === this.store.instanceId) continue;
        const t = await this.store.takeOver(i.id, 'orphaned');
        if (!t) continue;
        this.o.log.warn(
          {
            from: i.id,
            queued: t.queued.length,
            calls: t.calls.length,
            episodes: t.episodes.length,
            freedAgents: t.freedAgents,
            registrations: t.registrations.length,
          },
          'instance lost: taking over what it held',
        );
        for (const id of t.freedAgents) await this.sync?.reload(id);
        const queued = await Promise.all(t.queued.map((q) => this.store.call(q.callId)));
        for (const q of t.queued) await this.store.dequeue(q.callId);
        const records = queued.filter((c): c is NonNullable<typeof c> => !!c);
        await this.orphans.adopt(i.id, [...records, ...t.calls]);
        for (const e of t.episodes) this.episodes.resume(e);
        for (const r of t.registrations) this.parts?.adoptRegistration(r);
        this.parts?.dispatchSoon();
      }
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'takeover sweep failed');
    } finally {
      this.sweeping = false;
    }
  }

  /** The call's owner (this instance), state and dialogs, for a survivor to act on. */
  private track(call: Call): void {
    const write = () => {
      if (!call.ended) this.write(this.store.ownCall(ownedCallOf(call)));
    };
    write();
    this.callWriters.set(call.id, write);
    // 'ringing' is written once the agent's INVITE is out, with its transaction id: one
    // write, not two.
    call.on('state', (to) => to !== 'ringing' && write());
    call.customer.on('state', write);
    call.on('legCreated', (leg) => leg.on('inviteSent', write));
    call.on('controls', write);
    call.on('ended', () => {
      this.callWriters.delete(call.id);
      this.write(this.store.endCall(call.id));
    });
  }

  private async heartbeat(): Promise<void> {
    try {
      await this.store.heartbeat(this.o.state.instanceTtlMs);
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'heartbeat failed');
    }
  }

  private write(p: Promise<unknown>): void {
    p.catch((err: Error) =>
      this.o.log.error({ err: err.message }, 'could not write the shared state'),
    );
  }
}
