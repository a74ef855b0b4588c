// What the operations board shows, read from the gateway in one pass (calls with their
// legs, agents with their engagements, one episode per absent agent), and the difference
// between two such readings: the stream sends the first whole, then only what changed.
// Times are the gateway clock's ms; the messages' `serverNow` lets the page run countdowns on its own
// clock without a message per second.
import type { AgentSnapshot } from '../agents/agent';
import type { CallSnapshot } from '../call/call-view';

export interface BoardAgent {
  id: string;
  status: string;
  since: number;
  transport?: string;
  /** The calls the agent takes part in, in which role, on a leg in which state. */
  engagements: { callId: string; role: string; legState: string }[];
}

/** One disconnect episode: an agent the policy considers gone, from t0 to its return. */
export interface BoardEpisode {
  agentId: string;
  situation: string;
  evidence: string;
  t0: number;
  deadlinesAt: { reconnectWindow: number; presenceTimeout: number };
  calls: { callId: string; role: string }[];
}

/** An episode that ended (the agent is back, or the gateway stopped), as last seen. */
export interface BoardEpisodeEnd {
  agentId: string;
  t0: number;
  endedAt: number;
  /** The situation it was in when it ended (disconnected = back within the window). */
  situation: string;
  evidence: string;
  agentStatus?: string;
}

/** The board at one moment. */
export interface BoardReading {
  calls: CallSnapshot[];
  agents: BoardAgent[];
  episodes: BoardEpisode[];
}

/** The `snapshot` message: the board, and the gateway clock when it was sent. */
export interface BoardSnapshot extends BoardReading {
  serverNow: number;
}

interface Section<T, R = string> {
  upsert: T[];
  remove: R[];
}

export interface BoardChanges {
  serverNow: number;
  calls?: Section<CallSnapshot>;
  agents?: Section<BoardAgent>;
  episodes?: Section<BoardEpisode, BoardEpisodeEnd>;
}

/** What the board reads of the gateway (structural, so that tests can hand in plain data). */
export interface BoardSources {
  calls: ReadonlyMap<string, { snapshot(): CallSnapshot }>;
  agents: { all(): { id: string; snapshot(): AgentSnapshot }[] };
  engagements: {
    of(agentId: string): readonly { call: { id: string }; role: string; leg: { state: string } }[];
  };
  coordinator: {
    absenceOf(agentId: string):
      | {
          situation: string;
          evidence: string;
          t0: number;
          deadlinesAt: { reconnectWindow: number; presenceTimeout: number };
        }
      | undefined;
  };
}

export function readBoard(s: BoardSources): BoardReading {
  const calls = [...s.calls.values()].map((c) => c.snapshot());
  const agents: BoardAgent[] = [];
  const episodes: BoardEpisode[] = [];
  for (const a of s.agents.all()) {
    const snap = a.snapshot();
    const engaged = s.engagements.of(a.id);
    agents.push({
      id: a.id,
      status: snap.status,
      since: snap.since,
      ...(snap.contact ? { transport: snap.contact.transport } : {}),
      engagements: engaged.map((e) => ({ callId: e.call.id, role: e.role, legState: e.leg.state })),
    });
    const absence = s.coordinator.absenceOf(a.id);
    if (absence)
      episodes.push({
        agentId: a.id,
        situation: absence.situation,
        evidence: absence.evidence,
        t0: absence.t0,
        deadlinesAt: { ...absence.deadlinesAt },
        calls: engaged.map((e) => ({ callId: e.call.id, role: e.role })),
      });
  }
  return { calls, agents, episodes };
}

/** A reading keyed by id, each entity with its JSON (what the diff compares). */
export interface BoardIndex {
  calls: Map<string, Keyed<CallSnapshot>>;
  agents: Map<string, Keyed<BoardAgent>>;
  episodes: Map<string, Keyed<BoardEpisode>>;
}

interface Keyed<T> {
  value: T;
  json: string;
}

export function indexBoard(b: BoardReading): BoardIndex {
  return {
    calls: keyed(b.calls, (c) => c.id),
    agents: keyed(b.agents, (a) => a.id),
    episodes: keyed(b.episodes, (e) => e.agentId),
  };
}

/** The reading an index was made from (the snapshot a newly connected page gets). */
export function snapshotOf(index: BoardIndex, serverNow: number): BoardSnapshot {
  const values = <T>(m: Map<string, Keyed<T>>) => [...m.values()].map((k) => k.value);
  return {
    serverNow,
    calls: values(index.calls),
    agents: values(index.agents),
    episodes: values(index.episodes),
  };
}

/** What changed from `prev` to `next`; undefined when nothing did. */
export function diffBoard(prev: BoardIndex, next: BoardIndex, serverNow: number) {
  const changes: BoardChanges = { serverNow };
  const calls = diffSection(prev.calls, next.calls, (id) => id);
  const agents = diffSection(prev.agents, next.agents, (id) => id);
  const episodes = diffSection(
    prev.episodes,
    next.episodes,
    (id, was) => ({
      agentId: id,
      t0: was.t0,
      endedAt: serverNow,
      situation: was.situation,
      evidence: was.evidence,
      ...(next.agents.get(id) ? { agentStatus: next.agents.get(id)!.value.status } : {}),
    }),
    // Back and gone again between two readings: the first episode ended, a new one began.
    (was, now) => was.t0 === now.t0,
  );
  if (calls) changes.calls = calls;
  if (agents) changes.agents = agents;
  if (episodes) changes.episodes = episodes;
  return calls || agents || episodes ? changes : undefined;
}

function keyed<T>(items: T[], id: (t: T) => string): Map<string, Keyed<T>> {
  return new Map(items.map((value) => [id(value), { value, json: JSON.stringify(value) }]));
}

/** Removals are applied before upserts (an entity replaced under the same id is in both). */
function diffSection<T, R>(
  prev: Map<string, Keyed<T>>,
  next: Map<string, Keyed<T>>,
  removed: (id: string, was: T) => R,
  same: (was: T, now: T) => boolean = () => true,
): Section<T, R> | undefined {
  const upsert: T[] = [];
  const remove: R[] = [];
  for (const [id, k] of next) {
    const was = prev.get(id);
    if (was?.json === k.json) continue;
    if (was && !same(was.value, k.value)) remove.push(removed(id, was.value));
    upsert.push(k.value);
  }
  for (const [id, k] of prev) if (!next.has(id)) remove.push(removed(id, k.value));
  return upsert.length || remove.length ? { upsert, remove } : undefined;
}
