// The gateway's agent API, as the page uses it (same origin, the agent's bearer token).
// Errors come back as {"error","message"}; they become ApiError with that message.

export interface CallSnapshot {
  id: string;
  state: string;
  /** queued, talking, consulting, transferring, ended. */
  phase?: string;
  agentId?: string;
  held: boolean;
  muted: boolean;
  from: string;
  startedAt: number;
  gone?: string;
  legs?: { role: string; agentId?: string; tag: string; state: string }[];
}

/** Who to consult or transfer to: an agent id, or a SIP URI. */
export type HandoverTarget = { agentId: string } | { uri: string };

export interface AgentSnapshot {
  id: string;
  status: string;
  callId?: string;
  contact?: { uri: string; transport: string };
  notificationsHeld?: boolean;
  absence?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The gateway's error code ("not_found", "unknown_call", …). */
    readonly code?: string,
  ) {
    super(message);
  }
}

export class AgentApi {
  constructor(
    readonly agentId: string,
    private readonly token: string,
    private readonly base = '',
  ) {}

  /** The explicit signal: the agent's desktop lost (or regained) its local media. */
  desktop(state: 'connected' | 'disconnected'): Promise<unknown> {
    return this.send('POST', `/v1/agents/${enc(this.agentId)}/desktop`, { state });
  }

  async hold(callId: string, held: boolean): Promise<CallSnapshot> {
    const r = await this.send('POST', `/v1/calls/${enc(callId)}/hold`, { held });
    return (r as { call: CallSnapshot }).call;
  }

  async mute(callId: string, muted: boolean): Promise<CallSnapshot> {
    const r = await this.send('POST', `/v1/calls/${enc(callId)}/mute`, { muted });
    return (r as { call: CallSnapshot }).call;
  }

  async me(): Promise<AgentSnapshot | undefined> {
    const r = (await this.send('GET', '/v1/agents')) as { agents: AgentSnapshot[] };
    return r.agents.find((a) => a.id === this.agentId);
  }

  async call(callId: string): Promise<CallSnapshot | undefined> {
    const r = (await this.send('GET', '/v1/calls')) as { calls: CallSnapshot[] };
    return r.calls.find((c) => c.id === callId);
  }

  /** Brings a second agent (or a SIP URI) in; the customer waits, on hold. */
  consult(callId: string, target: HandoverTarget): Promise<CallSnapshot> {
    return this.callAction(callId, 'consult', target);
  }

  /** The consulted party takes the customer; this agent leaves the call. */
  completeConsult(callId: string): Promise<CallSnapshot> {
    return this.callAction(callId, 'consult/complete');
  }

  /** The consulted party leaves; this agent is back with the customer. */
  cancelConsult(callId: string): Promise<CallSnapshot> {
    return this.callAction(callId, 'consult/cancel');
  }

  /** Hands the customer to someone else without talking to them first. */
  transfer(callId: string, target: HandoverTarget): Promise<CallSnapshot> {
    return this.callAction(callId, 'transfer', target);
  }

  private async callAction(callId: string, action: string, body: unknown = {}) {
    const r = await this.send('POST', `/v1/calls/${enc(callId)}/${action}`, body);
    return (r as { call: CallSnapshot }).call;
  }

  /** The notification stream's request: a fetch, since EventSource cannot send a token. */
  notifications(signal: AbortSignal): Promise<Response> {
    return fetch(`${this.base}/v1/agents/${enc(this.agentId)}/notifications`, {
      headers: { Authorization: `Bearer ${this.token}`, Accept: 'text/event-stream' },
      signal,
      cache: 'no-store',
    });
  }

  private async send(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const err = json as { message?: string; error?: string } | undefined;
      const message = err?.message ?? res.statusText;
      throw new ApiError(res.status, `${method} ${path}: ${res.status} ${message}`, err?.error);
    }
    return json;
  }
}

function enc(s: string): string {
  return encodeURIComponent(s);
}
