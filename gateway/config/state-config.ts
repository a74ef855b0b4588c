// The `state` section: where agents, the queue, call ownership and disconnect episodes
// live. Without `state.redis.url` (the default) they stay in the process, as with one
// gateway; with it, several gateways share them through Redis and each needs its own id.
import os from 'node:os';
import { ConfigError } from './config-error';
import type { HoldfastConfig } from './config-types';
import { positiveInt, section, show, str, type Obj } from './config-values';

export const STATE_KEYS = ['redis', 'instanceId', 'heartbeatMs', 'instanceTtlMs'] as const;
const REDIS_KEYS = ['url', 'keyPrefix'] as const;

export const STATE_DEFAULTS = { keyPrefix: 'holdfast:', heartbeatMs: 1000, instanceTtlMs: 3000 };

/** `env`: HOLDFAST_REDIS_URL and HOLDFAST_INSTANCE_ID override the file (one image, N copies). */
export function parseState(root: Obj, env: NodeJS.ProcessEnv): HoldfastConfig['state'] {
  const s = section(root, 'state', STATE_KEYS);
  const r = section(s, 'redis', REDIS_KEYS, 'state.redis');
  const urlText = env.HOLDFAST_REDIS_URL ?? r.url;
  const heartbeatMs = positiveInt(s.heartbeatMs, 'state.heartbeatMs', STATE_DEFAULTS.heartbeatMs);
  const instanceTtlMs = positiveInt(
    s.instanceTtlMs,
    'state.instanceTtlMs',
    STATE_DEFAULTS.instanceTtlMs,
  );
  // Two missed beats before the others call an instance dead: one late beat is not a death.
  if (instanceTtlMs < 2 * heartbeatMs)
    throw new ConfigError(
      'state.instanceTtlMs',
      `must be at least twice state.heartbeatMs (${instanceTtlMs} < 2 × ${heartbeatMs})`,
    );
  const instanceId = str(
    env.HOLDFAST_INSTANCE_ID ?? s.instanceId,
    'state.instanceId',
    `${os.hostname()}-${process.pid}`,
  );
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(instanceId))
    throw new ConfigError(
      'state.instanceId',
      `must be 1–64 letters, digits, '.', '_' or '-' (got ${show(instanceId)})`,
    );
  const base = { instanceId, heartbeatMs, instanceTtlMs };
  if (urlText === undefined || urlText === null || urlText === '') {
    if (r.keyPrefix !== undefined)
      throw new ConfigError('state.redis.url', 'is required when state.redis is configured');
    return base;
  }
  const url = str(urlText, 'state.redis.url');
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !['redis:', 'rediss:'].includes(parsed.protocol) || !parsed.hostname)
    throw new ConfigError(
      'state.redis.url',
      `must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379/0 (got ${show(redact(url))})`,
    );
  const keyPrefix = str(r.keyPrefix, 'state.redis.keyPrefix', STATE_DEFAULTS.keyPrefix);
  if (/[\s{}]/.test(keyPrefix))
    throw new ConfigError(
      'state.redis.keyPrefix',
      `must not contain spaces or braces (got ${show(keyPrefix)})`,
    );
  return { ...base, redis: { url, keyPrefix } };
}

/** A URL's password is never echoed in an error. */
function redact(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}
