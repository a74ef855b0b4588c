// What never reaches a log line. pino's redaction matches exact paths (a `*` stands for one
// level), so each secret is listed at the depths where the gateway's objects carry it:
// top level, one object down (`config.token`, `agent.password`), and under `headers`.

const SECRET_KEYS = [
  'token',
  'adminToken',
  'password',
  'secret',
  'authorization',
  'proxyAuthorization',
];
const SECRET_HEADERS = [
  'authorization',
  'Authorization',
  'proxy-authorization',
  'Proxy-Authorization',
];

const header = (name: string) => (name.includes('-') ? `["${name}"]` : `.${name}`);

export const CENSOR = '[redacted]';

export const REDACT_PATHS: readonly string[] = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  ...SECRET_KEYS.map((k) => `*.*.${k}`),
  ...SECRET_HEADERS.map((h) => `headers${header(h)}`),
  ...SECRET_HEADERS.map((h) => `*.headers${header(h)}`),
];

// Raw SIP text (logged at debug) carries digest credentials in these headers.
const SIP_CREDENTIALS = /^((?:proxy-)?authorization)[ \t]*:.*$/gim;

/** The message with the values of Authorization and Proxy-Authorization replaced. */
export function scrubSipText(text: string): string {
  return text.replace(SIP_CREDENTIALS, (_line, name: string) => `${name}: ${CENSOR}`);
}
