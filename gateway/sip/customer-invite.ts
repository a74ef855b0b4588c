// A new INVITE from the network is a customer call if it comes from an SBC: anchored in
// rtpengine (wait music as early media) and queued. Anything else is refused up front.
import type { Logger } from 'pino';
import { UnsupportedSdpError } from '../../media';
import type { Call } from '../call/call';
import { sdpOf } from '../sip-types/sdp-body';
import type { AddressAllowList } from '../sip-types/address-allow-list';
import type { SipRequest, SipResponse } from '../sip-types/srf-types';

export interface CustomerInviteDeps {
  allow: AddressAllowList;
  newCall(req: SipRequest, res: SipResponse): Call;
  /** No room in the queue: a new call is refused with 503 and Retry-After. */
  queueFull(): boolean;
  retryAfterS: number;
  queue(call: Call): void;
  log: Logger;
}

export function customerInviteHandler(deps: CustomerInviteDeps) {
  return async (req: SipRequest, res: SipResponse): Promise<void> => {
    if (!deps.allow.allows(req.source_address)) {
      deps.log.warn(
        { source: req.source_address, callId: req.get('Call-ID') },
        'INVITE from a source not in sbc.allow: 403',
      );
      res.send(403, { headers: { Warning: '399 holdfast "source not allowed"' } });
      return;
    }
    // No body: a late offer (the offer goes in our 200). A body that holds no SDP: refused.
    if (req.body?.trim() && !sdpOf(req)) {
      res.send(415, {
        headers: {
          Accept: 'application/sdp, multipart/mixed',
          Warning: '399 holdfast "the body holds no SDP"',
        },
      });
      return;
    }
    if (deps.queueFull()) {
      deps.log.warn({ callId: req.get('Call-ID') }, 'queue full (queue.maxQueued): 503');
      res.send(503, {
        headers: {
          'Retry-After': String(deps.retryAfterS),
          Warning: '399 holdfast "queue full"',
        },
      });
      return;
    }
    const call = deps.newCall(req, res);
    try {
      await call.accept();
    } catch (err) {
      const sdp = err instanceof UnsupportedSdpError;
      call.log.warn(
        { err: (err as Error).message },
        sdp ? 'customer SDP refused' : 'could not anchor the call',
      );
      if (sdp) res.send(488, { headers: { Warning: warning(err.reason) } });
      // rtpengine is down or restarting: the SBC should retry (elsewhere, or here shortly).
      else if (!res.finalResponseSent)
        res.send(503, {
          headers: {
            'Retry-After': String(deps.retryAfterS),
            Reason: 'SIP;cause=503;text="media server unavailable"',
          },
        });
      await call.close('error', {
        status: sdp ? 488 : 503,
        reason: sdp ? undefined : 'SIP;cause=503;text="media server unavailable"',
      });
      return;
    }
    if (!call.ended) deps.queue(call);
  };
}

/** A Warning header value (RFC 3261 §20.43): the text is a quoted string of printable ASCII. */
function warning(text: string): string {
  const clean = text.replace(/[^\x20-\x7e]|["\\]/g, "'").slice(0, 120);
  return `399 holdfast "${clean}"`;
}
