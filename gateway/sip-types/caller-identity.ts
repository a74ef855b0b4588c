// Who is calling, as the agent's INVITE says it: the customer's From (display name and
// URI, its tag left behind) and the SBC's P-Asserted-Identity — unless identity is turned
// off, or the SBC asked for privacy (RFC 3323 `Privacy: id`/`header`/`user`; RFC 3325):
// then the agent sees the anonymous URI of RFC 3323 §4.1.1.3 and no asserted identity.
import type { SipRequest } from './srf-types';

const ANONYMOUS = '"Anonymous" <sip:anonymous@anonymous.invalid>';

export function callerIdentityHeaders(req: SipRequest, enabled: boolean): Record<string, string> {
  const privacy = (req.get('Privacy') ?? '').toLowerCase();
  if (!enabled || /\b(id|header|user)\b/.test(privacy)) return { From: ANONYMOUS };
  const from = withoutTag(req.get('From') ?? '');
  const headers: Record<string, string> = from ? { From: from } : {};
  const asserted = req.get('P-Asserted-Identity');
  if (asserted) headers['P-Asserted-Identity'] = asserted;
  return headers;
}

/** The From header without its ;tag (the agent leg gets a tag of its own). */
function withoutTag(from: string): string {
  return from.replace(/;\s*tag=[^;>]*/gi, '').trim();
}
