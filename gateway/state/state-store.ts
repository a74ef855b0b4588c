// What gateways sharing one contact centre share: agents, registrations (which instance
// and SIP server hold each agent's flow), engagements, the queue, call ownership,
// disconnect episodes and the instances themselves. Two implementations of one contract:
// in the process (in-process-store.ts, for one gateway) and Redis (redis/redis-store.ts,
// for several). The contract is checked against both by test/state/store-contract.ts.
// Times are wall-clock ms (Date.now()), the only clock instances on several hosts share.
import type { AgentContact } from '../agents/agent';
import type { AgentStatus } from '../agents/agent-state';
import type { AdoptedPrimary } from '../call/leg-dialer';
import type { SessionSnapshot } from '../../media';

export interface AgentRecord {
  id: string;
  status: AgentStatus;
  since: number;
  /** When it last became available: the longest-idle agent is offered first. */
  idleSince: number;
  /** Bumped by every change: a copy keeps the newest it has seen. */
  ver: number;
  /** The instance that claimed it or carries its call or episode; '' for none. */
  holder: string;
}

export interface Registration {
  agentId: string;
  contact: AgentContact;
  /** The instance that received the REGISTER. */
  instanceId: string;
  /** The SIP server (host:port) holding the agent's flow: INVITEs go through it. */
  sipServer: string;
}

export interface QueuedCall {
  callId: string;
  priority: number;
  /** When the call first started waiting (wall-clock ms). */
  enqueuedAt: number;
  /** The instance holding the customer's dialog, the one that offers the call. */
  owner: string;
  /** Agents this call must not be offered again (declined, timed out). */
  skip: string[];
}

/** A call paired with an agent, both claimed for this instance in one atomic step. */
export interface Claim {
  callId: string;
  agentId: string;
  /** The agent's version after the claim. */
  ver: number;
}

export interface CallRecord {
  callId: string;
  owner: string;
  /** The call's state as its owner last wrote it (queued, ringing, connected…). */
  state: string;
  agentId?: string;
  /** The SIP server's ids of the call's dialogs (customer first): a survivor can end them. */
  dialogIds?: string[];
  /** The call's rtpengine call-id. */
  mediaCallId?: string;
  /** Its parties' tags there (customer, agent): whose silence means a hang-up. */
  mediaTags?: string[];
  /** The customer's INVITE while it has no final response (SIP server transaction id). */
  customerTxnId?: string;
  /** Agents' INVITEs not answered yet (SIP server transaction ids). */
  agentTxnIds?: string[];
  /** A connected call's model, for a survivor to carry it on (owned-call.ts). */
  resume?: CallResume;
  /** Set once: the agent whose answer won (answer()). */
  answeredBy?: string;
  /** What became of it when its owner died (takeOver()). */
  fate?: string;
}

/** What a survivor needs to carry on a connected call: see gateway/state/call-adoption.ts. */
export interface CallResume {
  /** The customer's INVITE as the owner received it. */
  invite: string;
  customerDialogId: string;
  primary: AdoptedPrimary & { dialogId: string };
  media: SessionSnapshot;
}

export interface EngagementRecord {
  agentId: string;
  callId: string;
  role: string;
  instanceId: string;
}

/** A disconnect episode, with its deadlines as absolute times for a survivor to resume. */
export interface EpisodeRecord {
  agentId: string;
  owner: string;
  evidence: string;
  situation: string;
  t0: number;
  reconnectWindowAt: number;
  presenceTimeoutAt: number;
  callId?: string;
}

export type MoveResult = { ok: true; agent: AgentRecord } | { ok: false; agent?: AgentRecord };

export interface InstanceInfo {
  id: string;
  alive: boolean;
  /** Last heartbeat, wall-clock ms. */
  seenAt: number;
}

/** What a survivor took from a dead instance (only one survivor gets it). */
export interface Takeover {
  from: string;
  queued: QueuedCall[];
  episodes: EpisodeRecord[];
  /** The dead instance's other calls (connected, ringing…), now marked with their fate. */
  calls: CallRecord[];
  /** Agents it had claimed (ringing) for calls that died with it: available again. */
  freedAgents: string[];
  /** The registrations it had taken, now this instance's: it runs their expiries. */
  registrations: Registration[];
}

/** `by`: the instance that made the change. */
export type StateChange = { by: string } & (
  | { kind: 'agent'; agent: AgentRecord }
  | { kind: 'registration'; agentId: string; registration?: Registration }
  | { kind: 'queue' }
  | { kind: 'episode'; agentId: string }
);

export interface StateStore {
  readonly kind: 'in-process' | 'redis';
  readonly instanceId: string;
  /** Requests sent (a pipeline or script counts once): 0 in the process. */
  readonly roundTrips: number;

  /** Creates the agent if the store does not know it yet; returns the shared record. */
  initAgent(a: { id: string; status: AgentStatus; now: number }): Promise<AgentRecord>;
  agent(id: string): Promise<AgentRecord | undefined>;
  agents(): Promise<AgentRecord[]>;
  /** Compare-and-set from the status this instance believes; refused if it moved meanwhile. */
  moveAgent(id: string, from: AgentStatus, to: AgentStatus, now: number): Promise<MoveResult>;

  register(r: Omit<Registration, 'instanceId'>): Promise<void>;
  /** Clears the agent's binding (only if it is still `uri`, when given). */
  unregister(agentId: string, uri?: string): Promise<boolean>;
  registration(agentId: string): Promise<Registration | undefined>;

  enqueue(q: Omit<QueuedCall, 'owner'>): Promise<void>;
  dequeue(callId: string): Promise<boolean>;
  /** In the order served: higher priority first, then the longer wait. */
  queue(): Promise<QueuedCall[]>;

  /**
   * Pairs this instance's waiting calls (in queue order) with available, registered agents
   * (longest idle first, minus each call's skip list), atomically: each call leaves the
   * queue and each agent becomes `ringing`, held by this instance. Calls of other live
   * instances keep the agents they would get, for their owners to claim.
   */
  claim(now: number, limit?: number): Promise<Claim[]>;
  /** The first answer of a call wins: false for any later one, from any instance. */
  answer(callId: string, agentId: string): Promise<boolean>;

  ownCall(c: Omit<CallRecord, 'owner' | 'answeredBy' | 'fate'>): Promise<void>;
  call(callId: string): Promise<CallRecord | undefined>;
  endCall(callId: string): Promise<void>;
  callsOf(instanceId: string): Promise<CallRecord[]>;

  openEngagement(e: Omit<EngagementRecord, 'instanceId'>): Promise<void>;
  closeEngagement(agentId: string, callId: string): Promise<void>;
  engagementsOf(agentId: string): Promise<EngagementRecord[]>;

  startEpisode(e: Omit<EpisodeRecord, 'owner'>): Promise<void>;
  updateEpisode(agentId: string, patch: Partial<Pick<EpisodeRecord, 'situation'>>): Promise<void>;
  endEpisode(agentId: string): Promise<void>;
  episode(agentId: string): Promise<EpisodeRecord | undefined>;

  /**
   * A random secret (hex) made by the first instance that asks, the same for all; with
   * `proposal`, that one is kept if none is there (rewriting a known secret after a loss).
   */
  secret(name: string, proposal?: string): Promise<string>;
  /**
   * Takes one use of a digest nonce with count `nc`, atomically across instances: true when
   * `nc` exceeds every count taken before (a replay, on any instance, gets false). The
   * count is forgotten at `expiresAt` (wall-clock ms), when the nonce is stale anyway.
   */
  useNonce(nonce: string, nc: number, expiresAt: number): Promise<boolean>;

  /** This instance is alive for `ttlMs` more. */
  heartbeat(ttlMs: number): Promise<void>;
  instances(): Promise<InstanceInfo[]>;
  /**
   * Takes what a dead instance held: its queued calls and episodes become this instance's,
   * its agents ringing for lost calls become available, its other calls get `fate`. Only
   * one survivor gets a Takeover; the others (and a live `from`) get undefined.
   */
  takeOver(from: string, fate: string): Promise<Takeover | undefined>;

  /** Changes made by any instance (this one included). Returns the unsubscribe. */
  watch(fn: (c: StateChange) => void): Promise<() => void>;
  close(): Promise<void>;
}
