// The `agents` list: ids, static URIs or digest passwords, and API tokens (each agent's
// own, never shared with another agent nor with the admin).
import { ConfigError } from './config-error';
import type { AgentConfig } from './config-types';
import { onlyKnownKeys, optStr, show, sipUri, str, type Obj } from './config-values';

const AGENT_KEYS = ['id', 'uri', 'password', 'token'] as const;

export function parseAgents(v: unknown, env: NodeJS.ProcessEnv): AgentConfig[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v))
    throw new ConfigError(
      'agents',
      `must be a list of {id, uri?, password?, token} (got ${show(v)})`,
    );
  const seen = new Set<string>();
  const tokens = new Set<string>();
  return v.map((raw, i) => {
    const key = `agents[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw new ConfigError(key, `must be a mapping (got ${show(raw)})`);
    const a = raw as Obj;
    onlyKnownKeys(a, key, AGENT_KEYS);
    const id = str(a.id, `${key}.id`);
    if (!/^[A-Za-z0-9._~-]+$/.test(id))
      throw new ConfigError(
        `${key}.id`,
        `may only hold letters, digits and . _ ~ - (got ${show(id)})`,
      );
    if (seen.has(id)) throw new ConfigError(`${key}.id`, `duplicate agent id ${show(id)}`);
    seen.add(id);
    const uri = optStr(a.uri, `${key}.uri`);
    if (uri) sipUri(uri, `${key}.uri`);
    const password = optStr(a.password, `${key}.password`);
    if (!uri && !password)
      throw new ConfigError(
        key,
        `agent ${id} needs a uri (static) or a password (to REGISTER in sip.realm)`,
      );
    const token = str(env[agentTokenVariable(id)] ?? a.token, `${key}.token`);
    if (tokens.has(token))
      throw new ConfigError(`${key}.token`, 'must differ from every other agent token');
    tokens.add(token);
    return { id, uri, password, token };
  });
}

/** HOLDFAST_AGENT_TOKEN_<ID>: the id upper-cased, anything but letters and digits as _. */
export function agentTokenVariable(id: string): string {
  return `HOLDFAST_AGENT_TOKEN_${id.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** The admin token opens everything: if it were an agent's too, that agent would be admin. */
export function checkAdminTokenIsOwn(adminToken: string, agents: AgentConfig[]): void {
  const same = agents.find((a) => a.token === adminToken);
  if (same)
    throw new ConfigError(
      'http.adminToken',
      `must differ from every agent token (it equals the token of agent ${same.id}; ` +
        'an agent holding it would act as admin)',
    );
}
