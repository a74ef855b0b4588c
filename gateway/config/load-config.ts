// Reads holdfast.yaml (or an object) into a validated HoldfastConfig. Every problem names
// its key, so that start-up fails with a line an operator can act on; a key that is not
// known anywhere is refused (with the nearest known name), never silently ignored. Secrets
// may come from the environment instead of the file.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { parseAgents, checkAdminTokenIsOwn } from './agents-config';
import { ConfigError } from './config-error';
import type { HoldfastConfig } from './config-types';
import {
  bool,
  file,
  hostPort,
  onlyKnownKeys,
  positiveInt,
  section,
  show,
  sipUri,
  str,
  strList,
  optStr,
  type Obj,
} from './config-values';
import { DEFAULT_PROMPT_FILES, DEFAULTS } from './defaults';
import { NOTIFICATION_KEYS, parseNotifications, parseQueue, QUEUE_KEYS } from './limits-config';
import { MEDIA_KEYS, parseMedia } from './media-config';
import { parseState } from './state-config';
import { budget, tlsFiles, webhook } from './ops-config';
import { parseCidr } from '../sip-types/address-allow-list';

const ROOT_KEYS = [
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
  'notifications',
  'state',
];
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

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
  onlyKnownKeys(root, undefined, ROOT_KEYS);
  const sip = section(root, 'sip', ['contacts', 'realm', 'tls', 'callerIdentity']);
  const sbc = section(root, 'sbc', ['allow']);
  const policy = section(root, 'policy', [
    'reconnectWindowMs',
    'presenceTimeoutMs',
    'failureReasons',
    'keepaliveMs',
    'reroutePriority',
  ]);
  const prompts = section(root, 'prompts', [
    'agentDisconnected',
    'primaryDisconnected',
    'waitMusic',
    'overflow',
  ]);
  const overflow = section(root, 'overflow', ['uri', 'cause']);
  const http = section(root, 'http', ['listen', 'adminToken']);
  const log = section(root, 'log', ['level']);
  const rateLimit = section(root, 'rateLimit', ['setup', 'other']);
  const shutdown = section(root, 'shutdown', ['drainMs', 'retryAfterS']);

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
  const media = parseMedia(section(root, 'media', MEDIA_KEYS), env);

  const overflowUri = optStr(overflow.uri, 'overflow.uri');
  if (overflowUri) sipUri(overflowUri, 'overflow.uri');
  const cause = positiveInt(overflow.cause, 'overflow.cause', DEFAULTS.overflow.cause);
  if (cause > 127)
    throw new ConfigError('overflow.cause', `must be a Q.850 cause 1–127 (got ${cause})`);

  const agents = parseAgents(root.agents, env);
  const adminToken = str(env.HOLDFAST_ADMIN_TOKEN ?? http.adminToken, 'http.adminToken');
  checkAdminTokenIsOwn(adminToken, agents);
  const listen = hostPort(String(http.listen ?? DEFAULTS.http.listen), 'http.listen');
  const level = str(env.HOLDFAST_LOG_LEVEL ?? log.level, 'log.level', DEFAULTS.log.level);
  if (!LOG_LEVELS.includes(level)) {
    throw new ConfigError(
      'log.level',
      `must be one of ${LOG_LEVELS.join(', ')} (got ${show(level)})`,
    );
  }

  const realm = str(sip.realm, 'sip.realm', DEFAULTS.sip.realm);
  const callerIdentity = bool(
    sip.callerIdentity,
    'sip.callerIdentity',
    DEFAULTS.sip.callerIdentity,
  );
  const tls = tlsFiles(sip, contacts, base, drachtio !== undefined);
  return {
    sip: {
      contacts,
      realm,
      callerIdentity,
      ...(drachtio ? { drachtio } : {}),
      ...(tls ? { tls } : {}),
    },
    sbc: { allow },
    agents,
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
    media,
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
    queue: parseQueue(section(root, 'queue', QUEUE_KEYS)),
    overflow: { ...(overflowUri ? { uri: overflowUri } : {}), cause },
    http: { listen, adminToken },
    notifications: parseNotifications(section(root, 'notifications', NOTIFICATION_KEYS)),
    log: { level },
    ...webhook(root, env),
    rateLimit: {
      setup: budget(rateLimit.setup, 'rateLimit.setup', DEFAULTS.rateLimit.setup),
      other: budget(rateLimit.other, 'rateLimit.other', DEFAULTS.rateLimit.other),
    },
    state: parseState(root, env),
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
