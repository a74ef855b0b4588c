// Writes a message for the wire. Content-Length is always recomputed in bytes
// (RFC 3261 §20.14: "the size of the message-body, in decimal number of octets").
import type { SipMessage } from './sip-message';
import { headerKey } from './header-names';

export function startLine(msg: SipMessage): string {
  return msg.kind === 'request'
    ? `${msg.method} ${msg.uri} SIP/2.0`
    : `SIP/2.0 ${msg.status} ${msg.reason}`;
}

export function serialize(msg: SipMessage): Buffer {
  const lines = [startLine(msg)];
  for (const h of msg.headers) {
    if (headerKey(h.name) !== 'content-length') lines.push(`${h.name}: ${h.value}`);
  }
  lines.push(`Content-Length: ${msg.body.length}`);
  return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'utf8'), msg.body]);
}
