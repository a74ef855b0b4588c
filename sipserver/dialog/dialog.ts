// A dialog (RFC 3261 §12): identified to apps as `<Call-ID>;from-tag=<caller's tag>`,
// with the route set, remote target and CSeq counters used to build in-dialog requests.
import type { AppConnection } from '../drachtio/app-connection';
import type { SipRequest, SipResponse } from '../message/sip-message';
import type { Timer } from '../../time/clock';
import type { InviteClientTransaction } from '../transaction/invite-client-transaction';
import type { Endpoint, Flow, TransportProtocol } from '../transport/transport-types';

export type DialogRole = 'uas' | 'uac';

/** The app connection that owns the dialog (in-dialog requests go to it). */
export type DialogOwner = AppConnection;

/** A 2xx to an INVITE we sent for the app, waiting for the peer's ACK (§13.3.1.4). */
export interface PendingAck {
  txnId: string;
  cseq: number;
  response: SipResponse;
  retransmit?: Timer;
  timeout: Timer;
}

export function dialogIdOf(callId: string, callerTag: string): string {
  return `${callId};from-tag=${callerTag}`;
}

export class Dialog {
  /** Our next CSeq for requests we send (§12.2.1.1). */
  localCSeq: number;
  /** Highest CSeq seen from the peer (§12.2.2). */
  remoteCSeq: number;
  /** UAS side: our 2xx awaiting the peer's ACK. */
  pendingAck: PendingAck | undefined;
  /** UAC side: the INVITE CSeq whose 2xx the app must still ACK. */
  unackedInviteCSeq: number | undefined;
  /** UAC side: the last ACK we sent, re-sent when the 2xx is retransmitted (§13.2.2.4). */
  lastAck: { cseq: number; msg: SipRequest } | undefined;
  /** An incoming re-INVITE not yet answered with a final response. */
  incomingInviteTxnId: string | undefined;
  /** The app's re-INVITE still waiting for a final response. */
  outgoingInvite: InviteClientTransaction | undefined;
  terminated = false;

  constructor(
    readonly id: string,
    readonly role: DialogRole,
    readonly callId: string,
    readonly localTag: string,
    readonly remoteTag: string,
    /** Our From (uac) or To (uas) header value, tag included. */
    readonly localParty: string,
    readonly remoteParty: string,
    public remoteTarget: string,
    /** Route set in the order requests must carry it (§12.1.1 / §12.1.2). */
    readonly routeSet: string[],
    readonly localContact: string,
    readonly owner: DialogOwner,
    /** How we reach the peer: protocol and address, and the connection for TCP/WS. */
    public protocol: TransportProtocol,
    public remote: Endpoint,
    public flow: Flow | undefined,
    localCSeq: number,
    remoteCSeq: number,
  ) {
    this.localCSeq = localCSeq;
    this.remoteCSeq = remoteCSeq;
  }

  /** Is an INVITE transaction of this dialog still open (RFC 3261 §14.1, §14.2)? */
  get inviteInProgress(): boolean {
    return (
      this.incomingInviteTxnId !== undefined ||
      this.outgoingInvite !== undefined ||
      this.pendingAck !== undefined
    );
  }

  clearPendingAck(): void {
    this.pendingAck?.retransmit?.cancel();
    this.pendingAck?.timeout.cancel();
    this.pendingAck = undefined;
  }
}
