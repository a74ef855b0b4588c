// Agents that REGISTER with the gateway (digest against their configured password). Where
// they registered decides how they are reached and their media profile: over WebSocket a
// browser (WebRTC), otherwise plain RTP. A new registration of a gone agent is evidence
// that it is back.
import type { Logger } from 'pino';
import type { AgentDirectory } from '../agents/agent-directory';
import type { Agent } from '../agents/agent';
import type { Clock } from '../../time/clock';
import { Deadlines } from '../timers/deadlines';
import type { DigestAuth, DigestVerdict } from './digest-auth';
import { deltaSeconds, grantedExpiry, parseContacts } from './register-request';
import type { SipRequest, SipResponse } from '../sip-types/srf-types';
import { profileForTransport, transportOfRequest } from '../sip-types/transport-profile';

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
    const digest = {
      authorization: req.get('Authorization') || undefined,
      method: 'REGISTER',
      requestUri: req.uri,
      passwordOf: (user: string) => this.agents.get(user)?.config.password,
    };
    // Shared with other instances, the nonce count is taken in the store: a round trip.
    if (!this.auth.shared) return this.answer(req, res, this.auth.verify(digest));
    void this.auth
      .verifyShared(digest)
      .then((verdict) => this.answer(req, res, verdict))
      .catch((err: Error) => {
        this.log.error({ err: err.message }, 'REGISTER not handled');
        res.send(500);
      });
  }

  private answer(req: SipRequest, res: SipResponse, verdict: DigestVerdict): void {
    if (!verdict.ok) {
      if (req.has('Authorization'))
        this.log.info({ why: verdict.why, from: req.source_address }, 'REGISTER refused');
      if (verdict.status === 400) res.send(400, { headers: { 'X-Reason': verdict.why } });
      else res.send(401, { headers: { 'WWW-Authenticate': this.auth.challenge(verdict.stale) } });
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
    const bad = (why: string) => res.send(400, { headers: { 'X-Reason': why } });
    const expiresHeader = req.has('Expires') ? (req.get('Expires') ?? '') : undefined;
    const contacts = parseContacts(req.get('Contact'));
    if (contacts.kind === 'none') {
      // §10.3 step 8: a REGISTER without Contact asks for the current bindings.
      res.send(200, { headers: this.bindingHeaders(agent) });
      return;
    }
    if (contacts.kind === 'wildcard') {
      // §10.3 step 6: `*` only alone and with Expires: 0.
      if (contacts.others > 0) return bad('Contact * must be the only contact');
      if (deltaSeconds(expiresHeader) !== 0) return bad('Contact * needs Expires: 0');
      this.unregister(agent);
      res.send(200);
      return;
    }
    if (contacts.bindings.length > 1)
      return bad('one Contact per REGISTER: an agent has a single registration');
    const [binding] = contacts.bindings;
    if (!/^sips?:/i.test(binding.uri)) return bad('REGISTER needs a SIP Contact');
    const expires = grantedExpiry(binding, expiresHeader);
    if (expires === 0) {
      // Removes this binding only: an old desktop signing off must not unregister a new one.
      if (agent.contact?.uri === binding.uri) this.unregister(agent);
      res.send(200, { headers: this.bindingHeaders(agent) });
      return;
    }
    const transport = transportOfRequest(req.get('Via'), req.protocol);
    const previous = agent.contact;
    const changed = !previous || previous.uri !== binding.uri || previous.transport !== transport;
    this.agents.setContact(agent, {
      uri: binding.uri,
      transport,
      profile: profileForTransport(transport),
      expiresAt: Date.now() + expires * 1000,
    });
    this.expiries.set(agent.id, expires * 1000, () => this.unregister(agent));
    res.send(200, {
      headers: { Contact: `<${binding.uri}>;expires=${expires}`, Expires: String(expires) },
    });
    this.log.info(
      { agentId: agent.id, transport, contact: binding.uri, expires, changed },
      'agent registered',
    );
    this.events.registered(agent, changed);
  }

  /** The Contact of a 200: the agent's current binding with its remaining time, if any. */
  private bindingHeaders(agent: Agent): Record<string, string> {
    const c = agent.contact;
    if (!c || agent.config.uri || c.expiresAt === undefined) return {};
    const left = Math.max(0, Math.round((c.expiresAt - Date.now()) / 1000));
    return { Contact: `<${c.uri}>;expires=${left}` };
  }

  /** Another gateway took the agent's registration (shared state): its expiry is theirs. */
  forget(agentId: string): void {
    this.expiries.cancel(agentId);
  }

  /**
   * A dead instance's registration of the agent is now this gateway's: it ends at the
   * absolute expiry the REGISTER was granted (at once if that is past), unless refreshed.
   */
  adopt(agentId: string, expiresAt: number | undefined): void {
    const agent = this.agents.get(agentId);
    if (!agent?.contact || agent.config.uri || expiresAt === undefined) return;
    const left = Math.max(0, expiresAt - Date.now());
    this.expiries.set(agent.id, left, () => this.unregister(agent));
    this.log.info({ agentId, expiresInMs: left }, 'registration of a lost instance adopted');
  }

  /** This gateway runs the agent's registration expiry. */
  runs(agentId: string): boolean {
    return this.expiries.has(agentId);
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
