// The shared state in Redis, for several gateways: decisions are the Lua scripts of
// redis-scripts.ts (atomic), simple writes are single commands or one MULTI. Key layout
// (all under the prefix): agent:<id> (hash), agents (set), reg:<id>, available (zset by
// idleSince), queue (zset by queueScore) + q:<callId>, call:<id> (hash) + calls:<instance>,
// eng:<agentId> (hash by callId), ep:<agentId> + episodes, instance:<id> (PX ttl) +
// instances (zset by last beat), nonce:<nonce> (highest nc, until it expires), events
// (pub/sub).
import { randomBytes } from 'node:crypto';
import type { AgentStatus } from '../../agents/agent-state';
import type {
  AgentRecord,
  CallRecord,
  CallResume,
  Claim,
  EngagementRecord,
  EpisodeRecord,
  InstanceInfo,
  MoveResult,
  QueuedCall,
  Registration,
  StateChange,
  StateStore,
  Takeover,
} from '../state-store';
import { queueScore } from '../queue-order';
import { RedisLink, type RedisLinkOptions } from './redis-link';

/** Calls looked at per claim: enough for every agent to find one, bounded for Redis. */
const CLAIM_WINDOW = 200;

export class RedisStore implements StateStore {
  readonly kind = 'redis' as const;
  readonly instanceId: string;

  private constructor(private readonly link: RedisLink) {
    this.instanceId = link.me;
  }

  static async open(o: RedisLinkOptions): Promise<RedisStore> {
    return new RedisStore(await RedisLink.open(o));
  }

  get roundTrips(): number {
    return this.link.roundTrips;
  }

  /** By script or kind; HF_HEARTBEAT and HF_INSTANCES are the background beat. */
  get roundTripsBy(): Record<string, number> {
    return this.link.roundTripsBy;
  }

  async initAgent(a: { id: string; status: AgentStatus; now: number }): Promise<AgentRecord> {
    const flat = await this.link.script<string[]>('HF_INIT_AGENT', a.id, a.status, a.now);
    return agentOf(a.id, pairs(flat))!;
  }

  async agent(id: string): Promise<AgentRecord | undefined> {
    return agentOf(id, await this.link.redis.hgetall(this.link.key('agent', id)));
  }

  async agents(): Promise<AgentRecord[]> {
    const ids = await this.link.redis.smembers(this.link.key('agents'));
    const all = await Promise.all(ids.sort().map((id) => this.agent(id)));
    return all.filter((a): a is AgentRecord => !!a);
  }

  async moveAgent(
    id: string,
    from: AgentStatus,
    to: AgentStatus,
    now: number,
  ): Promise<MoveResult> {
    const [ok, flat] = await this.link.script<[number, string[]]>(
      'HF_MOVE_AGENT',
      id,
      from,
      to,
      now,
    );
    const agent = agentOf(id, pairs(flat));
    return ok === 1 && agent ? { ok: true, agent } : { ok: false, agent };
  }

  async register(r: Omit<Registration, 'instanceId'>): Promise<void> {
    const reg: Registration = { ...r, instanceId: this.instanceId };
    await this.link.script('HF_REGISTER', r.agentId, JSON.stringify(reg));
  }

  async unregister(agentId: string, uri?: string): Promise<boolean> {
    return (await this.link.script<number>('HF_UNREGISTER', agentId, uri ?? '')) === 1;
  }

  async registration(agentId: string): Promise<Registration | undefined> {
    return parse<Registration>(await this.link.redis.get(this.link.key('reg', agentId)));
  }

  async enqueue(q: Omit<QueuedCall, 'owner'>): Promise<void> {
    const entry: QueuedCall = { ...q, owner: this.instanceId };
    await this.link.script('HF_ENQUEUE', q.callId, queueScore(q), JSON.stringify(entry));
  }

  async dequeue(callId: string): Promise<boolean> {
    return (await this.link.script<number>('HF_DEQUEUE', callId)) === 1;
  }

  async queue(): Promise<QueuedCall[]> {
    const texts = await this.link.script<string[]>('HF_QUEUE');
    return texts.map((t) => queuedOf(JSON.parse(t) as QueuedCall));
  }

  async claim(now: number, limit = CLAIM_WINDOW): Promise<Claim[]> {
    const flat = await this.link.script<string[]>('HF_CLAIM', now, limit);
    const claims: Claim[] = [];
    for (let i = 0; i + 2 < flat.length; i += 3)
      claims.push({ callId: flat[i], agentId: flat[i + 1], ver: Number(flat[i + 2]) });
    return claims;
  }

  async answer(callId: string, agentId: string): Promise<boolean> {
    const k = this.link.key('call', callId);
    return (await this.link.redis.hsetnx(k, 'answeredBy', agentId)) === 1;
  }

  async ownCall(c: Omit<CallRecord, 'owner' | 'answeredBy' | 'fate'>): Promise<void> {
    const k = this.link.key('call', c.callId);
    await this.link.multi((m) => {
      m.hset(k, 'owner', this.instanceId, 'state', c.state);
      if (c.agentId) m.hset(k, 'agentId', c.agentId);
      else m.hdel(k, 'agentId');
      if (c.dialogIds?.length) m.hset(k, 'dialogIds', JSON.stringify(c.dialogIds));
      if (c.mediaCallId) m.hset(k, 'mediaCallId', c.mediaCallId);
      if (c.mediaTags?.length) m.hset(k, 'mediaTags', JSON.stringify(c.mediaTags));
      // Pending transactions are as the owner last saw them, not kept from earlier writes.
      if (c.customerTxnId) m.hset(k, 'customerTxnId', c.customerTxnId);
      else m.hdel(k, 'customerTxnId');
      if (c.agentTxnIds?.length) m.hset(k, 'agentTxnIds', JSON.stringify(c.agentTxnIds));
      else m.hdel(k, 'agentTxnIds');
      if (c.resume) m.hset(k, 'resume', JSON.stringify(c.resume));
      else m.hdel(k, 'resume');
      m.sadd(this.link.key('calls', this.instanceId), c.callId);
    });
  }

  async call(callId: string): Promise<CallRecord | undefined> {
    return callOf(callId, await this.link.redis.hgetall(this.link.key('call', callId)));
  }

  async endCall(callId: string): Promise<void> {
    await this.link.script('HF_END_CALL', callId);
  }

  async callsOf(instanceId: string): Promise<CallRecord[]> {
    const ids = await this.link.redis.smembers(this.link.key('calls', instanceId));
    const all = await Promise.all(ids.sort().map((id) => this.call(id)));
    return all.filter((c): c is CallRecord => !!c);
  }

  async openEngagement(e: Omit<EngagementRecord, 'instanceId'>): Promise<void> {
    const rec: EngagementRecord = { ...e, instanceId: this.instanceId };
    await this.link.redis.hset(this.link.key('eng', e.agentId), e.callId, JSON.stringify(rec));
  }

  async closeEngagement(agentId: string, callId: string): Promise<void> {
    await this.link.redis.hdel(this.link.key('eng', agentId), callId);
  }

  async engagementsOf(agentId: string): Promise<EngagementRecord[]> {
    const h = await this.link.redis.hgetall(this.link.key('eng', agentId));
    return Object.keys(h)
      .sort()
      .map((callId) => JSON.parse(h[callId]) as EngagementRecord);
  }

  async startEpisode(e: Omit<EpisodeRecord, 'owner'>): Promise<void> {
    const rec: EpisodeRecord = { ...e, owner: this.instanceId };
    await this.link.script('HF_SET_EPISODE', e.agentId, JSON.stringify(rec));
  }

  async updateEpisode(agentId: string, patch: Partial<Pick<EpisodeRecord, 'situation'>>) {
    if (patch.situation !== undefined)
      await this.link.script('HF_EPISODE_SITUATION', agentId, patch.situation);
  }

  async endEpisode(agentId: string): Promise<void> {
    await this.link.script('HF_SET_EPISODE', agentId, '');
  }

  async episode(agentId: string): Promise<EpisodeRecord | undefined> {
    return parse<EpisodeRecord>(await this.link.redis.get(this.link.key('ep', agentId)));
  }

  async secret(name: string, proposal?: string): Promise<string> {
    const mine = proposal ?? randomBytes(32).toString('hex');
    const k = this.link.key('secret', name);
    // SET NX GET (Redis 7): the value already there, or nil when ours was set.
    const before = (await this.link.redis.call('SET', k, mine, 'NX', 'GET')) as string | null;
    return before ?? mine;
  }

  async useNonce(nonce: string, nc: number, expiresAt: number): Promise<boolean> {
    return (await this.link.script<number>('HF_USE_NONCE', nonce, nc, expiresAt)) === 1;
  }

  async heartbeat(ttlMs: number): Promise<void> {
    await this.link.script('HF_HEARTBEAT', Date.now(), ttlMs);
  }

  async instances(): Promise<InstanceInfo[]> {
    const flat = await this.link.script<(string | number)[]>('HF_INSTANCES');
    const out: InstanceInfo[] = [];
    for (let i = 0; i + 2 < flat.length; i += 3)
      out.push({ id: String(flat[i]), seenAt: Number(flat[i + 1]), alive: flat[i + 2] === 1 });
    return out.sort((a, b) => a.id.localeCompare(b.id));
  }

  async takeOver(from: string, fate: string): Promise<Takeover | undefined> {
    const text = await this.link.script<string>('HF_TAKEOVER', from, fate, Date.now());
    if (!text) return undefined;
    const t = JSON.parse(text) as Record<string, unknown>;
    return {
      from,
      queued: list<QueuedCall>(t.queued).map(queuedOf),
      episodes: list<EpisodeRecord>(t.episodes),
      calls: list<Record<string, string>>(t.calls).map((h) => callOf(h.callId, h)!),
      freedAgents: list<string>(t.freedAgents).sort(),
      registrations: list<Registration>(t.registrations).sort((x, y) =>
        x.agentId.localeCompare(y.agentId),
      ),
    };
  }

  async watch(fn: (c: StateChange) => void): Promise<() => void> {
    return this.link.subscribe((msg) => {
      const change = changeOf(msg);
      if (change) fn(change);
    });
  }

  close(): Promise<void> {
    return this.link.close();
  }
}

function pairs(flat: string[]): Record<string, string> {
  const h: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) h[flat[i]] = flat[i + 1];
  return h;
}

function agentOf(id: string, h: Record<string, string>): AgentRecord | undefined {
  if (!h.status) return undefined;
  return {
    id,
    status: h.status as AgentStatus,
    since: Number(h.since),
    idleSince: Number(h.idleSince),
    ver: Number(h.ver),
    holder: h.holder ?? '',
  };
}

function callOf(callId: string, h: Record<string, string>): CallRecord | undefined {
  if (!h.owner) return undefined;
  const c: CallRecord = { callId, owner: h.owner, state: h.state ?? '' };
  if (h.agentId) c.agentId = h.agentId;
  if (h.dialogIds) c.dialogIds = list<string>(JSON.parse(h.dialogIds));
  if (h.mediaCallId) c.mediaCallId = h.mediaCallId;
  if (h.mediaTags) c.mediaTags = list<string>(JSON.parse(h.mediaTags));
  if (h.customerTxnId) c.customerTxnId = h.customerTxnId;
  if (h.agentTxnIds) c.agentTxnIds = list<string>(JSON.parse(h.agentTxnIds));
  if (h.resume) c.resume = JSON.parse(h.resume) as CallResume;
  if (h.answeredBy) c.answeredBy = h.answeredBy;
  if (h.fate) c.fate = h.fate;
  return c;
}

/** Lua's cjson writes an empty table as {}: an empty list here. */
function list<T>(v: unknown): T[] {
  return Array.isArray(v) ? (v as T[]) : [];
}

function queuedOf(q: QueuedCall): QueuedCall {
  return { ...q, skip: list<string>(q.skip) };
}

function parse<T>(text: string | null): T | undefined {
  return text ? (JSON.parse(text) as T) : undefined;
}

function changeOf(msg: Record<string, unknown>): StateChange | undefined {
  const by = String(msg.from);
  switch (msg.k) {
    case 'agent': {
      const h = msg.agent as Record<string, string>;
      const agent = agentOf(h.id, h);
      return agent && { by, kind: 'agent', agent };
    }
    case 'registration': {
      const reg = parse<Registration>((msg.registration as string | undefined) ?? null);
      const agentId = String(msg.agentId);
      return reg
        ? { by, kind: 'registration', agentId, registration: reg }
        : { by, kind: 'registration', agentId };
    }
    case 'queue':
      return { by, kind: 'queue' };
    case 'episode':
      return { by, kind: 'episode', agentId: String(msg.agentId) };
    default:
      return undefined;
  }
}
