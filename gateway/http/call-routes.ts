// POST /v1/calls/{id}/<action>: what an agent does on its call.
//   hold {"held":bool}, mute {"muted":bool}
//   consult {"agentId"|"uri"}, consult/complete, consult/cancel
//   transfer {"agentId"|"uri"}
// The caller is the call's agent (or the admin); the call's refusals come back as 409.
import type { Call } from '../call/call';
import { HandoverError, type HandoverDesk } from '../routing/handover-desk';
import { HttpError } from './http-errors';

export interface CallRouteContext {
  call: Call;
  action: string;
  method: string;
  body: () => Promise<Record<string, unknown>>;
  desk: HandoverDesk;
}

/** Resolves with [status, body]; throws HttpError for what it refuses. */
export async function callRoute(c: CallRouteContext): Promise<[number, unknown]> {
  if (c.method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'use POST');
  const { call, desk } = c;
  try {
    switch (c.action) {
      case 'hold':
        return [200, await setFlag(call, 'held', await c.body())];
      case 'mute':
        return [200, await setFlag(call, 'muted', await c.body())];
      case 'consult':
        desk.consult(call, await c.body());
        return [202, { call: call.snapshot() }];
      case 'consult/complete':
        await desk.completeConsult(call);
        return [200, { call: call.snapshot() }];
      case 'consult/cancel':
        await desk.cancelConsult(call);
        return [200, { call: call.snapshot() }];
      case 'transfer':
        void desk.transfer(call, await c.body()).catch(() => {});
        return [202, { call: call.snapshot() }];
    }
  } catch (err) {
    if (err instanceof HandoverError) throw new HttpError(err.status, err.code, err.message);
    throw err;
  }
  throw new HttpError(404, 'not_found', `no action ${c.action} on calls`);
}

async function setFlag(call: Call, flag: 'held' | 'muted', body: Record<string, unknown>) {
  const value = body[flag];
  if (typeof value !== 'boolean')
    throw new HttpError(400, 'bad_request', `"${flag}" must be true or false`);
  if (flag === 'held') await call.setHold(value);
  else await call.setMute(value);
  return { call: call.snapshot() };
}
