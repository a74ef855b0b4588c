// Header names: compact forms (RFC 3261 §7.3.3, plus RFC 3265/3515/4028 ones) and the
// canonical spelling we write, so lookups are case-insensitive and form-insensitive.
const COMPACT: Record<string, string> = {
  i: 'call-id',
  m: 'contact',
  e: 'content-encoding',
  l: 'content-length',
  c: 'content-type',
  f: 'from',
  s: 'subject',
  k: 'supported',
  t: 'to',
  v: 'via',
  o: 'event',
  r: 'refer-to',
  b: 'referred-by',
  u: 'allow-events',
  x: 'session-expires',
};

const CANONICAL: Record<string, string> = {
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  via: 'Via',
  from: 'From',
  to: 'To',
  contact: 'Contact',
  'content-length': 'Content-Length',
  'content-type': 'Content-Type',
  'max-forwards': 'Max-Forwards',
  route: 'Route',
  'record-route': 'Record-Route',
  rseq: 'RSeq',
  rack: 'RAck',
  'www-authenticate': 'WWW-Authenticate',
  'p-asserted-identity': 'P-Asserted-Identity',
};

/** Keys of the names seen, so a lookup is one Map probe (bounded: names come from peers). */
const KEYS = new Map<string, string>();

/** Lower-case long form: the key every lookup uses. */
export function headerKey(name: string): string {
  let key = KEYS.get(name);
  if (key === undefined) {
    const lower = name.trim().toLowerCase();
    key = COMPACT[lower] ?? lower;
    if (KEYS.size >= 2000) KEYS.clear();
    KEYS.set(name, key);
  }
  return key;
}

/** The spelling we put on the wire for a header given in any form. */
export function canonicalName(name: string): string {
  const key = headerKey(name);
  if (CANONICAL[key]) return CANONICAL[key];
  return key.replace(/(^|-)([a-z])/g, (_m, dash: string, ch: string) => dash + ch.toUpperCase());
}

/** Headers whose comma-separated values are separate entries (RFC 3261 §7.3.1). */
export const MULTI_VALUE = new Set(['via', 'route', 'record-route', 'contact']);
