// What the UA core checks on a new (out-of-dialog) request before any app sees it, in
// RFC 3261 §8.2 order: the method (§8.2.1), the Request-URI scheme (§8.2.2.1), and the
// extensions the request requires (§8.2.2.3).
import type { SipRequest } from '../message/sip-message';
import { splitHeaderValues } from '../message/split-values';

/** The methods drachtio-srf apps can route (its `sip-methods` list). */
export const KNOWN_METHODS = new Set([
  'INVITE',
  'ACK',
  'BYE',
  'CANCEL',
  'REGISTER',
  'OPTIONS',
  'INFO',
  'SUBSCRIBE',
  'NOTIFY',
  'MESSAGE',
  'UPDATE',
  'PRACK',
  'REFER',
  'PUBLISH',
]);

/**
 * Option tags a request may require without getting 420 (RFC 3261 §8.2.2.3): extensions
 * carried by headers the apps see and act on. Not listed, so refused: what the stack would
 * have to do itself and does not (100rel, timer, precondition).
 */
export const DEFAULT_SUPPORTED_OPTION_TAGS = [
  'replaces',
  'norefersub',
  'tdialog',
  'path',
  'gruu',
  'outbound',
  'join',
  'histinfo',
];

/** URI schemes a request may address (§8.2.2.1: others get 416). */
const SCHEMES = new Set(['sip', 'sips', 'tel']);

/**
 * §8.2.1: "If a UAS does not support the method, it SHOULD return 405" — and a method
 * nobody implements is 501 (§21.5.2; RFC 4475 §3.1.1.2, §3.1.1.5, §3.1.2.18). A method an
 * app routes is supported, whatever it is.
 */
export function isUnknownMethod(method: string, routed: (verb: string) => boolean): boolean {
  return !KNOWN_METHODS.has(method) && !routed(method);
}

/** §8.2.2.1: a Request-URI whose scheme we do not serve (RFC 4475 §3.3.2, §3.3.3). */
export function hasUnsupportedScheme(req: SipRequest): boolean {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(req.uri)?.[1]?.toLowerCase();
  return !scheme || !SCHEMES.has(scheme);
}

/**
 * §8.2.2.3: the option tags of Require we do not support, for the 420's Unsupported
 * header (RFC 4475 §3.3.5). A UAS ignores Proxy-Require; CANCEL and ACK are exempt.
 */
export function unsupportedRequirements(req: SipRequest, supported: Set<string>): string[] {
  if (req.method === 'CANCEL' || req.method === 'ACK') return [];
  const tags = req.getAll('require').flatMap(splitHeaderValues);
  return tags.filter((tag) => !supported.has(tag.toLowerCase()));
}
