// Keeps this gateway's Agent objects and the shared store in step. Local moves and
// registrations are written as they happen (moves compare-and-set from the status this
// copy had); other instances' changes arrive by watch() and are taken when newer (`ver`)
// than this copy. A refused move means another instance moved the agent first: the copy
// takes the shared record.
import type { Logger } from 'pino';
import type { Agent, AgentContact } from '../agents/agent';
import type { AgentDirectory } from '../agents/agent-directory';
import type { AgentStatus } from '../agents/agent-state';
import type { AgentRecord, Registration, StateChange, StateStore } from './state-store';

export interface AgentSyncHooks {
  /** Another instance took the agent's registration: a binding expiry here is void. */
  registeredElsewhere(agent: Agent, changed: boolean): void;
}

export interface AgentSyncOptions {
  store: StateStore;
  agents: AgentDirectory;
  /** host:port of the SIP server this gateway's INVITEs go through. */
  sipServer: () => string;
  hooks: AgentSyncHooks;
  log: Logger;
}

export class AgentSync {
  private applying = false;
  private readonly vers = new Map<string, number>();
  private readonly holders = new Map<string, string>();
  /** Writes of ours in flight per agent: a change seen meanwhile waits for their reply. */
  private readonly pending = new Map<string, number>();
  private readonly held = new Map<string, AgentRecord>();

  constructor(private readonly o: AgentSyncOptions) {}

  /** Creates the agents the store does not know yet, then takes the shared state. */
  async load(): Promise<void> {
    const { store, agents } = this.o;
    for (const agent of agents.all()) {
      const rec = await store.initAgent({ id: agent.id, status: agent.status, now: Date.now() });
      if (agent.config.uri && agent.contact)
        await store.register({
          agentId: agent.id,
          contact: agent.contact,
          sipServer: this.o.sipServer(),
        });
      else this.applyRegistration(agent, await store.registration(agent.id));
      this.apply(rec, true);
    }
  }

  /** From now on, local changes are written and shared ones taken. */
  async follow(): Promise<() => void> {
    const { agents } = this.o;
    const onStatus = (agent: Agent, from: AgentStatus) => {
      if (!this.applying) this.writeMove(agent, from, agent.status);
    };
    const onContact = (agent: Agent, previous: AgentContact | undefined) => {
      if (!this.applying) this.writeContact(agent, previous);
    };
    agents.on('status', onStatus);
    agents.on('contact', onContact);
    const unwatch = await this.o.store.watch((c) => this.onChange(c));
    return () => {
      agents.off('status', onStatus);
      agents.off('contact', onContact);
      unwatch();
    };
  }

  /** A change being taken from the store (not to be written back). */
  get mirroring(): boolean {
    return this.applying;
  }

  /** A claim made the agent ringing for this instance (already written by the claim). */
  claimed(agentId: string, now: number, ver: number): Agent | undefined {
    const agent = this.o.agents.get(agentId);
    if (!agent) return undefined;
    if (ver > (this.vers.get(agentId) ?? 0)) this.vers.set(agentId, ver);
    this.holders.set(agentId, this.o.store.instanceId);
    this.quietly(() => agent.mirror({ status: 'ringing', since: now, idleSince: agent.idleSince }));
    return agent;
  }

  /** The instance that holds the agent ('' for none), as last seen. */
  holderOf(agentId: string): string {
    return this.holders.get(agentId) ?? '';
  }

  /** Takes the shared record as it is (a resync after Redis came back). */
  take(rec: AgentRecord): void {
    this.apply(rec, true);
  }

  /** Reloads the agent from the store (a write was refused). */
  async reload(agentId: string): Promise<void> {
    const rec = await this.o.store.agent(agentId);
    if (rec) this.apply(rec, true);
  }

  private onChange(c: StateChange): void {
    if (c.by === this.o.store.instanceId) return; // this copy made it, and is ahead of it
    if (c.kind === 'agent') {
      // Our own move is on its way: this copy is ahead of what the store said before it.
      if (this.pending.get(c.agent.id)) this.held.set(c.agent.id, c.agent);
      else this.apply(c.agent, false);
    } else if (c.kind === 'registration') {
      const agent = this.o.agents.get(c.agentId);
      if (agent && !agent.config.uri) this.applyRegistration(agent, c.registration, true);
    }
  }

  private apply(rec: AgentRecord, force: boolean): void {
    const agent = this.o.agents.get(rec.id);
    if (!agent) return;
    if (!force && rec.ver <= (this.vers.get(rec.id) ?? 0)) return;
    this.vers.set(rec.id, rec.ver);
    this.holders.set(rec.id, rec.holder);
    this.quietly(() => agent.mirror(rec));
  }

  private applyRegistration(agent: Agent, reg: Registration | undefined, remote = false): void {
    const previous = agent.contact;
    const next = reg?.contact;
    if (sameContact(previous, next)) return;
    this.quietly(() => this.o.agents.setContact(agent, next));
    if (remote && next) {
      const changed =
        !previous || previous.uri !== next.uri || previous.transport !== next.transport;
      this.o.hooks.registeredElsewhere(agent, changed);
    }
  }

  private writeMove(agent: Agent, from: AgentStatus, to: AgentStatus): void {
    const { store, log } = this.o;
    this.pending.set(agent.id, (this.pending.get(agent.id) ?? 0) + 1);
    store
      .moveAgent(agent.id, from, to, agent.since)
      .then(async (r) => {
        if (r.ok) return this.noteVer(r.agent);
        log.warn(
          { agentId: agent.id, from, to, shared: r.agent?.status },
          'agent moved by another instance meanwhile: taking the shared status',
        );
        if (r.agent) this.apply(r.agent, true);
      })
      .catch((err: Error) => this.writeFailed(agent.id, err))
      .finally(() => this.settle(agent.id));
  }

  /** A write replied: a change held meanwhile applies now if newer than what we wrote. */
  private settle(agentId: string): void {
    const n = (this.pending.get(agentId) ?? 1) - 1;
    if (n > 0) return void this.pending.set(agentId, n);
    this.pending.delete(agentId);
    const held = this.held.get(agentId);
    this.held.delete(agentId);
    if (held) this.apply(held, false);
  }

  private writeContact(agent: Agent, previous: AgentContact | undefined): void {
    const { store } = this.o;
    const write = agent.contact
      ? store.register({
          agentId: agent.id,
          contact: agent.contact,
          sipServer: this.o.sipServer(),
        })
      : store.unregister(agent.id, previous?.uri);
    write.catch((err: Error) => this.writeFailed(agent.id, err));
  }

  private noteVer(rec: AgentRecord): void {
    if (rec.ver > (this.vers.get(rec.id) ?? 0)) this.vers.set(rec.id, rec.ver);
    this.holders.set(rec.id, rec.holder);
  }

  private quietly(fn: () => void): void {
    this.applying = true;
    try {
      fn();
    } finally {
      this.applying = false;
    }
  }

  private writeFailed(agentId: string, err: Error): void {
    this.o.log.error({ agentId, err: err.message }, 'could not write the agent to the store');
  }
}

function sameContact(a: AgentContact | undefined, b: AgentContact | undefined): boolean {
  if (!a || !b) return a === b;
  return (
    a.uri === b.uri &&
    a.transport === b.transport &&
    a.profile === b.profile &&
    a.expiresAt === b.expiresAt
  );
}
