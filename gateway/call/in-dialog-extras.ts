// In-dialog requests a leg does not act upon get an honest answer instead of drachtio-srf's
// silent 200: UPDATE with SDP is applied through rtpengine (RFC 3311), without a body it is a
// session refresh (RFC 4028); a NOTIFY matches no subscription of ours (RFC 6665 §4.1.3);
// MESSAGE is not something a voice gateway takes (RFC 3261 §8.2.1).
import { UnsupportedSdpError, type MediaSession } from '../../media';
import { sessionTimerHeaders } from '../sip-types/sdp-body';
import type { SipDialog, SipRequest, SipResponse } from '../sip-types/srf-types';

export const LEG_ALLOW = 'INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE, REFER';

type Wrap = <A extends unknown[]>(
  what: string,
  fn: (...args: A) => void | Promise<void>,
) => (...args: A) => void;

export function answerOtherRequests(
  dialog: SipDialog,
  session: MediaSession,
  tag: string,
  wrap: Wrap,
): void {
  dialog.on(
    'update',
    wrap('UPDATE', async (req: SipRequest, res: SipResponse) => {
      if (!req.body?.trim()) return void res.send(200, { headers: sessionTimerHeaders(req) });
      if (!isSdp(req)) return void res.send(415, { headers: { Accept: 'application/sdp' } });
      try {
        res.send(200, { body: await session.renegotiate(tag, req.body) });
      } catch (err) {
        res.send(err instanceof UnsupportedSdpError ? 488 : 500, {
          headers: { Warning: `399 holdfast "${warningText(err)}"` },
        });
      }
    }),
  );
  dialog.on(
    'notify',
    wrap('NOTIFY', (_req: SipRequest, res: SipResponse) => res.send(481)),
  );
  dialog.on(
    'message',
    wrap('MESSAGE', (_req: SipRequest, res: SipResponse) =>
      res.send(405, { headers: { Allow: LEG_ALLOW } }),
    ),
  );
}

function isSdp(req: SipRequest): boolean {
  const type = (req.get('Content-Type') || 'application/sdp').split(';')[0].trim().toLowerCase();
  return type === 'application/sdp';
}

export function warningText(err: unknown): string {
  return String((err as Error)?.message ?? err)
    .replace(/["\\]/g, "'")
    .slice(0, 120);
}
