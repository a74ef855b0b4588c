// What drachtio-server does to the headers an app gives it: the stack owns Via, Route,
// Record-Route, RSeq and Content-Length; '@localhost' means "our address"; an SDP body
// gets its Content-Type.
import { headerKey } from '../message/header-names';
import type { SipMessage } from '../message/sip-message';
import type { Endpoint } from '../transport/transport-types';

const STACK_OWNED = new Set(['via', 'route', 'record-route', 'rseq', 'content-length']);
const LOCALHOST_HEADERS = new Set(['from', 'to', 'contact', 'p-asserted-identity']);
/** A cheap test first: nearly no header has it, and a replace allocates. */
const LOCALHOST = /@localhost(?![\w.-])/i;

/** Copies the app's headers onto `target`, except the ones in `skip` and the stack's. */
export function copyAppHeaders(app: SipMessage, target: SipMessage, skip: string[]): void {
  const skipped = new Set(skip.map(headerKey));
  for (const h of app.headers) {
    const key = h.key;
    if (STACK_OWNED.has(key) || skipped.has(key)) continue;
    target.append(h.name, h.value);
  }
}

export function replaceLocalhost(msg: SipMessage, local: Endpoint): void {
  for (const h of msg.headers) {
    if (LOCALHOST_HEADERS.has(h.key) && LOCALHOST.test(h.value)) {
      h.value = h.value.replace(/@localhost(?![\w.-])/gi, `@${local.address}:${local.port}`);
    }
  }
}

/** "Content-Type: application/sdp when the body starts with v=0" and none was given. */
export function defaultContentType(msg: SipMessage): void {
  if (msg.body.length && !msg.has('content-type') && msg.body.toString('latin1', 0, 3) === 'v=0') {
    msg.set('Content-Type', 'application/sdp');
  }
}
