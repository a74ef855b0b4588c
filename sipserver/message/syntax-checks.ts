// RFC 3261 §25 grammar a parsed message must satisfy before the stack acts on it — the
// rules RFC 4475's torture messages probe: single-valued headers given twice (§3.3.8),
// a CSeq out of range or naming another method (§3.1.2.4, §3.1.2.17), unterminated quotes
// (§3.1.2.6), unquoted display names with separators (§3.1.2.15), addr-specs that needed
// <> (§3.1.2.13), spaces inside <> (§3.1.2.14), empty Via/Contact parameters (§3.1.2.1),
// and a bracketed or header-carrying Request-URI (§3.1.2.7, §3.1.2.11).
// Each check returns a short description of the first problem, or undefined.
import type { SipMessage } from './sip-message';
import { splitTopLevel } from './split-values';
import { parseVia } from './via';

/** Headers that may appear once (§7.3.1: only comma-list headers may repeat). */
const SINGLE_VALUED = new Set([
  'call-id',
  'from',
  'to',
  'cseq',
  'max-forwards',
  'content-length',
  'content-type',
]);
const ADDRESS_LISTS = new Set(['contact', 'route', 'record-route']);
const TOKEN = /^[A-Za-z0-9.!%*_+`'~-]+$/;
/** word (§25.1), of which Call-IDs are made: note it has no `|`, `;`, LWS, CR or LF. */
const CALL_ID = /^[\w\-.!%*+`'~()<>:\\"/[\]?{}]+(?:@[\w\-.!%*+`'~()<>:\\"/[\]?{}]+)?$/;
const DISPLAY_TOKENS = /^[A-Za-z0-9.!%*_+`'~-]+(?:[ \t]+[A-Za-z0-9.!%*_+`'~-]+)*$/;
/** absoluteURI / SIP-URI at the level we need: a scheme, then no LWS, quotes or brackets. */
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"\x00-\x1f\x7f]+$/;
/** §8.1.1.5: "The sequence number value MUST be expressible as a 32-bit unsigned integer". */
const MAX_CSEQ = 2 ** 32 - 1;

export function syntaxProblem(msg: SipMessage): string | undefined {
  return (
    repeatedHeader(msg) ??
    callIdProblem(msg) ??
    cseqProblem(msg) ??
    viaProblem(msg) ??
    addressProblem(msg) ??
    (msg.kind === 'request' ? requestUriProblem(msg.uri) : undefined)
  );
}

function repeatedHeader(msg: SipMessage): string | undefined {
  const seen = new Set<string>();
  for (const h of msg.headers) {
    const key = h.key;
    if (!SINGLE_VALUED.has(key)) continue;
    if (seen.has(key)) return `more than one ${key} header`;
    seen.add(key);
  }
  return undefined;
}

/**
 * Call-ID = word [ "@" word ] (§25.1). The Call-ID and the From tag make the dialog id the
 * drachtio protocol carries in a `|`-separated line: a `|`, CR or LF there breaks it.
 */
function callIdProblem(msg: SipMessage): string | undefined {
  const value = msg.get('call-id');
  if (value === undefined) return undefined;
  if (!CALL_ID.test(value)) return 'malformed Call-ID';
  return undefined;
}

function cseqProblem(msg: SipMessage): string | undefined {
  const value = msg.get('cseq');
  if (value === undefined) return undefined; // missing headers are reported elsewhere
  const m = /^(\d+)[ \t]+(\S+)$/.exec(value.trim());
  if (!m) return `malformed CSeq '${value.slice(0, 40)}'`;
  if (m[1].length > 10 || Number(m[1]) > MAX_CSEQ) return 'CSeq number out of range';
  if (!TOKEN.test(m[2])) return 'CSeq method is not a token';
  // §8.2: the CSeq method "MUST match that of the request".
  if (msg.kind === 'request' && m[2].toUpperCase() !== msg.method) {
    return `CSeq method ${m[2]} does not match the request's ${msg.method}`;
  }
  return undefined;
}

function viaProblem(msg: SipMessage): string | undefined {
  for (const h of msg.headers) {
    if (h.key !== 'via') continue;
    for (const piece of splitTopLevel(h.value)) {
      if (!piece.trim()) return 'empty Via value';
      const via = parseVia(piece);
      if (!via) return `malformed Via '${piece.trim().slice(0, 60)}'`;
      const p = paramsProblem(via.params, 'Via');
      if (p) return p;
    }
  }
  return undefined;
}

function addressProblem(msg: SipMessage): string | undefined {
  for (const h of msg.headers) {
    const key = h.key;
    if (key === 'from' || key === 'to') {
      const p = nameAddrProblem(h.value, key);
      if (p) return p;
    } else if (ADDRESS_LISTS.has(key)) {
      if (key === 'contact' && h.value.trim() === '*') continue; // REGISTER's "remove all"
      for (const piece of splitTopLevel(h.value)) {
        const p = nameAddrProblem(piece, key);
        if (p) return p;
      }
    }
  }
  return undefined;
}

/** name-addr or addr-spec, then header parameters (§20.10, §25.1). */
export function nameAddrProblem(value: string, header: string): string | undefined {
  const s = value.trim();
  if (!s) return `empty ${header} value`;
  let bracketed: string;
  if (s.startsWith('"')) {
    const close = closingQuote(s);
    if (close < 0) return `unterminated quoted string in ${header}`;
    bracketed = s.slice(close + 1).trimStart();
    if (!bracketed.startsWith('<')) return `display name without <URI> in ${header}`;
  } else {
    const lt = s.indexOf('<');
    if (lt < 0) return addrSpecProblem(s, header);
    const display = s.slice(0, lt).trim();
    if (display && !DISPLAY_TOKENS.test(display)) {
      return `display name with separators must be quoted in ${header}`;
    }
    bracketed = s.slice(lt);
  }
  const gt = bracketed.indexOf('>');
  if (gt < 0) return `missing '>' in ${header}`;
  if (!URI.test(bracketed.slice(1, gt))) return `malformed URI in ${header}`;
  return paramsProblem(bracketed.slice(gt + 1), header);
}

/** §20.10: a URI with a comma, question mark or semicolon must be in angle brackets. */
function addrSpecProblem(s: string, header: string): string | undefined {
  const semi = s.indexOf(';');
  const uri = (semi < 0 ? s : s.slice(0, semi)).trim();
  if (/[?,]/.test(uri)) return `URI with '?' or ',' must be enclosed in <> in ${header}`;
  if (!URI.test(uri)) return `malformed URI in ${header}`;
  return paramsProblem(semi < 0 ? '' : s.slice(semi), header);
}

/** `*( SEMI generic-param )`: every parameter has a token name and, after '=', a value. */
function paramsProblem(params: string, header: string): string | undefined {
  const p = params.trim();
  if (!p) return undefined;
  if (!p.startsWith(';')) return `unexpected '${p.slice(0, 20)}' in ${header}`;
  for (const param of splitTopLevel(p.slice(1), ';')) {
    const eq = param.indexOf('=');
    const name = (eq < 0 ? param : param.slice(0, eq)).trim();
    if (!name) return `empty parameter in ${header}`;
    if (!TOKEN.test(name)) return `malformed parameter name in ${header}`;
    if (eq < 0) continue;
    const v = param.slice(eq + 1).trim();
    // tag-param = "tag" EQUAL token (§25.1): it ends up in the drachtio dialog id too.
    if (name.toLowerCase() === 'tag' && !TOKEN.test(v)) return `malformed tag in ${header}`;
    const quotedOk = v.startsWith('"') && closingQuote(v) === v.length - 1;
    if (!v || (!quotedOk && /[\s"]/.test(v))) return `malformed parameter value in ${header}`;
  }
  return undefined;
}

function requestUriProblem(uri: string): string | undefined {
  if (!URI.test(uri)) return 'malformed Request-URI';
  // §19.1.1 table: headers are not allowed in a SIP Request-URI (RFC 4475 §3.1.2.11).
  // The user part may hold a '?' (user-unreserved); headers start after the host.
  const afterUser = uri.slice(uri.indexOf('@') + 1);
  if (/^sips?:/i.test(uri) && afterUser.includes('?')) return 'Request-URI carries headers';
  return undefined;
}

/** Index of the quote closing the quoted-string that starts at 0, or -1 (§25.1 quoted-pair). */
function closingQuote(s: string): number {
  for (let i = 1; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '"') return i;
  }
  return -1;
}
