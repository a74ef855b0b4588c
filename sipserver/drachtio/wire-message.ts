// A drachtio payload: `<msgId>|<type>|<fields…>` optionally followed by CRLF and a raw
// SIP message. Fields are positional, so empty ones are kept.
import { randomUUID } from 'node:crypto';

export interface WireMessage {
  id: string;
  type: string;
  /** The fields after the type. */
  args: string[];
  /** The SIP message after the first CRLF, if any. */
  sip?: string;
}

export function decodeWireMessage(payload: string): WireMessage {
  const crlf = payload.indexOf('\r\n');
  const meta = crlf < 0 ? payload : payload.slice(0, crlf);
  const tokens = meta.split('|');
  if (tokens.length < 2 || !tokens[0] || !tokens[1]) {
    throw new Error(
      `invalid drachtio message: expected '<msgId>|<type>|...', got '${meta.slice(0, 80)}'`,
    );
  }
  return {
    id: tokens[0],
    type: tokens[1],
    args: tokens.slice(2),
    sip: crlf < 0 ? undefined : payload.slice(crlf + 2),
  };
}

export function encodeWireMessage(fields: string[], sip?: string): string {
  const meta = [randomUUID(), ...fields].join('|');
  return sip === undefined ? meta : `${meta}\r\n${sip}`;
}

/** HH:MM:SS.uuuuuu, the time stamp drachtio-server puts in message metadata. */
export function wireTime(date = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())}.${p(date.getUTCMilliseconds() * 1000, 6)}`;
}
