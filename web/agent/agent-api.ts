// The gateway's agent API, as the page uses it (same origin, the agent's bearer token).
// Errors come back as {"error","message"}; they become ApiError with that message.

export interface CallSnapshot {
  id: string;
  state: string;
  agentId?: string;
  held: boolean;
  muted: boolean;
  from: string;
  startedAt: number;
  gone?: string;
}

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

  // Consult and transfer (POST /v1/calls/{id}/consult {"agentId"|"uri"}, /consult/complete,
  // /consult/cancel, /transfer) come here once the gateway offers them.

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
      const message = (json as { message?: string } | undefined)?.message ?? res.statusText;
      throw new ApiError(res.status, `${method} ${path}: ${res.status} ${message}`);
    }
    return json;
  }
}

function enc(s: string): string {
  return encodeURIComponent(s);
}
