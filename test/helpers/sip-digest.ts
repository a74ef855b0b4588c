// Client side of SIP digest authentication (RFC 2617 MD5, with or without qop=auth): turns a
// 401/407 challenge into the Authorization / Proxy-Authorization value.
import { createHash, randomBytes } from 'node:crypto';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/** `Digest realm="x", nonce="y", qop="auth,auth-int"` → { realm: 'x', nonce: 'y', qop: … }. */
export function parseChallenge(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  const body = value.replace(/^\s*Digest\s+/i, '');
  const re = /([a-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/gi;
  for (let m; (m = re.exec(body));) out[m[1].toLowerCase()] = m[2] ?? m[3];
  return out;
}

export interface DigestCredentials {
  username: string;
  password: string;
}

export function digestAuthorization(
  challengeValue: string,
  creds: DigestCredentials,
  method: string,
  uri: string,
  nc = 1,
): string {
  const c = parseChallenge(challengeValue);
  const realm = c.realm ?? '';
  const nonce = c.nonce ?? '';
  const ha1 = md5(`${creds.username}:${realm}:${creds.password}`);
  const ha2 = md5(`${method}:${uri}`);
  const parts = [
    `username="${creds.username}"`,
    `realm="${realm}"`,
    `nonce="${nonce}"`,
    `uri="${uri}"`,
    'algorithm=MD5',
  ];
  const qops = (c.qop ?? '').split(',').map((q) => q.trim());
  let response: string;
  if (qops.includes('auth')) {
    const cnonce = randomBytes(8).toString('hex');
    const ncHex = nc.toString(16).padStart(8, '0');
    response = md5(`${ha1}:${nonce}:${ncHex}:${cnonce}:auth:${ha2}`);
    parts.push('qop=auth', `nc=${ncHex}`, `cnonce="${cnonce}"`);
  } else {
    response = md5(`${ha1}:${nonce}:${ha2}`);
  }
  parts.push(`response="${response}"`);
  if (c.opaque !== undefined) parts.push(`opaque="${c.opaque}"`);
  return `Digest ${parts.join(', ')}`;
}
