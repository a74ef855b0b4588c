// Parses one complete SIP message (RFC 3261 §7, ABNF in §25). Stream framing is the
// transport's job; here the buffer holds exactly one message.
import { SipParseError } from './sip-parse-error';
import { header, SipMessage, SipRequest, SipResponse } from './sip-message';

/** token (§25.1): the characters a method or header name may use. */
const TOKEN_CHARS = "A-Za-z0-9.!%*_+`'~-";
// Request-Line = Method SP Request-URI SP SIP-Version CRLF: exactly one SP between them
// (RFC 4475 §3.1.2.9/§3.1.2.10 — extra SPs may be rejected, and we do).
const REQUEST_LINE = new RegExp(`^([${TOKEN_CHARS}]+) (\\S+) SIP/(\\d+\\.\\d+)$`);
// Status-Line = SIP-Version SP Status-Code SP Reason-Phrase; a missing SP before an empty
// reason is tolerated (RFC 4475 §3.1.1.13), a four-digit code is not (§3.1.2.19).
const STATUS_LINE = /^SIP\/2\.0 ([1-6]\d\d)(?:$| (.*)$)/;
const ANY_VERSION = /^([^ ]+) ([^ ]+) SIP\/(\d+\.\d+)$/i;

/** Index of the blank line ending the header section, and its length, or null. */
export function findHeaderEnd(buf: Buffer, from = 0): { at: number; sep: number } | null {
  const crlf = buf.indexOf('\r\n\r\n', from);
  const lf = buf.indexOf('\n\n', from);
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { at: crlf, sep: 4 };
  if (lf >= 0) return { at: lf, sep: 2 };
  return null;
}

/**
 * Content-Length as declared, or undefined when absent; throws when malformed or given
 * twice (RFC 4475 §3.1.2.3 and §3.3.9: either way the framing cannot be trusted).
 */
export function declaredContentLength(headerText: string): number | undefined {
  const found = [...headerText.matchAll(/^(?:content-length|l)[ \t]*:[ \t]*(.*)$/gim)];
  if (found.length === 0) return undefined;
  if (found.length > 1) throw new SipParseError('more than one Content-Length header');
  const raw = found[0][1].trim();
  if (!/^\d{1,9}$/.test(raw)) throw new SipParseError(`invalid Content-Length '${raw}'`);
  return Number(raw);
}

export function parseMessage(buf: Buffer): SipMessage {
  const end = findHeaderEnd(buf);
  // A datagram may omit the final blank line when it carries no body.
  const headEnd = end ? end.at : buf.length;
  const bodyStart = end ? end.at + end.sep : buf.length;
  const msg = parseHead(buf.toString('utf8', 0, headEnd));
  const available = buf.length - bodyStart;
  const declared = contentLengthOf(msg);
  if (declared !== undefined && declared > available) {
    throw new SipParseError(`Content-Length ${declared} exceeds the ${available} body bytes`);
  }
  msg.body = Buffer.from(buf.subarray(bodyStart, bodyStart + (declared ?? available)));
  return msg;
}

/**
 * A message an app sent as text over the drachtio protocol: everything after the blank
 * line is the body, whatever Content-Length says (drachtio-srf counts characters there,
 * not bytes; the stack writes its own).
 */
export function parseAppMessage(text: string): SipMessage {
  let end = text.indexOf('\r\n\r\n');
  let sep = 4;
  const lf = text.indexOf('\n\n');
  if (lf >= 0 && (end < 0 || lf < end)) [end, sep] = [lf, 2];
  const msg = parseHead(end < 0 ? text : text.slice(0, end));
  msg.body = end < 0 ? Buffer.alloc(0) : Buffer.from(text.slice(end + sep), 'utf8');
  return msg;
}

/** Start line and headers (RFC 3261 §7.1–§7.3), folded lines joined. */
function parseHead(headText: string): SipMessage {
  // CRLF is the common case, and a string split is cheaper than a regular expression;
  // bare LF line ends are tolerated too.
  let lines = headText.split('\r\n');
  if (lines.some((l) => l.includes('\n'))) lines = headText.split(/\r?\n/);
  const msg = parseStartLine(lines[0] ?? '');
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.length > 0 && (line[0] === ' ' || line[0] === '\t')) {
      // Header folding (RFC 3261 §7.3.1): continuation of the previous header.
      const prev = msg.headers[msg.headers.length - 1];
      if (!prev) throw new SipParseError('header continuation line before any header');
      prev.value += ' ' + trimLws(line);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new SipParseError(`malformed header line '${line.slice(0, 80)}'`);
    const name = trimLws(line.slice(0, colon));
    if (!isHeaderName(name)) {
      throw new SipParseError(`malformed header name '${name.slice(0, 80)}'`);
    }
    msg.headers.push(header(name, trimLws(line.slice(colon + 1))));
  }
  return msg;
}

const HEADER_NAME = new RegExp(`^[${TOKEN_CHARS}]+$`);
const VALID_NAMES = new Set<string>();

/** token (§25.1); the names seen valid are remembered (bounded: names come from peers). */
function isHeaderName(name: string): boolean {
  if (VALID_NAMES.has(name)) return true;
  if (!HEADER_NAME.test(name)) return false;
  if (VALID_NAMES.size >= 2000) VALID_NAMES.clear();
  VALID_NAMES.add(name);
  return true;
}

/** Content-Length of the parsed headers; as declaredContentLength, for a parsed message. */
function contentLengthOf(msg: SipMessage): number | undefined {
  let raw: string | undefined;
  for (const h of msg.headers) {
    if (h.key !== 'content-length') continue;
    if (raw !== undefined) throw new SipParseError('more than one Content-Length header');
    raw = h.value;
  }
  if (raw === undefined) return undefined;
  if (!/^\d{1,9}$/.test(raw)) throw new SipParseError(`invalid Content-Length '${raw}'`);
  return Number(raw);
}

/**
 * LWS is SP and HTAB only (§25.1); String.trim would also strip U+FEFF, U+00A0 and the
 * like, accepting header names apps then cannot read.
 */
function trimLws(s: string): string {
  const first = s.charCodeAt(0);
  const last = s.charCodeAt(s.length - 1);
  if (first !== 32 && first !== 9 && last !== 32 && last !== 9) return s;
  return s.replace(/^[ \t]+|[ \t]+$/g, '');
}

function parseStartLine(line: string): SipMessage {
  const status = STATUS_LINE.exec(line);
  if (status) return new SipResponse(Number(status[1]), status[2] ?? '');
  const req = REQUEST_LINE.exec(line);
  if (req && req[3] === '2.0') return new SipRequest(req[1].toUpperCase(), req[2]);
  // RFC 3261 §8.2 / RFC 4475 §3.1.2.16: a well-formed request of another version is 505.
  const other = req ?? ANY_VERSION.exec(line);
  if (other && other[3] !== '2.0' && !/^SIP\//i.test(line)) {
    throw new SipParseError(`unsupported SIP version 'SIP/${other[3]}'`, 505);
  }
  throw new SipParseError(`malformed start line '${line.slice(0, 80)}'`);
}

/** Headers every request must carry to be handled at all (RFC 3261 §8.1.1). */
export function missingMandatoryHeader(msg: SipMessage): string | undefined {
  for (const name of ['Via', 'From', 'To', 'Call-ID', 'CSeq']) {
    if (!msg.get(name)) return name;
  }
  if (!/^\s*\d+\s+\S+\s*$/.test(msg.get('cseq') ?? '')) return 'CSeq';
  return undefined;
}
