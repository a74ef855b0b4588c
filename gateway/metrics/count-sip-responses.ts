// drachtio-srf middleware counting the responses the gateway sends. Every out-of-dialog
// request passes the middleware first, and createUAS answers through the same res.send,
// so wrapping it here covers all of them without touching a handler. (Responses to
// in-dialog requests are sent by drachtio-srf's dialogs and are not counted.)
import type { SipRequest, SipResponse } from '../sip-types/srf-types';
import type { GatewayMetrics } from './gateway-metrics';

export function countSipResponses(metrics: GatewayMetrics) {
  return (_req: SipRequest, res: SipResponse, next: () => void): void => {
    const send = res.send.bind(res) as (...args: unknown[]) => unknown;
    (res as unknown as { send: (...args: unknown[]) => unknown }).send = (...args) => {
      if (typeof args[0] === 'number') metrics.sipResponseSent(args[0]);
      return send(...args);
    };
    next();
  };
}
