// What the store keeps of a call for the instance that owns it, so that a survivor can act
// on it if the owner dies: its state, its dialogs and pending INVITEs in the shared SIP
// server, and its rtpengine session and parties' tags.
import type { Call } from '../call/call';
import type { CallRecord } from './state-store';

export type OwnedCall = Omit<CallRecord, 'owner' | 'answeredBy' | 'fate'>;

export function ownedCallOf(call: Call): OwnedCall {
  const legs = call.agentLegs.filter((l) => l.role === 'primary' && l.dialog);
  const dialogIds = [call.customer.stackDialogId, ...legs.map((l) => dialogIdOf(l.dialog))].filter(
    (id): id is string => !!id,
  );
  const agentId = legs[0]?.agentId;
  // The INVITEs still waiting: a survivor answers the customer's and cancels the agents'.
  const customerTxnId = call.customer.answered ? undefined : txnIdOf(call.customer.request);
  const agentTxnIds = call.agentLegs.map((l) => l.ringingTxnId).filter((id): id is string => !!id);
  return {
    callId: call.id,
    state: call.state,
    mediaCallId: call.session.callId,
    mediaTags: [call.customer.tag, ...legs.map((l) => l.tag)],
    ...(dialogIds.length ? { dialogIds } : {}),
    ...(agentId ? { agentId } : {}),
    ...(customerTxnId ? { customerTxnId } : {}),
    ...(agentTxnIds.length ? { agentTxnIds } : {}),
  };
}

function dialogIdOf(d: unknown): string | undefined {
  return (d as { id?: string } | undefined)?.id;
}

/** drachtio-srf sets it on every request; its type declarations leave it out. */
function txnIdOf(req: unknown): string | undefined {
  return (req as { stackTxnId?: string }).stackTxnId;
}
