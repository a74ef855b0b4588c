// A dead instance's connected call, carried on by the survivor as one of its own: the
// rtpengine session restored from the owner's snapshot, the customer's INVITE parsed again,
// both dialogs adopted by the SIP server's ids, the agent leg on its tag with its hold and
// mute. From then on its media is watched here: an agent drop gets the prompt, the wait
// and the reroute like any call. What the SIP servers do not give a survivor is the
// dialogs' incoming requests (docs/multi-instance.md): a hang-up reaches it as silence.
import Srf from 'drachtio-srf';
import { MediaSession, type NgClient } from '../../media';
import type { Call } from '../call/call';
import type { CallRegistry } from '../call/call-registry';
import type { SipRequest, SrfInstance } from '../sip-types/srf-types';
import { AdoptedDialog } from './adopted-dialog';
import type { CallRecord } from './state-store';

export interface AdoptionDeps {
  srf: SrfInstance;
  ng: NgClient;
  registry: CallRegistry;
}

// drachtio-srf's own message and request classes; its type declarations leave them out.
const { SipMessage, SipRequest: Request } = Srf as unknown as {
  SipMessage: new (raw: string) => object;
  SipRequest: new (msg: object, meta: Record<string, string>) => SipRequest;
};

function requestOf(raw: string, dialogId: string): SipRequest {
  return new Request(new SipMessage(raw), { source: 'network', dialogId });
}

/** The call, connected here; throws when the record cannot be carried on. */
export function adoptConnectedCall(c: CallRecord, d: AdoptionDeps): Call {
  const r = c.resume;
  if (!r) throw new Error(`call ${c.callId}: no model to carry on`);
  const session = MediaSession.restore(d.ng, r.media);
  const dialog = (id: string, tag: string) => {
    const leg = r.media.legs.find((l) => l.tag === tag);
    const sent = r.media.origins.find(([t]) => t === tag)?.[1].sent;
    return new AdoptedDialog(d.srf, { id, remoteSdp: leg?.sdp, localSdp: sent }).asSipDialog();
  };
  const request = requestOf(r.invite, r.customerDialogId);
  return d.registry.adopt({
    id: c.callId,
    session,
    request,
    customerDialog: dialog(r.customerDialogId, 'customer'),
    primary: r.primary,
    agentDialog: dialog(r.primary.dialogId, r.primary.tag),
  });
}
