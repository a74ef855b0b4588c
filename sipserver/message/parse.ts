// Parses one complete SIP message (RFC 3261 §7, ABNF in §25). Stream framing is the
// transport's job; here the buffer holds exactly one message.
import { SipParseError } from './sip-parse-error';
import { SipMessage, SipRequest, SipResponse } from './sip-message';

const REQUEST_LINE = /^([A-Za-z][A-Za-z0-9.!%*_+`'~-]*) (\S+) SIP\/2\.0$/;
const STATUS_LINE = /^SIP\/2\.0 ([1-6]\d\d) ?(.*)$/;

/** Index of the blank line ending the header section, and its length, or null. */
export function findHeaderEnd(buf: Buffer, from = 0): { at: number; sep: number } | null {
  const crlf = buf.indexOf('\r\n\r\n', from);
  const lf = buf.indexOf('\n\n', from);
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { at: crlf, sep: 4 };
  if (lf >= 0) return { at: lf, sep: 2 };
  return null;
}

/** Content-Length as declared, or undefined when absent; throws when malformed. */
export function declaredContentLength(headerText: string): number | undefined {
  const m = /^(?:content-length|l)[ \t]*:[ \t]*(.*)$/im.exec(headerText);
  if (!m) return undefined;
  const raw = m[1].trim();
  if (!/^\d{1,9}$/.test(raw)) throw new SipParseError(`invalid Content-Length '${raw}'`);
  return Number(raw);
}

export function parseMessage(buf: Buffer): SipMessage {
  const end = findHeaderEnd(buf);
  // A datagram may omit the final blank line when it carries no body.
  const headEnd = end ? end.at : buf.length;
  const bodyStart = end ? end.at + end.sep : buf.length;
  const lines = buf.toString('utf8', 0, headEnd).split(/\r?\n/);
  const startLine = lines.shift() ?? '';
  const msg = parseStartLine(startLine);

  for (const line of lines) {
    if (/^[ \t]/.test(line)) {
      // Header folding (RFC 3261 §7.3.1): continuation of the previous header.
      const prev = msg.headers[msg.headers.length - 1];
      if (!prev) throw new SipParseError('header continuation line before any header');
      prev.value += ' ' + line.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new SipParseError(`malformed header line '${line.slice(0, 80)}'`);
    const name = line.slice(0, colon).trim();
    if (!/^[A-Za-z0-9.!%*_+`'~-]+$/.test(name)) {
      throw new SipParseError(`malformed header name '${name.slice(0, 80)}'`);
    }
    msg.headers.push({ name, value: line.slice(colon + 1).trim() });
  }

  const available = buf.length - bodyStart;
  const declared = declaredContentLength(buf.toString('utf8', 0, headEnd));
  if (declared !== undefined && declared > available) {
    throw new SipParseError(`Content-Length ${declared} exceeds the ${available} body bytes`);
  }
  msg.body = Buffer.from(buf.subarray(bodyStart, bodyStart + (declared ?? available)));
  return msg;
}

function parseStartLine(line: string): SipMessage {
  const status = STATUS_LINE.exec(line);
  if (status) return new SipResponse(Number(status[1]), status[2]);
  const req = REQUEST_LINE.exec(line);
  if (req) return new SipRequest(req[1].toUpperCase(), req[2]);
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
