// The SDP of a SIP request: its body when that is SDP, or the application/sdp part of a
// multipart body (SIP-I/SIP-T carry the ISUP message beside it, RFC 3204 / RFC 5621).
import type { SipRequest } from './srf-types';

export function sdpOf(req: SipRequest): string | undefined {
  const body = req.body ?? '';
  if (!body.trim()) return undefined;
  const type = (req.get('Content-Type') || 'application/sdp').trim();
  const kind = type.split(';')[0].trim().toLowerCase();
  if (kind === 'application/sdp') return body;
  if (!kind.startsWith('multipart/')) return undefined;
  const boundary = /;\s*boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (!boundary) return undefined;
  for (const part of body.split(`--${boundary}`).slice(1)) {
    if (part.startsWith('--')) break; // the closing delimiter
    const split = part.search(/\r?\n\r?\n/);
    if (split < 0) continue;
    const head = part.slice(0, split);
    const content = part
      .slice(split)
      .replace(/^\r?\n\r?\n/, '')
      .replace(/\r?\n$/, '');
    const ptype = /^content-type:\s*([^;\r\n]+)/im.exec(head)?.[1]?.trim().toLowerCase();
    if (ptype === 'application/sdp' && content.trim()) return content;
  }
  return undefined;
}

/**
 * Session timers (RFC 4028): when the request asks for them, the 2xx says the same interval
 * and leaves the refreshing to the requester (holdfast never refreshes a dialog itself).
 */
export function sessionTimerHeaders(req: SipRequest): Record<string, string> {
  const se = /^\s*(\d+)/.exec(req.get('Session-Expires') ?? '')?.[1];
  if (!se) return {};
  const supported = /\btimer\b/i.test(`${req.get('Supported') ?? ''},${req.get('Require') ?? ''}`);
  return supported ? { 'Session-Expires': `${se};refresher=uac`, Require: 'timer' } : {};
}
