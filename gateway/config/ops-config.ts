// Operations sections: TLS files of the embedded SIP server, the call-record webhook, the
// per-source SIP rate budgets.
import { ConfigError } from './config-error';
import type { HoldfastConfig, RateBudget } from './config-types';
import { DEFAULTS } from './defaults';
import { file, onlyKnownKeys, positiveInt, section, show, str, type Obj } from './config-values';

/** tls/wss contacts need a certificate and key; the files are read by the SIP server. */
export function tlsFiles(sip: Obj, contacts: string[], base: string, external: boolean) {
  const secure = contacts.find((c) => /^sips:|transport=[^;]*\b(tls|wss)\b/i.test(c));
  if (sip.tls === undefined || sip.tls === null) {
    if (secure && !external)
      throw new ConfigError('sip.tls', `is required by the contact ${show(secure)} (cert, key)`);
    return undefined;
  }
  const tls = section(sip, 'tls', ['cert', 'key'], 'sip.tls');
  return {
    cert: file(tls.cert, 'sip.tls.cert', base) ?? str(undefined, 'sip.tls.cert'),
    key: file(tls.key, 'sip.tls.key', base) ?? str(undefined, 'sip.tls.key'),
  };
}

/** `webhook` is optional; its secret may come from HOLDFAST_WEBHOOK_SECRET instead. */
export function webhook(root: Obj, env: NodeJS.ProcessEnv): Pick<HoldfastConfig, 'webhook'> {
  const w = section(root, 'webhook', ['url', 'secret', 'maxAttempts']);
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

export function budget(v: unknown, key: string, fallback: RateBudget): RateBudget {
  if (v === undefined || v === null) return { ...fallback };
  if (typeof v !== 'object' || Array.isArray(v))
    throw new ConfigError(key, `must be a mapping {perSecond, burst} (got ${show(v)})`);
  const b = v as Obj;
  onlyKnownKeys(b, key, ['perSecond', 'burst']);
  const perSecond = b.perSecond ?? fallback.perSecond;
  if (typeof perSecond !== 'number' || !Number.isFinite(perSecond) || perSecond <= 0)
    throw new ConfigError(`${key}.perSecond`, `must be a positive number (got ${show(perSecond)})`);
  return { perSecond, burst: positiveInt(b.burst, `${key}.burst`, fallback.burst) };
}
