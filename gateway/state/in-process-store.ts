// The state store in the process: plain maps, each operation complete before it returns
// (so every claim is trivially atomic). One gateway needs nothing more; several stores
// over one InProcessSpace behave as instances sharing one Redis, which lets the store
// contract be checked against both implementations the same way.
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { AgentStatus } from '../agents/agent-state';
import { compareQueued } from './queue-order';
import type {
  AgentRecord,
  CallRecord,
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
} from './state-store';

/** What several in-process stores share (one per "Redis"). */
export class InProcessSpace {
  readonly agents = new Map<string, AgentRecord>();
  readonly registrations = new Map<string, Registration>();
  readonly queue = new Map<string, QueuedCall>();
  readonly calls = new Map<string, CallRecord>();
  readonly engagements = new Map<string, Map<string, EngagementRecord>>();
  readonly episodes = new Map<string, EpisodeRecord>();
  readonly instances = new Map<string, { seenAt: number; until: number }>();
  readonly secrets = new Map<string, string>();
  readonly nonces = new Map<string, { nc: number; expiresAt: number }>();
  readonly events = new EventEmitter<{ change: [StateChange] }>();
}

const copy = <T>(v: T): T => structuredClone(v);
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export class InProcessStore implements StateStore {
  readonly kind = 'in-process' as const;
  readonly roundTrips = 0;

  constructor(
    readonly instanceId: string,
    private readonly s = new InProcessSpace(),
  ) {}

  async initAgent(a: { id: string; status: AgentStatus; now: number }): Promise<AgentRecord> {
    let rec = this.s.agents.get(a.id);
    if (!rec) {
      rec = { id: a.id, status: a.status, since: a.now, idleSince: a.now, ver: 1, holder: '' };
      this.s.agents.set(a.id, rec);
      this.emit({ kind: 'agent', agent: copy(rec) });
    }
    return copy(rec);
  }

  async agent(id: string): Promise<AgentRecord | undefined> {
    const a = this.s.agents.get(id);
    return a && copy(a);
  }

  async agents(): Promise<AgentRecord[]> {
    return [...this.s.agents.values()].sort((a, b) => a.id.localeCompare(b.id)).map(copy);
  }

  async moveAgent(
    id: string,
    from: AgentStatus,
    to: AgentStatus,
    now: number,
  ): Promise<MoveResult> {
    const a = this.s.agents.get(id);
    if (!a || a.status !== from) return { ok: false, agent: a && copy(a) };
    this.setStatus(a, to, now, to === 'available' || to === 'offline' ? '' : this.instanceId);
    return { ok: true, agent: copy(a) };
  }

  async register(r: Omit<Registration, 'instanceId'>): Promise<void> {
    const registration = { ...copy(r), instanceId: this.instanceId };
    this.s.registrations.set(r.agentId, registration);
    this.emit({ kind: 'registration', agentId: r.agentId, registration: copy(registration) });
  }

  async unregister(agentId: string, uri?: string): Promise<boolean> {
    const cur = this.s.registrations.get(agentId);
    if (!cur || (uri !== undefined && cur.contact.uri !== uri)) return false;
    this.s.registrations.delete(agentId);
    this.emit({ kind: 'registration', agentId });
    return true;
  }

  async registration(agentId: string): Promise<Registration | undefined> {
    const r = this.s.registrations.get(agentId);
    return r && copy(r);
  }

  async enqueue(q: Omit<QueuedCall, 'owner'>): Promise<void> {
    this.s.queue.set(q.callId, { ...copy(q), owner: this.instanceId });
    this.emit({ kind: 'queue' });
  }

  async dequeue(callId: string): Promise<boolean> {
    if (!this.s.queue.delete(callId)) return false;
    this.emit({ kind: 'queue' });
    return true;
  }

  async queue(): Promise<QueuedCall[]> {
    return this.ordered().map(copy);
  }

  async claim(now: number, limit = 200): Promise<Claim[]> {
    const free = [...this.s.agents.values()]
      .filter((a) => a.status === 'available' && this.s.registrations.has(a.id))
      .sort((a, b) => a.idleSince - b.idleSince || (a.id < b.id ? -1 : 1));
    const taken = new Set<string>();
    const claims: Claim[] = [];
    for (const q of this.ordered().slice(0, limit)) {
      if (taken.size === free.length) break;
      if (q.owner !== this.instanceId && !this.alive(q.owner)) continue;
      const a = free.find((x) => !taken.has(x.id) && !q.skip.includes(x.id));
      if (!a) continue;
      taken.add(a.id);
      if (q.owner !== this.instanceId) continue;
      this.s.queue.delete(q.callId);
      this.setStatus(a, 'ringing', now, this.instanceId);
      claims.push({ callId: q.callId, agentId: a.id, ver: a.ver });
    }
    if (claims.length) this.emit({ kind: 'queue' });
    return claims;
  }

  async answer(callId: string, agentId: string): Promise<boolean> {
    const c = this.s.calls.get(callId);
    if (c?.answeredBy) return false;
    if (c) c.answeredBy = agentId;
    else this.s.calls.set(callId, { callId, owner: '', state: '', answeredBy: agentId });
    return true;
  }

  async ownCall(c: Omit<CallRecord, 'owner' | 'answeredBy' | 'fate'>): Promise<void> {
    const cur = this.s.calls.get(c.callId);
    const rec: CallRecord = { callId: c.callId, owner: this.instanceId, state: c.state };
    if (c.agentId) rec.agentId = c.agentId;
    const dialogIds = c.dialogIds?.length ? c.dialogIds : cur?.dialogIds;
    if (dialogIds?.length) rec.dialogIds = [...dialogIds];
    const mediaCallId = c.mediaCallId ?? cur?.mediaCallId;
    if (mediaCallId) rec.mediaCallId = mediaCallId;
    const mediaTags = c.mediaTags?.length ? c.mediaTags : cur?.mediaTags;
    if (mediaTags?.length) rec.mediaTags = [...mediaTags];
    // Pending transactions are as the owner last saw them, not kept from earlier writes.
    if (c.customerTxnId) rec.customerTxnId = c.customerTxnId;
    if (c.agentTxnIds?.length) rec.agentTxnIds = [...c.agentTxnIds];
    if (c.resume) rec.resume = structuredClone(c.resume);
    if (cur?.answeredBy) rec.answeredBy = cur.answeredBy;
    if (cur?.fate) rec.fate = cur.fate;
    this.s.calls.set(c.callId, rec);
  }

  async call(callId: string): Promise<CallRecord | undefined> {
    const c = this.s.calls.get(callId);
    return c?.owner ? copy(c) : undefined;
  }

  async endCall(callId: string): Promise<void> {
    this.s.calls.delete(callId);
  }

  async callsOf(instanceId: string): Promise<CallRecord[]> {
    return [...this.s.calls.values()]
      .filter((c) => c.owner === instanceId)
      .sort((a, b) => a.callId.localeCompare(b.callId))
      .map(copy);
  }

  async openEngagement(e: Omit<EngagementRecord, 'instanceId'>): Promise<void> {
    let m = this.s.engagements.get(e.agentId);
    if (!m) this.s.engagements.set(e.agentId, (m = new Map()));
    m.set(e.callId, { ...copy(e), instanceId: this.instanceId });
  }

  async closeEngagement(agentId: string, callId: string): Promise<void> {
    const m = this.s.engagements.get(agentId);
    m?.delete(callId);
    if (m && !m.size) this.s.engagements.delete(agentId);
  }

  async engagementsOf(agentId: string): Promise<EngagementRecord[]> {
    const m = this.s.engagements.get(agentId);
    return m ? [...m.values()].sort((a, b) => a.callId.localeCompare(b.callId)).map(copy) : [];
  }

  async startEpisode(e: Omit<EpisodeRecord, 'owner'>): Promise<void> {
    this.s.episodes.set(e.agentId, { ...copy(e), owner: this.instanceId });
    this.emit({ kind: 'episode', agentId: e.agentId });
  }

  async updateEpisode(agentId: string, patch: Partial<Pick<EpisodeRecord, 'situation'>>) {
    const e = this.s.episodes.get(agentId);
    if (!e || patch.situation === undefined) return;
    e.situation = patch.situation;
    this.emit({ kind: 'episode', agentId });
  }

  async endEpisode(agentId: string): Promise<void> {
    this.s.episodes.delete(agentId);
    this.emit({ kind: 'episode', agentId });
  }

  async episode(agentId: string): Promise<EpisodeRecord | undefined> {
    const e = this.s.episodes.get(agentId);
    return e && copy(e);
  }

  async useNonce(nonce: string, nc: number, expiresAt: number): Promise<boolean> {
    const now = Date.now();
    for (const [n, e] of this.s.nonces) if (e.expiresAt <= now) this.s.nonces.delete(n);
    const last = this.s.nonces.get(nonce)?.nc ?? 0;
    if (nc <= last) return false;
    this.s.nonces.set(nonce, { nc, expiresAt });
    return true;
  }

  async secret(name: string, proposal?: string): Promise<string> {
    let v = this.s.secrets.get(name);
    if (!v) this.s.secrets.set(name, (v = proposal ?? randomBytes(32).toString('hex')));
    return v;
  }

  async heartbeat(ttlMs: number): Promise<void> {
    const now = Date.now();
    this.s.instances.set(this.instanceId, { seenAt: now, until: now + ttlMs });
  }

  async instances(): Promise<InstanceInfo[]> {
    return [...this.s.instances.entries()]
      .map(([id, i]) => ({ id, seenAt: i.seenAt, alive: this.alive(id) }))
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  async takeOver(from: string, fate: string): Promise<Takeover | undefined> {
    if (!this.s.instances.has(from) || this.alive(from)) return undefined;
    this.s.instances.delete(from);
    const now = Date.now();
    const t: Takeover = {
      from,
      queued: [],
      episodes: [],
      calls: [],
      freedAgents: [],
      registrations: [],
    };
    for (const q of this.ordered())
      if (q.owner === from) t.queued.push(copy(Object.assign(q, { owner: this.instanceId })));
    for (const e of this.s.episodes.values())
      if (e.owner === from) t.episodes.push(copy(Object.assign(e, { owner: this.instanceId })));
    for (const c of this.s.calls.values()) {
      if (c.owner !== from) continue;
      c.owner = this.instanceId;
      if (this.s.queue.has(c.callId)) continue;
      c.fate = fate;
      t.calls.push(copy(c));
    }
    for (const a of this.s.agents.values()) {
      if (a.holder !== from) continue;
      if (a.status === 'ringing') {
        this.setStatus(a, 'available', now, '');
        t.freedAgents.push(a.id);
      } else {
        a.holder = this.instanceId;
        a.ver++;
        this.emit({ kind: 'agent', agent: copy(a) });
      }
    }
    t.freedAgents.sort();
    for (const r of this.s.registrations.values())
      if (r.instanceId === from)
        t.registrations.push(copy(Object.assign(r, { instanceId: this.instanceId })));
    t.registrations.sort((x, y) => x.agentId.localeCompare(y.agentId));
    this.emit({ kind: 'queue' });
    return t;
  }

  async watch(fn: (c: StateChange) => void): Promise<() => void> {
    this.s.events.on('change', fn);
    return () => this.s.events.off('change', fn);
  }

  async close(): Promise<void> {}

  private alive(id: string): boolean {
    const i = this.s.instances.get(id);
    return !!i && i.until > Date.now();
  }

  private ordered(): QueuedCall[] {
    return [...this.s.queue.values()].sort(compareQueued);
  }

  private setStatus(a: AgentRecord, to: AgentStatus, now: number, holder: string): void {
    a.status = to;
    a.since = now;
    a.holder = holder;
    if (to === 'available') a.idleSince = now;
    a.ver++;
    this.emit({ kind: 'agent', agent: copy(a) });
  }

  private emit(c: DistributiveOmit<StateChange, 'by'>): void {
    this.s.events.emit('change', { ...c, by: this.instanceId } as StateChange);
  }
}
