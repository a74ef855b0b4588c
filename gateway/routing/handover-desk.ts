// Consults and transfers as the primary agent asks for them — through the agent API or a
// REFER on its own leg (RFC 3515): who the target is (an agent by id, or a SIP URI), whether
// the call can take it now, and the target agent's status while it rings.
import type { Logger } from 'pino';
import type { Agent } from '../agents/agent';
import type { AgentDirectory } from '../agents/agent-directory';
import type { AgentLeg } from '../call/agent-leg';
import type { Call } from '../call/call';
import type { DialTarget, RingOutcome } from '../call/dial-target';
import type { HoldfastConfig } from '../config/config-types';
import { profileForTransport, transportOfUri } from '../sip-types/transport-profile';
import { CallConflictError } from '../call/call';
import { ReferProgress } from './refer-progress';
import type { SipRequest, SipResponse } from '../sip-types/srf-types';

/** A refused request, as the API answers it (status and a short code). */
export class HandoverError extends Error {
  override name = 'HandoverError';
  constructor(
    readonly status: 400 | 404 | 409,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface HandoverAsk {
  agentId?: unknown;
  uri?: unknown;
}

export interface HandoverDeskDeps {
  agents: AgentDirectory;
  config: Pick<HoldfastConfig, 'queue'>;
  log: Logger;
}

// A SIP or SIPS URI: scheme, optional user, host (name, IPv4 or [IPv6]), port, params.
const SIP_URI =
  /^sips?:(?:[^\s@<>";]+@)?(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?(?:;[^\s<>"]*)?$/;

export class HandoverDesk {
  constructor(private readonly d: HandoverDeskDeps) {}

  /** The primary consults an agent or a URI; resolves once the consult is ringing. */
  consult(call: Call, ask: HandoverAsk): void {
    const { target, agent } = this.resolve(call, ask);
    this.assertIdle(call, 'consult');
    this.ring(agent, () => call.consult(target));
  }

  completeConsult(call: Call): Promise<void> {
    return this.conflicts(() => call.completeConsult());
  }

  cancelConsult(call: Call): Promise<void> {
    return this.conflicts(() => call.cancelConsult());
  }

  /** A blind transfer: the customer to an agent or a URI, back to the primary if it fails. */
  transfer(call: Call, ask: HandoverAsk): Promise<RingOutcome> {
    const { target, agent } = this.resolve(call, ask);
    this.assertIdle(call, 'transfer');
    return this.ring(agent, () => call.transfer(target));
  }

  /** A REFER from an agent's leg (RFC 3515): 202, then the transfer's progress as NOTIFYs. */
  refer(call: Call, leg: AgentLeg, req: SipRequest, res: SipResponse): void {
    const referTo = req.get('Refer-To')?.trim();
    if (!referTo) return void res.send(400, { headers: { Warning: '399 holdfast "no Refer-To"' } });
    const uri = /<([^>]*)>/.exec(referTo)?.[1] ?? referTo.split(';')[0].trim();
    if (/[?&]replaces=/i.test(uri))
      return void res.send(501, { headers: { Warning: '399 holdfast "no attended transfer"' } });
    if (leg !== call.primary) return void res.send(403);
    const user = /^sips?:([^@;>]+)@/i.exec(uri)?.[1];
    const ask: HandoverAsk = user && this.d.agents.get(user) ? { agentId: user } : { uri };
    let ringing: Promise<RingOutcome>;
    try {
      ringing = this.transfer(call, ask);
    } catch (err) {
      const e = err as HandoverError;
      const status = e.status === 409 ? 491 : e.status === 404 ? 404 : 400;
      return void res.send(status, { headers: { Warning: `399 holdfast "${e.message}"` } });
    }
    res.send(202);
    const progress = new ReferProgress(leg, this.d.log);
    progress.trying();
    const target = call.transferLeg;
    target?.on('progress', (status) => status === 180 && progress.ringing());
    // The final NOTIFY goes before the transferor's BYE: the target is up before then.
    target?.on('state', (to) => to === 'up' && progress.done(200));
    void ringing.then((outcome) => {
      if (outcome !== 'answered') progress.done(target?.failureStatus ?? 487);
    });
  }

  private ring(agent: Agent | undefined, start: () => Promise<RingOutcome>): Promise<RingOutcome> {
    if (agent) this.d.agents.move(agent, 'ringing');
    const ringing = this.conflicts(start);
    void ringing.then(
      (outcome) => {
        if (agent && outcome === 'answered' && agent.status === 'ringing')
          this.d.agents.move(agent, 'busy');
      },
      (err: Error) => this.d.log.warn({ err: err.message }, 'handover failed'),
    );
    return ringing;
  }

  private resolve(call: Call, ask: HandoverAsk): { target: DialTarget; agent?: Agent } {
    const timeoutMs = this.d.config.queue.ringTimeoutMs;
    if ((ask.agentId === undefined) === (ask.uri === undefined))
      throw new HandoverError(400, 'bad_request', 'give exactly one of "agentId" or "uri"');
    if (ask.agentId !== undefined) {
      if (typeof ask.agentId !== 'string' || !ask.agentId)
        throw new HandoverError(400, 'bad_request', '"agentId" must be a non-empty string');
      const agent = this.d.agents.get(ask.agentId);
      if (!agent) throw new HandoverError(404, 'unknown_agent', `no agent ${ask.agentId}`);
      if (agent.id === call.agentId)
        throw new HandoverError(409, 'same_agent', `agent ${agent.id} is already on the call`);
      if (agent.status !== 'available' || !agent.contact)
        throw new HandoverError(409, 'agent_unavailable', `agent ${agent.id} is ${agent.status}`);
      const { uri, profile } = agent.contact;
      return { agent, target: { agentId: agent.id, uri, profile, timeoutMs } };
    }
    if (typeof ask.uri !== 'string' || ask.uri.length > 512 || !SIP_URI.test(ask.uri))
      throw new HandoverError(400, 'bad_uri', '"uri" must be a SIP URI (sip:user@host)');
    const profile = profileForTransport(transportOfUri(ask.uri));
    return { target: { uri: ask.uri, profile, timeoutMs } };
  }

  private assertIdle(call: Call, what: string): void {
    if (call.phase !== 'talking' || call.state !== 'connected')
      throw new HandoverError(
        409,
        'conflict',
        `call ${call.id} cannot ${what} now (${call.phase})`,
      );
  }

  /** The call's own refusal (a conflicting phase) as a 409. */
  private conflicts<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return fn().catch((err) => {
        throw err instanceof CallConflictError
          ? new HandoverError(409, 'conflict', err.message)
          : err;
      });
    } catch (err) {
      if (err instanceof CallConflictError) throw new HandoverError(409, 'conflict', err.message);
      throw err;
    }
  }
}
