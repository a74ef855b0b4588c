// An app connection closed (its process died, or it disconnected) under requests it had
// not answered yet: nobody else can answer them (every app sees only its own), so the
// server does, at once, with 503 (RFC 3261 §21.5.4) rather than leave each caller to its
// own timers. This is what lets several gateways share the server: the calls that were
// still waiting at a dead one end cleanly, and a survivor cleans up what is left.
import { finalFromStack } from './network-messages';
import type { AppConnection } from '../drachtio/app-connection';
import type { SipCore } from './sip-core';

export function answerRequestsOfGoneApp(core: SipCore, conn: AppConnection): number {
  let n = 0;
  for (const entry of [...core.serverById.values()]) {
    if (entry.conn !== conn || entry.finalSent || entry.request.method === 'ACK') continue;
    finalFromStack(core, entry, 503, 'Service Unavailable', [
      ['Reason', 'SIP;cause=503;text="application gone"'],
    ]);
    n++;
  }
  return n;
}
