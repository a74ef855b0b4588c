// All configured agents by id and by token. Static agents (with a uri) are available from
// the start; the others become available when they REGISTER.
import { EventEmitter } from 'node:events';
import type { AgentConfig } from '../config/config-types';
import { profileForTransport, transportOfUri } from '../sip-types/transport-profile';
import { Agent, type AgentContact } from './agent';
import type { AgentStatus } from './agent-state';
import { selectAgent } from './agent-selection';

export interface AgentDirectoryEvents {
  status: [agent: Agent, from: AgentStatus];
  /** The agent's contact was set or cleared (a registration, here or on another gateway). */
  contact: [agent: Agent, previous: AgentContact | undefined];
}

export class AgentDirectory extends EventEmitter<AgentDirectoryEvents> {
  private readonly byId = new Map<string, Agent>();
  private readonly byToken = new Map<string, Agent>();

  constructor(
    configs: AgentConfig[],
    private readonly now: () => number,
  ) {
    super();
    for (const c of configs) {
      const agent = new Agent(c, now(), (a, from) => this.emit('status', a, from));
      this.byId.set(c.id, agent);
      this.byToken.set(c.token, agent);
      if (c.uri) {
        const transport = transportOfUri(c.uri);
        agent.contact = { uri: c.uri, transport, profile: profileForTransport(transport) };
        agent.moveTo('available', now());
      }
    }
  }

  get(id: string): Agent | undefined {
    return this.byId.get(id);
  }

  byBearer(token: string): Agent | undefined {
    return this.byToken.get(token);
  }

  all(): Agent[] {
    return [...this.byId.values()];
  }

  /** Longest-idle available agent not in `skip`. */
  select(skip?: ReadonlySet<string>): Agent | undefined {
    return selectAgent(this.byId.values(), skip);
  }

  setContact(agent: Agent, contact: AgentContact | undefined): void {
    const previous = agent.contact;
    agent.contact = contact;
    this.emit('contact', agent, previous);
  }

  move(agent: Agent, to: AgentStatus): void {
    agent.moveTo(to, this.now());
  }
}
