// What the store keeps of a call for the instance that owns it, so that a survivor can act
// on it if the owner dies: its state, its dialogs and pending INVITEs in the shared SIP
// server, and its rtpengine session and parties' tags.
import type { Call } from '../call/call';
import type { CallRecord, CallResume } from './state-store';

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
  const resume = resumeOf(call);
  return {
    ...(resume ? { resume } : {}),
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

/**
 * A connected call's model (its customer talking with its primary agent, nothing else
 * going on), for a survivor to carry it on; undefined for any other call.
 */
function resumeOf(call: Call): CallResume | undefined {
  const p = call.primary;
  const invite = (call.customer.request as unknown as { raw?: string }).raw;
  const customerDialogId = call.customer.stackDialogId;
  const agentDialogId = dialogIdOf(p?.dialog);
  if (call.phase !== 'talking' || call.state !== 'connected' || p?.state !== 'up') return;
  if (p.role !== 'primary' || !p.agentId || !invite || !customerDialogId || !agentDialogId) return;
  const { agentId, tag, profile, uri } = p.spec;
  return {
    invite,
    customerDialogId,
    primary: {
      agentId: agentId!,
      tag,
      profile,
      uri,
      held: p.held,
      muted: p.muted,
      dialogId: agentDialogId,
    },
    media: call.session.snapshot(),
  };
}

function dialogIdOf(d: unknown): string | undefined {
  return (d as { id?: string } | undefined)?.id;
}

/** drachtio-srf sets it on every request; its type declarations leave it out. */
function txnIdOf(req: unknown): string | undefined {
  return (req as { stackTxnId?: string }).stackTxnId;
}
