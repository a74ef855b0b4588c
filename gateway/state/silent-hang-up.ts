// A carried-on call (call-adoption.ts) never hears its customer's BYE: the SIP server
// answers it 481 for a dialog whose app is gone. So its customer's media is polled in
// rtpengine, and a customer silent for `silenceMs` while expected to send (not on hold)
// has hung up: the call ends as on a BYE. Stops when the call ends, whatever ends it.
import type { Clock } from '../../time/clock';
import type { Call } from '../call/call';
import { CUSTOMER_TAG } from '../call/customer-leg';
import { lastPacketMs } from './last-packet';

export function endOnCustomerSilence(
  call: Call,
  o: { clock: Clock; pollMs: number; silenceMs: number },
): () => void {
  let timer: { cancel(): void } | undefined;
  const poll = () => {
    timer = o.clock.after(o.pollMs, () => void check());
  };
  const check = async () => {
    if (call.ended) return;
    const reply = await call.session.query().catch(() => undefined);
    if (call.ended) return;
    const silentFor = reply ? Date.now() - lastPacketMs(reply, [CUSTOMER_TAG]) : 0;
    if (silentFor >= o.silenceMs && call.session.expectsMediaFrom(CUSTOMER_TAG)) {
      call.log.info({ silentFor }, 'carried-on call: the customer is silent, taken as a hang-up');
      void call.close('customer-hangup');
      return;
    }
    poll();
  };
  const stop = () => timer?.cancel();
  call.once('ended', stop);
  poll();
  return stop;
}
