// Server side of HTTP Digest (RFC 2617, MD5, qop=auth) for agent REGISTERs. A nonce is a
// timestamp and a random part signed with a per-process secret (so a forged one is told
// from a stale one), and is remembered with its nonce count (nonce-table.ts) so that a
// replayed Authorization is refused; gateways sharing a contact centre also take each
// count in the shared store (`sharedCounts`), so a replay to another instance is refused. The digest `uri` must be the Request-URI: the
// response covers only it and the method, so this is what binds it to this request.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { NonceTable } from './nonce-table';

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

/**
 * ok, or the response to send: 401 (challenge again; `stale` when only the nonce was at
 * fault, RFC 2617 §3.2.1) or 400 (a digest for another URI, RFC 2617 §3.2.2.5).
 */
export type DigestVerdict =
  { ok: true; username: string } | { ok: false; status: 400 | 401; stale: boolean; why: string };

export interface DigestAuthOptions {
  now?: () => number;
  /** How long a nonce is good for (default 5 min). */
  nonceTtlMs?: number;
  /** Most nonces remembered (default 10 000, a few MB at most). */
  maxNonces?: number;
  secret?: Buffer;
  /**
   * Gateways sharing one contact centre (and `secret`): a nonce another of them issued is
   * taken as issued when first seen here, since the SIP server spreads a challenge and the
   * REGISTER that answers it over the instances.
   */
  peerNonces?: boolean;
  /**
   * Takes one use (nonce, nc) for every instance at once (see StateStore.useNonce): false
   * for a count already taken anywhere. Used by verifyShared().
   */
  sharedCounts?: (nonce: string, nc: number, expiresAt: number) => Promise<boolean>;
}

export interface DigestRequest {
  /** The Authorization header, if any. */
  authorization: string | undefined;
  method: string;
  requestUri: string;
  passwordOf: (username: string) => string | undefined;
}

const refuse = (why: string, stale = false): DigestVerdict => ({
  ok: false,
  status: 401,
  stale,
  why,
});

export class DigestAuth {
  private readonly secret: Buffer;
  private readonly now: () => number;
  private readonly nonceTtlMs: number;
  private readonly nonces: NonceTable;
  private readonly peerNonces: boolean;
  private readonly sharedCounts?: DigestAuthOptions['sharedCounts'];

  constructor(
    readonly realm: string,
    opts: DigestAuthOptions = {},
  ) {
    this.secret = opts.secret ?? randomBytes(32);
    this.now = opts.now ?? Date.now;
    this.nonceTtlMs = opts.nonceTtlMs ?? 5 * 60_000;
    this.peerNonces = opts.peerNonces ?? false;
    this.sharedCounts = opts.sharedCounts;
    this.nonces = new NonceTable({
      ttlMs: this.nonceTtlMs,
      maxEntries: opts.maxNonces ?? 10_000,
    });
  }

  /** Nonces currently remembered. */
  get nonceCount(): number {
    return this.nonces.size;
  }

  /** The WWW-Authenticate value for a 401, with a new nonce. */
  challenge(stale = false): string {
    const at = this.now();
    const nonce = this.sign(`${at.toString(36)}.${randomBytes(9).toString('base64url')}`);
    this.nonces.add(nonce, at);
    return `Digest realm="${this.realm}", nonce="${nonce}", algorithm=MD5, qop="auth"${stale ? ', stale=true' : ''}`;
  }

  /** Counts are shared with other instances: verifyShared() is the one to call. */
  get shared(): boolean {
    return !!this.sharedCounts;
  }

  verify(req: DigestRequest): DigestVerdict {
    return this.check(req).verdict;
  }

  /** verify(), then the nonce count taken in the shared store (once for all instances). */
  async verifyShared(req: DigestRequest): Promise<DigestVerdict> {
    const { verdict, used } = this.check(req);
    if (!verdict.ok || !used || !this.sharedCounts) return verdict;
    const fresh = await this.sharedCounts(used.nonce, used.nc, used.issuedAt + this.nonceTtlMs);
    return fresh ? verdict : refuse(`replayed nonce count ${used.ncText} (another instance)`, true);
  }

  private check(req: DigestRequest): {
    verdict: DigestVerdict;
    used?: { nonce: string; nc: number; ncText: string; issuedAt: number };
  } {
    const v = (verdict: DigestVerdict) => ({ verdict });
    const p = parseDigest(req.authorization);
    if (!p?.username || !p.nonce || !p.uri || !p.response)
      return v(refuse('no Digest credentials'));
    if (p.realm !== this.realm) return v(refuse(`wrong realm ${p.realm}`));
    if (p.algorithm && p.algorithm.toUpperCase() !== 'MD5')
      return v(refuse(`unsupported algorithm ${p.algorithm}`));
    if (!sameUri(p.uri, req.requestUri))
      return v({
        ok: false,
        status: 400,
        stale: false,
        why: `digest uri ${p.uri} is not the Request-URI ${req.requestUri}`,
      });
    let nc: number | undefined;
    if (p.qop !== undefined) {
      if (p.qop !== 'auth' || !p.nc || !/^[0-9a-f]{8}$/i.test(p.nc) || !p.cnonce)
        return v(refuse('bad qop parameters'));
      nc = parseInt(p.nc, 16);
    }
    const issuedAt = this.issuedAt(p.nonce);
    if (issuedAt === undefined) return v(refuse('forged nonce'));
    const password = req.passwordOf(p.username);
    if (password === undefined) return v(refuse(`unknown user ${p.username}`));
    const ha1 = md5(`${p.username}:${this.realm}:${password}`);
    const ha2 = md5(`${req.method}:${p.uri}`);
    const expected =
      nc === undefined
        ? md5(`${ha1}:${p.nonce}:${ha2}`)
        : md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:auth:${ha2}`);
    const a = Buffer.from(expected);
    const b = Buffer.from(p.response.toLowerCase());
    if (a.length !== b.length || !timingSafeEqual(a, b)) return v(refuse('wrong password'));
    // The credentials are right: only the nonce can still be at fault, so stale=true lets
    // an honest client retry with a fresh nonce without asking its user for the password.
    let use = this.nonces.use(p.nonce, nc, this.now());
    if (use === 'stale' && this.peerNonces && this.now() - issuedAt <= this.nonceTtlMs) {
      this.nonces.add(p.nonce, issuedAt);
      use = this.nonces.use(p.nonce, nc, this.now());
    }
    if (use === 'stale') return v(refuse('stale nonce', true));
    if (use === 'replayed')
      return v(refuse(`replayed nonce count ${p.nc ?? '(none, nonce already used)'}`, true));
    return {
      verdict: { ok: true, username: p.username },
      used: { nonce: p.nonce, nc: nc ?? 1, ncText: p.nc ?? '(none)', issuedAt },
    };
  }

  private sign(payload: string): string {
    const mac = createHmac('sha256', this.secret).update(payload).digest('base64url');
    return `${payload}.${mac.slice(0, 22)}`;
  }

  /** When a nonce of ours was issued; undefined if we did not sign it. */
  private issuedAt(nonce: string): number | undefined {
    const parts = nonce.split('.');
    if (parts.length !== 3) return undefined;
    const payload = `${parts[0]}.${parts[1]}`;
    const a = Buffer.from(this.sign(payload));
    const b = Buffer.from(nonce);
    if (a.length !== b.length || !timingSafeEqual(a, b)) return undefined;
    const at = parseInt(parts[0], 36);
    return Number.isFinite(at) ? at : undefined;
  }
}

/**
 * RFC 3261 §19.1.4 in short: scheme and host compare case-blind, the user part exactly;
 * parameters and headers case-blind too (close enough for one client's own REGISTER).
 */
function sameUri(a: string, b: string): boolean {
  if (a === b) return true;
  const split = (u: string) => {
    const m = /^([a-z][a-z0-9+.-]*):(?:([^@]*)@)?(.*)$/i.exec(u.trim());
    return m ? { scheme: m[1].toLowerCase(), user: m[2] ?? '', rest: m[3].toLowerCase() } : u;
  };
  const x = split(a);
  const y = split(b);
  if (typeof x === 'string' || typeof y === 'string') return false;
  return x.scheme === y.scheme && x.user === y.user && x.rest === y.rest;
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
