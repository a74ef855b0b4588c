// The agent API over node:http. Bearer tokens: each agent's own (its resources only) and
// the admin token (everything).
//   POST /v1/agents/{id}/desktop        {"state":"disconnected"|"connected"}
//   POST /v1/agents/{id}/notifications  {"type":…, "callId"?:…, "data"?:…}   (omnichannel)
//   GET  /v1/agents/{id}/notifications  Server-Sent Events: the agent's deliveries
//   GET  /v1/agents, GET /v1/calls      state
//   POST /v1/calls/{id}/hold {"held":bool}, POST /v1/calls/{id}/mute {"muted":bool}
//   PUT  /v1/log-level {"level":"debug"}  (admin)
//   GET  /v1/events                     Server-Sent Events: the operations board (admin)
// Routes without authentication (health, metrics, pages) are mounted in front by the
// gateway. A path outside the collections below is a 404 before any token is asked for.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { AgentDirectory } from '../agents/agent-directory';
import type { Call } from '../call/call';
import type { ConversationBook } from '../conversations/conversation-book';
import type { Engagements } from '../engagements/engagements';
import type { HandoverDesk } from '../routing/handover-desk';
import { callRoute } from './call-routes';
import { conversationRoute } from './conversation-routes';
import type { NotificationCenter } from '../notifications/notification-center';
import type { Delivery } from '../notifications/notification-box';
import type { DisconnectCoordinator } from '../policy/disconnect-coordinator';
import { isLogLevel, LOG_LEVELS, setLevel } from '../logging/log-level';
import type { BoardStream } from './board-stream';
import { HttpError } from './http-errors';

const MAX_BODY = 64 * 1024;
const MAX_TYPE_CHARS = 100;
const MAX_CALL_ID_CHARS = 200;

/** The API's collections: /v1/<one of these>[/…] needs a token, anything else is unknown. */
const COLLECTIONS = new Set(['agents', 'calls', 'events', 'log-level']);

export interface AgentApiDeps {
  agents: AgentDirectory;
  engagements: Pick<Engagements, 'of'>;
  conversations: ConversationBook;
  desk: HandoverDesk;
  calls: ReadonlyMap<string, Call>;
  notifications: NotificationCenter;
  coordinator: DisconnectCoordinator;
  adminToken: string;
  log: Logger;
  /** The operations board's stream, at GET /v1/events. */
  board?: Pick<BoardStream, 'handle' | 'poke'>;
  /** Answers what it knows without authentication (/health, /ready, /metrics); false = not mine. */
  publicRoutes?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean;
}

type Caller = { admin: true } | { admin: false; agentId: string };

export class AgentApi {
  private server?: http.Server;

  constructor(private readonly deps: AgentApiDeps) {}

  listen(host: string, port: number): Promise<AddressInfo> {
    const server = http.createServer((req, res) => void this.handle(req, res));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve(server.address() as AddressInfo);
      });
    });
  }

  close(): Promise<void> {
    const server = this.server;
    if (!server) return Promise.resolve();
    this.server = undefined;
    return new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections(); // SSE streams stay open otherwise
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      if (this.deps.publicRoutes?.(req, res)) return;
      const url = new URL(req.url ?? '/', 'http://holdfast');
      const parts = url.pathname.split('/').filter(Boolean);
      if (parts[0] !== 'v1' || !COLLECTIONS.has(parts[1]))
        throw new HttpError(404, 'not_found', `no such resource: ${url.pathname}`);
      const caller = this.authenticate(req);
      const [, collection, id, sub] = parts;
      const method = req.method ?? 'GET';
      if (collection === 'events' && !id && this.deps.board)
        return await this.only(method, 'GET', () => {
          if (!caller.admin)
            throw new HttpError(403, 'forbidden', 'the board needs the admin token');
          this.deps.board!.handle(req, res);
        });
      if (collection === 'log-level' && !id)
        return await this.only(method, 'PUT', async () =>
          this.json(res, 200, this.logLevel(caller, await readJson(req))),
        );
      if (collection === 'agents' && !id)
        return await this.only(method, 'GET', () => this.json(res, 200, this.listAgents(caller)));
      if (collection === 'calls' && !id)
        return await this.only(method, 'GET', () => this.json(res, 200, this.listCalls(caller)));
      if (collection === 'agents' && id && sub === 'conversations' && parts.length <= 5) {
        if (!this.deps.agents.get(id)) throw new HttpError(404, 'unknown_agent', `no agent ${id}`);
        this.mayAct(caller, id);
        const [status, body] = await conversationRoute({
          agentId: id,
          conversationId: parts[4],
          method,
          body: () => readJson(req),
          book: this.deps.conversations,
        });
        return this.json(res, status, body);
      }
      if (collection === 'agents' && id && sub && parts.length === 4) {
        const agent = this.deps.agents.get(id);
        if (!agent) throw new HttpError(404, 'unknown_agent', `no agent ${id}`);
        this.mayAct(caller, id);
        if (sub === 'desktop')
          return await this.only(method, 'POST', async () =>
            this.json(res, 202, this.desktop(id, await readJson(req))),
          );
        if (sub === 'notifications' && method === 'GET') return this.stream(id, req, res);
        if (sub === 'notifications')
          return await this.only(method, 'POST', async () =>
            this.json(res, 201, this.notify(id, await readJson(req))),
          );
      }
      if (collection === 'calls' && id && sub && parts.length <= 5) {
        const call = this.deps.calls.get(id);
        if (!call) throw new HttpError(404, 'unknown_call', `no call ${id}`);
        if (!caller.admin && call.agentId !== caller.agentId)
          throw new HttpError(403, 'forbidden', `call ${id} is not yours`);
        const body = readJson(req);
        body.catch(() => {}); // read now; refused later if the route needs it
        const [status, reply] = await callRoute({
          call,
          action: parts.slice(3).join('/'),
          method,
          body: () => body,
          desk: this.deps.desk,
        });
        this.deps.board?.poke(); // hold and mute are told by no event
        return this.json(res, status, reply);
      }
      throw new HttpError(404, 'not_found', `no such resource: ${method} ${url.pathname}`);
    } catch (err) {
      if (err instanceof HttpError)
        return this.json(res, err.status, { error: err.code, message: err.message });
      this.deps.log.error({ err: (err as Error).message }, 'agent API failure');
      if (!res.headersSent) this.json(res, 500, { error: 'internal', message: 'internal error' });
    }
  }

  private async only(method: string, wanted: string, fn: () => unknown): Promise<void> {
    if (method !== wanted) throw new HttpError(405, 'method_not_allowed', `use ${wanted}`);
    await fn();
  }

  private authenticate(req: http.IncomingMessage): Caller {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!m) throw new HttpError(401, 'unauthenticated', 'send Authorization: Bearer <token>');
    if (m[1] === this.deps.adminToken) return { admin: true };
    const agent = this.deps.agents.byBearer(m[1]);
    if (!agent) throw new HttpError(401, 'unauthenticated', 'unknown token');
    return { admin: false, agentId: agent.id };
  }

  private mayAct(caller: Caller, agentId: string): void {
    if (!caller.admin && caller.agentId !== agentId)
      throw new HttpError(403, 'forbidden', `this token cannot act for agent ${agentId}`);
  }

  private logLevel(caller: Caller, body: Record<string, unknown>) {
    if (!caller.admin) throw new HttpError(403, 'forbidden', 'the log level needs the admin token');
    if (!isLogLevel(body.level))
      throw new HttpError(
        400,
        'bad_request',
        `"level" must be one of ${LOG_LEVELS.join(', ')} (got ${JSON.stringify(body.level)})`,
      );
    const previous = setLevel(this.deps.log, body.level);
    return { level: body.level, previous };
  }

  private listAgents(caller: Caller) {
    const all = this.deps.agents.all().filter((a) => caller.admin || a.id === caller.agentId);
    return {
      agents: all.map((a) => ({
        ...a.snapshot(),
        ...callOf(this.deps.engagements, a.id),
        notificationsHeld: this.deps.notifications.box(a.id).holding,
        notificationsWaiting: this.deps.notifications.box(a.id).waiting.length,
        absence: this.deps.coordinator.absenceOf(a.id)?.situation,
      })),
    };
  }

  private listCalls(caller: Caller) {
    const calls = [...this.deps.calls.values()].filter(
      (c) => caller.admin || c.agentId === caller.agentId,
    );
    return { calls: calls.map((c) => c.snapshot()) };
  }

  private desktop(agentId: string, body: Record<string, unknown>) {
    const state = body.state;
    if (state !== 'disconnected' && state !== 'connected') {
      throw new HttpError(
        400,
        'bad_request',
        `"state" must be "disconnected" or "connected" (got ${JSON.stringify(state)})`,
      );
    }
    if (state === 'disconnected') this.deps.coordinator.gone(agentId, 'explicit-signal');
    else this.deps.coordinator.back(agentId, 'explicit-signal');
    return { agent: this.deps.agents.get(agentId)!.snapshot() };
  }

  private notify(agentId: string, body: Record<string, unknown>) {
    // type and callId outlive the payload in expiry notices: they must stay small.
    if (typeof body.type !== 'string' || !body.type || body.type.length > MAX_TYPE_CHARS)
      throw new HttpError(
        400,
        'bad_request',
        `"type" must be a non-empty string of at most ${MAX_TYPE_CHARS} characters`,
      );
    if (
      body.callId !== undefined &&
      (typeof body.callId !== 'string' || body.callId.length > MAX_CALL_ID_CHARS)
    )
      throw new HttpError(
        400,
        'bad_request',
        `"callId" must be a string of at most ${MAX_CALL_ID_CHARS} characters`,
      );
    const box = this.deps.notifications.box(agentId);
    const notification = box.post({
      type: body.type,
      callId: body.callId as string | undefined,
      data: body.data,
    });
    return { notification, held: box.holding };
  }

  private stream(agentId: string, req: http.IncomingMessage, res: http.ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
    });
    res.write(': holdfast notifications\n\n');
    const send = (d: Delivery) => {
      res.write(`id: ${d.notification.id}\nevent: ${d.event}\ndata: ${JSON.stringify(d)}\n\n`);
    };
    const unsubscribe = this.deps.notifications.box(agentId).subscribe(send);
    req.on('close', unsubscribe);
  }

  private json(res: http.ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text),
    });
    res.end(text);
  }
}

async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'too_large', `body over ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'bad_json', 'the body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new HttpError(400, 'bad_request', 'the body must be a JSON object');
  return value as Record<string, unknown>;
}

/** The call an agent is on (or being offered), as the API has always shown it. */
function callOf(engagements: Pick<Engagements, 'of'>, agentId: string): { callId?: string } {
  const e = engagements.of(agentId)[0];
  return e ? { callId: e.call.id } : {};
}
