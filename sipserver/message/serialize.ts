// Writes a message for the wire. Content-Length is always recomputed in bytes
// (RFC 3261 §20.14: "the size of the message-body, in decimal number of octets").
import type { SipMessage } from './sip-message';

export function startLine(msg: SipMessage): string {
  return msg.kind === 'request'
    ? `${msg.method} ${msg.uri} SIP/2.0`
    : `SIP/2.0 ${msg.status} ${msg.reason}`;
}

function head(msg: SipMessage): string {
  let text = startLine(msg) + '\r\n';
  for (const h of msg.headers) {
    if (h.key !== 'content-length') text += `${h.name}: ${h.value}\r\n`;
  }
  return `${text}Content-Length: ${msg.body.length}\r\n\r\n`;
}

export function serialize(msg: SipMessage): Buffer {
  const text = head(msg);
  return msg.body.length
    ? Buffer.concat([Buffer.from(text, 'utf8'), msg.body])
    : Buffer.from(text, 'utf8');
}

/** The message as text, for the drachtio protocol (which carries SIP as a string). */
export function serializeText(msg: SipMessage): string {
  return msg.body.length ? head(msg) + msg.body.toString('utf8') : head(msg);
}
