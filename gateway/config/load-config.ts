// Reads holdfast.yaml (or an object) into a validated HoldfastConfig. Every problem names
// its key, so that start-up fails with a line an operator can act on. Secrets may come from
// the environment instead of the file.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { ConfigError } from './config-error';
import type { AgentConfig, HoldfastConfig, RateBudget } from './config-types';
import { DEFAULT_PROMPT_FILES, DEFAULTS, packageRoot } from './defaults';
import { parseCidr } from '../sip-types/address-allow-list';

type Obj = Record<string, unknown>;

const show = (v: unknown): string => JSON.stringify(v) ?? String(v);

function section(root: Obj, key: string): Obj {
  const v = root[key];
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v))
    throw new ConfigError(key, `must be a mapping (got ${show(v)})`);
  return v as Obj;
}

function positiveInt(v: unknown, key: string, fallback?: number, allowZero = false): number {
  if (v === undefined || v === null) {
    if (fallback === undefined) throw new ConfigError(key, 'is required');
    return fallback;
  }
  const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < (allowZero ? 0 : 1)) {
    throw new ConfigError(
      key,
      `must be a ${allowZero ? 'non-negative' : 'positive'} integer (got ${show(v)})`,
    );
  }
  return n;
}

function str(v: unknown, key: string, fallback?: string): string {
  if (v === undefined || v === null) {
    if (fallback === undefined) throw new ConfigError(key, 'is required');
    return fallback;
  }
  if (typeof v !== 'string' || v.trim() === '')
    throw new ConfigError(key, `must be a non-empty string (got ${show(v)})`);
  return v;
}

function optStr(v: unknown, key: string): string | undefined {
  return v === undefined || v === null ? undefined : str(v, key);
}

function strList(v: unknown, key: string, fallback: readonly string[]): string[] {
  if (v === undefined || v === null) return [...fallback];
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list))
    throw new ConfigError(key, `must be a list of strings (got ${show(v)})`);
  return list.map((item, i) => str(item, `${key}[${i}]`));
}

function hostPort(v: string, key: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(v.trim()) ?? /^()()(\d+)$/.exec(v.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535)
    throw new ConfigError(key, `must be host:port or a port (got ${show(v)})`);
  return { host: m[1] || m[2] || '127.0.0.1', port };
}

function sipUri(v: string, key: string): string {
  if (!/^sips?:[^\s]+$/i.test(v))
    throw new ConfigError(key, `must be a sip: or sips: URI (got ${show(v)})`);
  return v;
}

function agents(v: unknown, realmKey: string, env: NodeJS.ProcessEnv): AgentConfig[] {
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
        `agent ${id} needs a uri (static) or a password (to REGISTER in ${realmKey})`,
      );
    const token = str(
      env[`HOLDFAST_AGENT_TOKEN_${id.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`] ?? a.token,
      `${key}.token`,
    );
    if (tokens.has(token))
      throw new ConfigError(`${key}.token`, 'must differ from every other agent token');
    tokens.add(token);
    return { id, uri, password, token };
  });
}

/** Resolves a file setting: relative paths are taken from the config file's folder. */
function file(v: unknown, key: string, base: string, fallback?: string): string | undefined {
  if ((v === undefined || v === null) && fallback) return path.resolve(packageRoot(), fallback);
  const s = optStr(v, key);
  return s === undefined ? undefined : path.resolve(base, s);
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Folder against which relative paths resolve (default: the config file's, or cwd). */
  baseDir?: string;
}

/** Validates an already-parsed configuration document. Throws ConfigError. */
export function parseConfig(doc: unknown, opts: LoadOptions = {}): HoldfastConfig {
  const env = opts.env ?? process.env;
  const base = opts.baseDir ?? process.cwd();
  if (doc === undefined || doc === null) doc = {};
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw new ConfigError('(root)', `must be a mapping (got ${show(doc)})`);
  const root = doc as Obj;
  const known = [
    'sip',
    'sbc',
    'agents',
    'policy',
    'media',
    'prompts',
    'queue',
    'overflow',
    'http',
    'log',
    'webhook',
    'rateLimit',
    'shutdown',
  ];
  for (const k of Object.keys(root)) {
    if (!known.includes(k)) throw new ConfigError(k, `unknown key (known: ${known.join(', ')})`);
  }
  const sip = section(root, 'sip');
  const sbc = section(root, 'sbc');
  const policy = section(root, 'policy');
  const media = section(root, 'media');
  const prompts = section(root, 'prompts');
  const queue = section(root, 'queue');
  const overflow = section(root, 'overflow');
  const http = section(root, 'http');
  const log = section(root, 'log');
  const rateLimit = section(root, 'rateLimit');
  const shutdown = section(root, 'shutdown');

  const contacts = strList(sip.contacts, 'sip.contacts', DEFAULTS.sip.contacts);
  contacts.forEach((c, i) => sipUri(c, `sip.contacts[${i}]`));
  if (!contacts.length) throw new ConfigError('sip.contacts', 'must list at least one contact');
  const allow = strList(sbc.allow, 'sbc.allow', DEFAULTS.sbc.allow);
  allow.forEach((a, i) => {
    if (!parseCidr(a))
      throw new ConfigError(
        `sbc.allow[${i}]`,
        `must be an IP address or CIDR such as 10.0.0.0/8 (got ${show(a)})`,
      );
  });

  const reconnectWindowMs = positiveInt(
    policy.reconnectWindowMs,
    'policy.reconnectWindowMs',
    DEFAULTS.policy.reconnectWindowMs,
  );
  const presenceTimeoutMs = positiveInt(
    policy.presenceTimeoutMs,
    'policy.presenceTimeoutMs',
    DEFAULTS.policy.presenceTimeoutMs,
  );
  if (presenceTimeoutMs <= reconnectWindowMs) {
    throw new ConfigError(
      'policy.presenceTimeoutMs',
      `must be greater than policy.reconnectWindowMs (${presenceTimeoutMs} ≤ ${reconnectWindowMs})`,
    );
  }

  const drachtio = fromEnvTriple(env, 'DRACHTIO_HOST', 'DRACHTIO_PORT', 'DRACHTIO_SECRET');
  const rtpHost = env.RTPENGINE_HOST;
  const rtpPort = env.RTPENGINE_PORT;
  let rtpengine: HoldfastConfig['media']['rtpengine'];
  if (rtpHost || rtpPort) {
    rtpengine = {
      host: str(rtpHost, 'RTPENGINE_HOST'),
      port: positiveInt(rtpPort, 'RTPENGINE_PORT'),
    };
  }

  const overflowUri = optStr(overflow.uri, 'overflow.uri');
  if (overflowUri) sipUri(overflowUri, 'overflow.uri');
  const cause = positiveInt(overflow.cause, 'overflow.cause', DEFAULTS.overflow.cause);
  if (cause > 127)
    throw new ConfigError('overflow.cause', `must be a Q.850 cause 1–127 (got ${cause})`);

  const adminToken = str(env.HOLDFAST_ADMIN_TOKEN ?? http.adminToken, 'http.adminToken');
  const listen = hostPort(String(http.listen ?? DEFAULTS.http.listen), 'http.listen');
  const level = str(env.HOLDFAST_LOG_LEVEL ?? log.level, 'log.level', DEFAULTS.log.level);
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(level)) {
    throw new ConfigError(
      'log.level',
      `must be one of fatal, error, warn, info, debug, trace, silent (got ${show(level)})`,
    );
  }

  const realm = str(sip.realm, 'sip.realm', DEFAULTS.sip.realm);
  const tls = tlsFiles(sip, contacts, base, drachtio !== undefined);
  return {
    sip: { contacts, realm, ...(drachtio ? { drachtio } : {}), ...(tls ? { tls } : {}) },
    sbc: { allow },
    agents: agents(root.agents, 'sip.realm', env),
    policy: {
      reconnectWindowMs,
      presenceTimeoutMs,
      failureReasons: strList(
        policy.failureReasons,
        'policy.failureReasons',
        DEFAULTS.policy.failureReasons,
      ),
      keepaliveMs: positiveInt(
        policy.keepaliveMs,
        'policy.keepaliveMs',
        DEFAULTS.policy.keepaliveMs,
        true,
      ),
      reroutePriority: positiveInt(
        policy.reroutePriority,
        'policy.reroutePriority',
        DEFAULTS.policy.reroutePriority,
      ),
    },
    media: {
      lossMs: positiveInt(media.lossMs, 'media.lossMs', DEFAULTS.media.lossMs),
      ...(rtpengine ? { rtpengine } : {}),
    },
    prompts: {
      agentDisconnected: file(
        prompts.agentDisconnected,
        'prompts.agentDisconnected',
        base,
        DEFAULT_PROMPT_FILES.agentDisconnected,
      )!,
      primaryDisconnected: file(
        prompts.primaryDisconnected,
        'prompts.primaryDisconnected',
        base,
        DEFAULT_PROMPT_FILES.primaryDisconnected,
      )!,
      waitMusic: file(
        prompts.waitMusic,
        'prompts.waitMusic',
        base,
        DEFAULT_PROMPT_FILES.waitMusic,
      )!,
      overflow: file(prompts.overflow, 'prompts.overflow', base),
    },
    queue: {
      ringTimeoutMs: positiveInt(
        queue.ringTimeoutMs,
        'queue.ringTimeoutMs',
        DEFAULTS.queue.ringTimeoutMs,
      ),
      maxWaitMs: positiveInt(queue.maxWaitMs, 'queue.maxWaitMs', DEFAULTS.queue.maxWaitMs),
    },
    overflow: { ...(overflowUri ? { uri: overflowUri } : {}), cause },
    http: { listen, adminToken },
    log: { level },
    ...webhook(root, env),
    rateLimit: {
      setup: budget(rateLimit.setup, 'rateLimit.setup', DEFAULTS.rateLimit.setup),
      other: budget(rateLimit.other, 'rateLimit.other', DEFAULTS.rateLimit.other),
    },
    shutdown: {
      drainMs: positiveInt(shutdown.drainMs, 'shutdown.drainMs', DEFAULTS.shutdown.drainMs),
      retryAfterS: positiveInt(
        shutdown.retryAfterS,
        'shutdown.retryAfterS',
        DEFAULTS.shutdown.retryAfterS,
      ),
    },
  };
}

/** tls/wss contacts need a certificate and key; the files are read by the SIP server. */
function tlsFiles(sip: Obj, contacts: string[], base: string, external: boolean) {
  const secure = contacts.find((c) => /^sips:|transport=[^;]*\b(tls|wss)\b/i.test(c));
  if (sip.tls === undefined || sip.tls === null) {
    if (secure && !external)
      throw new ConfigError('sip.tls', `is required by the contact ${show(secure)} (cert, key)`);
    return undefined;
  }
  const tls = section(sip, 'tls');
  for (const k of Object.keys(tls))
    if (k !== 'cert' && k !== 'key')
      throw new ConfigError(`sip.tls.${k}`, 'unknown key (known: cert, key)');
  return {
    cert: file(tls.cert, 'sip.tls.cert', base) ?? str(undefined, 'sip.tls.cert'),
    key: file(tls.key, 'sip.tls.key', base) ?? str(undefined, 'sip.tls.key'),
  };
}

/** `webhook` is optional; its secret may come from HOLDFAST_WEBHOOK_SECRET instead. */
function webhook(root: Obj, env: NodeJS.ProcessEnv): Pick<HoldfastConfig, 'webhook'> {
  const w = section(root, 'webhook');
  if (w.url === undefined || w.url === null) {
    if (Object.keys(w).length)
      throw new ConfigError('webhook.url', 'is required when webhook is configured');
    return {};
  }
  const url = str(w.url, 'webhook.url');
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:'))
    throw new ConfigError('webhook.url', `must be an http:// or https:// URL (got ${show(url)})`);
  // Never echo the secret in an error message.
  const secret = env.HOLDFAST_WEBHOOK_SECRET ?? w.secret;
  if (typeof secret !== 'string' || secret.length < 16)
    throw new ConfigError(
      'webhook.secret',
      'must be a string of at least 16 characters (or set HOLDFAST_WEBHOOK_SECRET)',
    );
  const maxAttempts = positiveInt(
    w.maxAttempts,
    'webhook.maxAttempts',
    DEFAULTS.webhook.maxAttempts,
  );
  return { webhook: { url, secret, maxAttempts } };
}

function budget(v: unknown, key: string, fallback: RateBudget): RateBudget {
  if (v === undefined || v === null) return { ...fallback };
  if (typeof v !== 'object' || Array.isArray(v))
    throw new ConfigError(key, `must be a mapping {perSecond, burst} (got ${show(v)})`);
  const b = v as Obj;
  for (const k of Object.keys(b))
    if (k !== 'perSecond' && k !== 'burst')
      throw new ConfigError(`${key}.${k}`, 'unknown key (known: perSecond, burst)');
  const perSecond = b.perSecond ?? fallback.perSecond;
  if (typeof perSecond !== 'number' || !Number.isFinite(perSecond) || perSecond <= 0)
    throw new ConfigError(`${key}.perSecond`, `must be a positive number (got ${show(perSecond)})`);
  return { perSecond, burst: positiveInt(b.burst, `${key}.burst`, fallback.burst) };
}

function fromEnvTriple(env: NodeJS.ProcessEnv, h: string, p: string, s: string) {
  if (!env[h] && !env[p] && !env[s]) return undefined;
  return { host: str(env[h], h), port: positiveInt(env[p], p), secret: str(env[s], s) };
}

/** Reads and validates a YAML file. Missing file or bad YAML → ConfigError naming it. */
export function loadConfigFile(file: string, opts: LoadOptions = {}): HoldfastConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(
      file,
      `cannot read the configuration file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (err) {
    throw new ConfigError(file, `is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  return parseConfig(doc, { baseDir: path.dirname(path.resolve(file)), ...opts });
}
