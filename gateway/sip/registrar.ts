// Agents that REGISTER with the gateway (digest against their configured password). Where
// they registered decides how they are reached and their media profile: over WebSocket a
// browser (WebRTC), otherwise plain RTP. A new registration of a gone agent is evidence
// that it is back.
import type { Logger } from 'pino';
import type { AgentDirectory } from '../agents/agent-directory';
import type { Agent } from '../agents/agent';
import type { Clock } from '../../time/clock';
import { Deadlines } from '../timers/deadlines';
import type { DigestAuth } from './digest-auth';
import type { SipRequest, SipResponse } from '../sip-types/srf-types';
import { profileForTransport, transportOfRequest } from '../sip-types/transport-profile';

const DEFAULT_EXPIRES = 3600;
const MAX_EXPIRES = 7200;

export interface RegistrarEvents {
  /** A registration arrived (new or refreshed) for an agent. */
  registered(agent: Agent, changed: boolean): void;
  unregistered(agent: Agent): void;
}

export class Registrar {
  private readonly expiries: Deadlines;

  constructor(
    private readonly agents: AgentDirectory,
    private readonly auth: DigestAuth,
    private readonly events: RegistrarEvents,
    clock: Clock,
    private readonly log: Logger,
  ) {
    this.expiries = new Deadlines(clock);
  }

  handle(req: SipRequest, res: SipResponse): void {
    const verdict = this.auth.verify(
      req.get('Authorization') || undefined,
      'REGISTER',
      (user) => this.agents.get(user)?.config.password,
    );
    if (!verdict.ok) {
      if (req.has('Authorization'))
        this.log.info({ why: verdict.why, from: req.source_address }, 'REGISTER refused');
      res.send(401, { headers: { 'WWW-Authenticate': this.auth.challenge(verdict.stale) } });
      return;
    }
    const agent = this.agents.get(verdict.username)!;
    const toUser = /sips?:([^@;>]+)@/i.exec(req.get('To') ?? '')?.[1];
    if (toUser && toUser !== agent.id) {
      res.send(403, {
        headers: { 'X-Reason': `credentials of ${agent.id} cannot register ${toUser}` },
      });
      return;
    }
    const contactHeader = req.get('Contact') ?? '';
    const contactUri = /<([^>]+)>/.exec(contactHeader)?.[1] ?? contactHeader.split(';')[0].trim();
    const expiresParam = /;\s*expires=(\d+)/i.exec(contactHeader)?.[1];
    const expires = Math.min(
      MAX_EXPIRES,
      Number(expiresParam ?? req.get('Expires') ?? DEFAULT_EXPIRES),
    );
    if (contactHeader.trim() === '*' || expires === 0) {
      this.unregister(agent);
      res.send(200);
      return;
    }
    if (!/^sips?:/i.test(contactUri)) {
      res.send(400, { headers: { 'X-Reason': 'REGISTER needs a SIP Contact' } });
      return;
    }
    const transport = transportOfRequest(req.get('Via'), req.protocol);
    const previous = agent.contact;
    const changed = !previous || previous.uri !== contactUri || previous.transport !== transport;
    this.agents.setContact(agent, {
      uri: contactUri,
      transport,
      profile: profileForTransport(transport),
      expiresAt: Date.now() + expires * 1000,
    });
    this.expiries.set(agent.id, expires * 1000, () => this.unregister(agent));
    res.send(200, {
      headers: { Contact: `<${contactUri}>;expires=${expires}`, Expires: String(expires) },
    });
    this.log.info(
      { agentId: agent.id, transport, contact: contactUri, changed },
      'agent registered',
    );
    this.events.registered(agent, changed);
  }

  /** Registrations with a pending expiry. */
  get size(): number {
    return this.expiries.size;
  }

  close(): void {
    this.expiries.cancelAll();
  }

  private unregister(agent: Agent): void {
    this.expiries.cancel(agent.id);
    if (!agent.contact || agent.config.uri) return;
    this.agents.setContact(agent, undefined);
    this.log.info({ agentId: agent.id }, 'agent unregistered');
    this.events.unregistered(agent);
  }
}
