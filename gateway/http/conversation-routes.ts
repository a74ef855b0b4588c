// The omnichannel system's view of an agent's non-voice conversations:
//   PUT    /v1/agents/{id}/conversations/{cid}  {"channel":"chat"|"email"|…, "callId"?:…}
//   DELETE /v1/agents/{id}/conversations/{cid}
//   GET    /v1/agents/{id}/conversations
import type { ConversationBook } from '../conversations/conversation-book';
import { HttpError } from './http-errors';

export interface ConversationRouteContext {
  agentId: string;
  conversationId?: string;
  method: string;
  body: () => Promise<Record<string, unknown>>;
  book: ConversationBook;
}

const ID = /^[A-Za-z0-9._:@-]{1,128}$/;

export async function conversationRoute(c: ConversationRouteContext): Promise<[number, unknown]> {
  const { book, agentId, conversationId: cid } = c;
  if (!cid) {
    if (c.method !== 'GET') throw new HttpError(405, 'method_not_allowed', 'use GET');
    return [200, { conversations: book.of(agentId) }];
  }
  if (!ID.test(cid))
    throw new HttpError(400, 'bad_request', 'a conversation id is 1–128 of [A-Za-z0-9._:@-]');
  if (c.method === 'DELETE') {
    if (!book.end(agentId, cid))
      throw new HttpError(404, 'unknown_conversation', `no conversation ${cid}`);
    return [204, undefined];
  }
  if (c.method !== 'PUT') throw new HttpError(405, 'method_not_allowed', 'use PUT or DELETE');
  const body = await c.body();
  const { channel, callId } = body;
  if (typeof channel !== 'string' || !/^[a-z][a-z0-9-]{0,31}$/.test(channel))
    throw new HttpError(
      400,
      'bad_request',
      '"channel" must be a short lowercase word (chat, email…)',
    );
  if (callId !== undefined && (typeof callId !== 'string' || !ID.test(callId)))
    throw new HttpError(400, 'bad_request', '"callId" must be a call id');
  const created = book.assign(agentId, cid, { channel, ...(callId ? { callId } : {}) });
  return [created ? 201 : 200, { conversation: book.of(agentId).find((x) => x.id === cid) }];
}
