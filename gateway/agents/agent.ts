// One agent as the gateway sees it: status (see agent-state.ts) and where to reach it.
// Which calls it is on is the engagements' business (gateway/engagements/). Times come
// from the gateway's clock.
import type { LegProfile } from '../../media';
import type { AgentConfig } from '../config/config-types';
import { assertMove, type AgentStatus } from './agent-state';

export interface AgentContact {
  /** Where to send INVITEs (a static URI or the registered Contact). */
  uri: string;
  profile: LegProfile;
  /** 'udp' | 'tcp' | 'ws' | 'wss' … as it registered, or as the static URI says. */
  transport: string;
  /** Registration expiry (clock ms), undefined for static agents. */
  expiresAt?: number;
}

export interface AgentSnapshot {
  id: string;
  status: AgentStatus;
  since: number;
  idleSince: number;
  contact?: { uri: string; profile: LegProfile; transport: string };
}

export class Agent {
  private statusValue: AgentStatus = 'offline';
  private sinceValue: number;
  /** When it last became available (longest-idle selection). */
  idleSince: number;
  contact?: AgentContact;

  constructor(
    readonly config: AgentConfig,
    now: number,
    private readonly onChange: (agent: Agent, from: AgentStatus) => void = () => {},
  ) {
    this.sinceValue = now;
    this.idleSince = now;
  }

  get id(): string {
    return this.config.id;
  }

  get status(): AgentStatus {
    return this.statusValue;
  }

  get since(): number {
    return this.sinceValue;
  }

  /** The one way the status changes. */
  moveTo(to: AgentStatus, now: number): void {
    const from = this.statusValue;
    if (from === to) return;
    assertMove(`agent ${this.id}`, from, to);
    this.statusValue = to;
    this.sinceValue = now;
    if (to === 'available') this.idleSince = now;
    this.onChange(this, from);
  }

  /**
   * Takes the status another gateway gave the agent (shared state, gateway/state/): not
   * checked against the table, since that move was checked where it was made and this
   * copy may have missed the ones before it.
   */
  mirror(s: { status: AgentStatus; since: number; idleSince: number }): void {
    const from = this.statusValue;
    this.statusValue = s.status;
    this.sinceValue = s.since;
    this.idleSince = s.idleSince;
    if (from !== s.status) this.onChange(this, from);
  }

  snapshot(): AgentSnapshot {
    return {
      id: this.id,
      status: this.status,
      since: this.since,
      idleSince: this.idleSince,
      ...(this.contact
        ? {
            contact: {
              uri: this.contact.uri,
              profile: this.contact.profile,
              transport: this.contact.transport,
            },
          }
        : {}),
    };
  }
}
