// What a REGISTER asks for (RFC 3261 §10.2, §10.3): its Contact bindings, or `*`, and how
// long each should last. Bad values never reach a timer: a malformed expiry is read as
// 3600 s, as §10.2.1.1 says ("Malformed values SHOULD be treated as equivalent to 3600"),
// and every expiry is capped.

/** Registrar's default (§10.3 step 7: "a locally configured default value"). */
export const DEFAULT_EXPIRES_S = 3600;
/** Longest registration granted; a client asking for more gets this (§10.3 step 7). */
export const MAX_EXPIRES_S = 7200;

export interface ContactBinding {
  uri: string;
  /** The raw `expires` contact parameter: '' when present without a value. */
  expiresParam?: string;
}

export type RegisterContacts =
  | { kind: 'none' }
  | { kind: 'wildcard'; others: number }
  | { kind: 'bindings'; bindings: ContactBinding[] };

/** Splits on commas outside quotes and angle brackets (several Contact rows arrive joined). */
function splitTopLevel(value: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '<') depth++;
    else if (c === '>') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      parts.push(value.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(value.slice(start));
  return parts.map((p) => p.trim()).filter(Boolean);
}

/** One contact-param list (`;expires=60;q=0.5`) → its expires value, if the name is there. */
function expiresParamOf(params: string): string | undefined {
  for (const p of params.split(';')) {
    const [name, ...rest] = p.split('=');
    if (name.trim().toLowerCase() === 'expires') return rest.join('=').trim();
  }
  return undefined;
}

function parseBinding(value: string): ContactBinding {
  // name-addr: the URI is inside <>, the contact's parameters follow. addr-spec: the
  // parameters after the first ';' belong to the header, not the URI (§20.10).
  const angle = /<([^>]*)>(.*)$/s.exec(value);
  const uri = angle ? angle[1].trim() : value.split(';')[0].trim();
  const params = angle ? angle[2] : value.slice(value.split(';')[0].length);
  return { uri, expiresParam: expiresParamOf(params) };
}

export function parseContacts(header: string | undefined): RegisterContacts {
  const values = splitTopLevel(header ?? '');
  if (!values.length) return { kind: 'none' };
  if (values.includes('*')) return { kind: 'wildcard', others: values.length - 1 };
  return { kind: 'bindings', bindings: values.map(parseBinding) };
}

/** delta-seconds (1*DIGIT); undefined when absent, 'malformed' for anything else. */
export function deltaSeconds(raw: string | undefined): number | 'malformed' | undefined {
  if (raw === undefined) return undefined;
  const v = raw.trim();
  if (!/^\d+$/.test(v)) return 'malformed';
  // "Implementations MAY treat values larger than 2**32-1 as equivalent to 2**32-1."
  return Math.min(Number(v), 2 ** 32 - 1);
}

/**
 * The expiry granted to one binding: its `expires` parameter, else the Expires header,
 * else the default (§10.3 step 7); malformed → 3600; never above MAX_EXPIRES_S.
 */
export function grantedExpiry(binding: ContactBinding, expiresHeader: string | undefined): number {
  const asked = deltaSeconds(binding.expiresParam) ?? deltaSeconds(expiresHeader);
  const seconds = asked === undefined || asked === 'malformed' ? DEFAULT_EXPIRES_S : asked;
  return Math.min(MAX_EXPIRES_S, seconds);
}
