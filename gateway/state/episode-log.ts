// Disconnect episodes in the shared store: this instance's are written as the coordinator
// runs them (t0 and deadlines as absolute times); a dead instance's, once taken over,
// are carried on here from those absolute times. A taken-over episode's call died with
// its instance (ended by the takeover), so what is left of it is the agent's own part:
// back (a REGISTER anywhere) → available; the presence timeout passed → offline.
import type { Logger } from 'pino';
import type { Clock } from '../../time/clock';
import type { Agent } from '../agents/agent';
import type { AgentDirectory } from '../agents/agent-directory';
import type { AgentAbsence } from '../policy/agent-absence';
import type { EpisodeRecord, StateStore } from './state-store';

type RunningAbsence = Pick<AgentAbsence<unknown>, 'evidence' | 'situation' | 't0' | 'deadlinesAt'>;

export interface EpisodeLogOptions {
  store: StateStore;
  agents: AgentDirectory;
  absenceOf(agentId: string): RunningAbsence | undefined;
  callOf(agentId: string): string | undefined;
  clock: Clock;
  log: Logger;
  /** What happened to each resumed episode, for the record. */
  note(what: { agentId: string; outcome: string }): void;
}

export class EpisodeLog {
  /** This instance's episodes written, by agent, with the situation last written. */
  private readonly written = new Map<string, string>();
  private readonly resumed = new Map<string, { cancel(): void }>();

  constructor(private readonly o: EpisodeLogOptions) {}

  /**
   * After any local status change of an agent: the episode's start, progress or end, read
   * once the coordinator has finished its step (it moves the agent before keeping the
   * absence).
   */
  statusChanged(agent: Agent): void {
    setImmediate(() => this.check(agent));
  }

  private check(agent: Agent): void {
    const { store } = this.o;
    const absence = this.o.absenceOf(agent.id);
    const was = this.written.get(agent.id);
    if (absence && was === undefined) {
      this.written.set(agent.id, absence.situation);
      this.write(store.startEpisode(this.recordOf(agent.id, absence)));
    } else if (absence && was !== absence.situation) {
      this.written.set(agent.id, absence.situation);
      this.write(store.updateEpisode(agent.id, { situation: absence.situation }));
    } else if (!absence && was !== undefined) {
      this.written.delete(agent.id);
      this.write(store.endEpisode(agent.id));
    }
  }

  /** The store's record of a running absence: its deadlines as absolute times. */
  private recordOf(
    agentId: string,
    absence: RunningAbsence,
  ): Parameters<StateStore['startEpisode']>[0] {
    const callId = this.o.callOf(agentId);
    return {
      agentId,
      evidence: absence.evidence,
      situation: absence.situation,
      t0: absence.t0,
      reconnectWindowAt: absence.deadlinesAt.reconnectWindow,
      presenceTimeoutAt: absence.deadlinesAt.presenceTimeout,
      ...(callId ? { callId } : {}),
    };
  }

  /** Redis came back: this instance's running episodes the store lost, written again. */
  async rewrite(): Promise<number> {
    let n = 0;
    for (const agentId of this.written.keys()) {
      const absence = this.o.absenceOf(agentId);
      if (!absence || (await this.o.store.episode(agentId))) continue;
      await this.o.store.startEpisode(this.recordOf(agentId, absence));
      n++;
    }
    return n;
  }

  /** A dead instance's episode: carried on from its absolute deadlines. */
  resume(e: EpisodeRecord): void {
    const agent = this.o.agents.get(e.agentId);
    if (!agent || (agent.status !== 'disconnected' && agent.status !== 'offline')) {
      this.finish(e.agentId, `over at takeover (agent ${agent?.status ?? 'unknown'})`);
      return;
    }
    this.o.log.info(
      { agentId: e.agentId, t0: e.t0, presenceTimeoutAt: e.presenceTimeoutAt },
      'episode taken over from a dead instance',
    );
    const left = Math.max(0, e.presenceTimeoutAt - Date.now());
    this.resumed.set(
      e.agentId,
      this.o.clock.after(left, () => {
        this.resumed.delete(e.agentId);
        if (agent.status === 'disconnected') this.o.agents.move(agent, 'offline');
        this.finish(e.agentId, 'presence timeout: offline');
      }),
    );
  }

  /** The agent registered again: a resumed episode ends with it available. */
  back(agent: Agent): boolean {
    const timer = this.resumed.get(agent.id);
    if (!timer) return false;
    timer.cancel();
    this.resumed.delete(agent.id);
    if (agent.status === 'disconnected' || agent.status === 'offline')
      this.o.agents.move(agent, 'available');
    this.finish(agent.id, 'back: available');
    return true;
  }

  get resumedCount(): number {
    return this.resumed.size;
  }

  close(): void {
    for (const t of this.resumed.values()) t.cancel();
    this.resumed.clear();
  }

  private finish(agentId: string, outcome: string): void {
    this.o.note({ agentId, outcome });
    this.write(this.o.store.endEpisode(agentId));
  }

  private write(p: Promise<unknown>): void {
    p.catch((err: Error) => this.o.log.error({ err: err.message }, 'could not write an episode'));
  }
}
