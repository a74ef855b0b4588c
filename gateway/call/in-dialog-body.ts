// The JSON an agent's page sends in an in-dialog INFO ({"mute":true}, {"hold":false},
// {"desktop":"disconnected"}). A body that is not JSON, or JSON of another shape, is
// refused with a 4xx and changes nothing: a malformed message must never reach the call.

export interface AgentInfo {
  mute?: boolean;
  hold?: boolean;
  desktop?: 'connected' | 'disconnected';
}

export type InfoVerdict =
  { ok: true; info: AgentInfo } | { ok: false; status: 400 | 415; reason: string };

const FIELDS: Readonly<Record<keyof AgentInfo, (v: unknown) => boolean>> = {
  mute: (v) => typeof v === 'boolean',
  hold: (v) => typeof v === 'boolean',
  desktop: (v) => v === 'connected' || v === 'disconnected',
};

/** `contentType` is the request's Content-Type header, if any. */
export function parseAgentInfo(body: string | undefined, contentType?: string): InfoVerdict {
  if (!body || !body.trim()) return { ok: true, info: {} };
  const type = contentType?.split(';')[0].trim().toLowerCase();
  if (type && type !== 'application/json')
    return { ok: false, status: 415, reason: `unsupported body type ${type}` };
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { ok: false, status: 400, reason: 'the body is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, status: 400, reason: 'the body must be a JSON object' };
  const info: AgentInfo = {};
  for (const [key, v] of Object.entries(value)) {
    const valid = FIELDS[key as keyof AgentInfo];
    if (!valid) return { ok: false, status: 400, reason: `unknown field "${key.slice(0, 40)}"` };
    if (!valid(v)) return { ok: false, status: 400, reason: `bad value for "${key}"` };
    (info as Record<string, unknown>)[key] = v;
  }
  return { ok: true, info };
}
