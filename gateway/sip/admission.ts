// In front of the INVITE, REGISTER and OPTIONS handlers: a source over its rate budget is
// answered 503 (cheaper than a handler, and a well-behaved SBC backs off on it; dropping
// would only make UDP senders retransmit), and while draining new INVITEs get 503 with
// Retry-After so the SBC tries another gateway.
import type { Logger } from 'pino';
import type { GatewayMetrics } from '../metrics/gateway-metrics';
import { requestClass, type SipRateLimiter } from '../rate-limit/sip-rate-limiter';
import type { SipRequest, SipResponse } from '../sip-types/srf-types';

const LIMITED = new Set(['INVITE', 'REGISTER', 'OPTIONS']);

export interface AdmissionDeps {
  limiter: SipRateLimiter;
  metrics: GatewayMetrics;
  acceptingCalls: () => boolean;
  retryAfterS: number;
  log: Logger;
}

export function admission(deps: AdmissionDeps) {
  return (req: SipRequest, res: SipResponse, next: () => void): void => {
    const method = req.method.toUpperCase();
    if (LIMITED.has(method) && !deps.limiter.allow(req.source_address, method)) {
      deps.metrics.sipRequestThrottled(requestClass(method));
      // Logged once per interval by the ThrottleReporter, not here.
      res.send(503, { headers: { 'Retry-After': '5' } });
      return;
    }
    if (method === 'INVITE' && !deps.acceptingCalls()) {
      deps.log.info({ callId: req.get('Call-ID') }, 'draining: new call refused');
      res.send(503, {
        headers: {
          'Retry-After': String(deps.retryAfterS),
          Warning: '399 holdfast "shutting down"',
        },
      });
      return;
    }
    next();
  };
}
