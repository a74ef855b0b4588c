// Server side of HTTP Digest (RFC 2617, MD5, qop=auth) for agent REGISTERs. Nonces are
// stateless: a timestamp signed with a per-process secret, so that any gateway instance
// holding the secret can check them and stale ones are recognised (stale=true).
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

export interface DigestParams {
  username?: string;
  realm?: string;
  nonce?: string;
  uri?: string;
  response?: string;
  algorithm?: string;
  qop?: string;
  nc?: string;
  cnonce?: string;
  opaque?: string;
}

/** Parses `Digest k="v", k2=v2` (quoted strings may hold commas). */
export function parseDigest(header: string | undefined): DigestParams | undefined {
  if (!header) return undefined;
  const m = /^\s*Digest\s+(.*)$/is.exec(header);
  if (!m) return undefined;
  const out: Record<string, string> = {};
  const re = /([a-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))\s*(?:,|$)/gi;
  for (let p; (p = re.exec(m[1]));)
    out[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3];
  return out;
}

export type DigestVerdict =
  { ok: true; username: string } | { ok: false; stale: boolean; why: string };

export class DigestAuth {
  private readonly secret: Buffer;

  constructor(
    readonly realm: string,
    private readonly now: () => number = Date.now,
    /** How long a nonce is good for. */
    private readonly nonceTtlMs = 5 * 60_000,
    secret?: Buffer,
  ) {
    this.secret = secret ?? randomBytes(32);
  }

  /** The WWW-Authenticate value for a 401. */
  challenge(stale = false): string {
    return `Digest realm="${this.realm}", nonce="${this.nonce()}", algorithm=MD5, qop="auth"${stale ? ', stale=true' : ''}`;
  }

  nonce(at = this.now()): string {
    const ts = at.toString(36);
    return `${ts}.${createHmac('sha256', this.secret).update(ts).digest('base64url').slice(0, 22)}`;
  }

  /** Checks an Authorization header for `method` against the password of its username. */
  verify(
    header: string | undefined,
    method: string,
    passwordOf: (username: string) => string | undefined,
  ): DigestVerdict {
    const p = parseDigest(header);
    if (!p?.username || !p.nonce || !p.uri || !p.response)
      return { ok: false, stale: false, why: 'no Digest credentials' };
    if (p.realm !== this.realm) return { ok: false, stale: false, why: `wrong realm ${p.realm}` };
    if (p.algorithm && p.algorithm.toUpperCase() !== 'MD5')
      return { ok: false, stale: false, why: `unsupported algorithm ${p.algorithm}` };
    const nonceCheck = this.checkNonce(p.nonce);
    if (nonceCheck !== 'ok')
      return { ok: false, stale: nonceCheck === 'stale', why: `${nonceCheck} nonce` };
    const password = passwordOf(p.username);
    if (password === undefined)
      return { ok: false, stale: false, why: `unknown user ${p.username}` };
    const ha1 = md5(`${p.username}:${this.realm}:${password}`);
    const ha2 = md5(`${method}:${p.uri}`);
    let expected: string;
    if (p.qop) {
      if (p.qop !== 'auth' || !p.nc || !p.cnonce)
        return { ok: false, stale: false, why: 'bad qop parameters' };
      expected = md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:auth:${ha2}`);
    } else {
      expected = md5(`${ha1}:${p.nonce}:${ha2}`);
    }
    const a = Buffer.from(expected);
    const b = Buffer.from(p.response.toLowerCase());
    if (a.length !== b.length || !timingSafeEqual(a, b))
      return { ok: false, stale: false, why: 'wrong password' };
    return { ok: true, username: p.username };
  }

  private checkNonce(nonce: string): 'ok' | 'stale' | 'forged' {
    const [ts] = nonce.split('.');
    const at = parseInt(ts, 36);
    if (!Number.isFinite(at) || this.nonce(at) !== nonce) return 'forged';
    return this.now() - at > this.nonceTtlMs ? 'stale' : 'ok';
  }
}

/** The client side (for tests and tools): an Authorization value answering a challenge. */
export function digestResponse(o: {
  username: string;
  password: string;
  realm: string;
  nonce: string;
  method: string;
  uri: string;
  nc?: string;
  cnonce?: string;
}): string {
  const nc = o.nc ?? '00000001';
  const cnonce = o.cnonce ?? randomBytes(8).toString('hex');
  const ha1 = md5(`${o.username}:${o.realm}:${o.password}`);
  const ha2 = md5(`${o.method}:${o.uri}`);
  const response = md5(`${ha1}:${o.nonce}:${nc}:${cnonce}:auth:${ha2}`);
  return `Digest username="${o.username}", realm="${o.realm}", nonce="${o.nonce}", uri="${o.uri}", response="${response}", algorithm=MD5, qop=auth, nc=${nc}, cnonce="${cnonce}"`;
}
