// The board as the page knows it: the last snapshot with every change applied since, the
// episodes that ended while the page watched, and the offset between the gateway's clock
// and the browser's (countdowns run here, from the deadlines, between messages). The
// message shapes are gateway/http/board-model.ts's.

export interface LegView {
  role: string;
  agentId?: string;
  tag: string;
  state: string;
}

export interface CallView {
  id: string;
  state: string;
  phase: string;
  agentId?: string;
  priority: number;
  held: boolean;
  muted: boolean;
  from: string;
  startedAt: number;
  gone?: string;
  legs: LegView[];
}

export interface AgentView {
  id: string;
  status: string;
  since: number;
  transport?: string;
  engagements: { callId: string; role: string; legState: string }[];
}

export interface EpisodeView {
  agentId: string;
  situation: string;
  evidence: string;
  t0: number;
  deadlinesAt: { reconnectWindow: number; presenceTimeout: number };
  calls: { callId: string; role: string }[];
}

export interface EpisodeEnd {
  agentId: string;
  t0: number;
  endedAt: number;
  situation: string;
  evidence: string;
  agentStatus?: string;
}

/** One of the gateway's own events (gateway/events/ops-events.ts). */
export interface GatewayEventView {
  type: string;
  /** ISO 8601. */
  at: string;
  agentId?: string;
  callId?: string;
  [field: string]: unknown;
}

interface Section<T, R = string> {
  upsert: T[];
  remove: R[];
}

export interface SnapshotMessage {
  serverNow: number;
  calls: CallView[];
  agents: AgentView[];
  episodes: EpisodeView[];
  /** The gateway's latest events, oldest first. */
  events?: GatewayEventView[];
}

export interface ChangesMessage {
  serverNow: number;
  calls?: Section<CallView>;
  agents?: Section<AgentView>;
  episodes?: Section<EpisodeView, EpisodeEnd>;
}

const KEEP_ENDED = 20;
const KEEP_EVENTS = 30;

export class BoardState {
  readonly calls = new Map<string, CallView>();
  readonly agents = new Map<string, AgentView>();
  readonly episodes = new Map<string, EpisodeView>();
  /** Episodes that ended while the page was open, newest first. */
  readonly ended: EpisodeEnd[] = [];
  /** The gateway's events, newest first. */
  events: GatewayEventView[] = [];
  /** Gateway clock minus browser clock (ms), from the latest message. */
  private offsetMs = 0;
  messages = 0;

  /** The gateway's clock now, as well as the page can tell. */
  serverNow(): number {
    return Date.now() + this.offsetMs;
  }

  applySnapshot(m: SnapshotMessage): void {
    this.sync(m.serverNow);
    replace(this.calls, m.calls, (c) => c.id);
    replace(this.agents, m.agents, (a) => a.id);
    replace(this.episodes, m.episodes, (e) => e.agentId);
    this.events = [...(m.events ?? [])].reverse().slice(0, KEEP_EVENTS);
  }

  applyEvent(e: GatewayEventView): void {
    this.events.unshift(e);
    this.events.splice(KEEP_EVENTS);
  }

  applyChanges(m: ChangesMessage): void {
    this.sync(m.serverNow);
    apply(this.calls, m.calls, (c) => c.id);
    apply(this.agents, m.agents, (a) => a.id);
    for (const end of m.episodes?.remove ?? []) {
      this.episodes.delete(end.agentId);
      this.ended.unshift(end);
    }
    this.ended.splice(KEEP_ENDED);
    for (const e of m.episodes?.upsert ?? []) this.episodes.set(e.agentId, e);
  }

  private sync(serverNow: number): void {
    this.messages++;
    this.offsetMs = serverNow - Date.now();
  }
}

function replace<T>(map: Map<string, T>, items: T[], id: (t: T) => string): void {
  map.clear();
  for (const item of items) map.set(id(item), item);
}

function apply<T>(map: Map<string, T>, s: Section<T> | undefined, id: (t: T) => string): void {
  for (const gone of s?.remove ?? []) map.delete(gone);
  for (const item of s?.upsert ?? []) map.set(id(item), item);
}
