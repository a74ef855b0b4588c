// An app connection closed (its process died, or it disconnected) under transactions it
// had not finished: nobody else is told of them (every app sees only its own), so the
// server finishes them, at once. Requests it had not answered get 503 (RFC 3261 §21.5.4)
// rather than leave each caller to its own timers; INVITEs it had sent and that still ring
// are cancelled (§9.1), so no phone rings for a call nobody can take. This is what lets
// several gateways share the server: the calls that were still waiting at a dead one end
// cleanly, and a survivor cleans up what is left. (drachtio-server does neither; there the
// survivor does both, by transaction id: gateway/state/orphan-calls.ts.)
import { finalFromStack } from './network-messages';
import { cancelInvite } from './app-requests';
import type { AppConnection } from '../drachtio/app-connection';
import type { SipCore } from './sip-core';

export function finishTransactionsOfGoneApp(
  core: SipCore,
  conn: AppConnection,
): { answered: number; cancelled: number } {
  let answered = 0;
  for (const entry of [...core.serverById.values()]) {
    if (entry.conn !== conn || entry.finalSent || entry.request.method === 'ACK') continue;
    finalFromStack(core, entry, 503, 'Service Unavailable', [
      ['Reason', 'SIP;cause=503;text="application gone"'],
    ]);
    answered++;
  }
  let cancelled = 0;
  for (const entry of [...core.clientById.values()]) {
    const ringing = entry.txn.state === 'Calling' || entry.txn.state === 'Proceeding';
    if (entry.conn !== conn || entry.request.method !== 'INVITE' || !ringing) continue;
    if (entry.pendingCancel) continue;
    cancelInvite(core, entry, undefined);
    cancelled++;
  }
  return { answered, cancelled };
}
