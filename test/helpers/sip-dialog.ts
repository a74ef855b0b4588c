// A SIP dialog as the test client sees it (RFC 3261 §12): the identifiers, the remote target
// and route set, and the CSeq counter for requests it sends. Requests always travel to the
// server the client is connected to; the remote target only becomes the Request-URI.
import { SipMessage, uriOf } from './sip-message';
import type { ClientTransaction, RequestOptions, SipClient } from './sip-client';

export class Dialog {
  localSeq: number;
  remoteTarget: string;
  /** Record-Route set, in the order our requests must list it as Route. */
  readonly routeSet: string[];
  /** Settles when the ACK for our 2xx arrives (UAS side only). */
  acked: Promise<SipMessage> = Promise.resolve(new SipMessage({}));

  constructor(
    private readonly client: SipClient,
    readonly callId: string,
    /** Our From (UAC) / To (UAS) value, tag included. */
    readonly local: string,
    /** Their From/To value, tag included. */
    readonly remote: string,
    remoteTarget: string,
    routeSet: string[],
    localSeq: number,
  ) {
    this.remoteTarget = remoteTarget;
    this.routeSet = routeSet;
    this.localSeq = localSeq;
  }

  /** UAC side: from our INVITE and the 2xx that answered it. */
  static fromResponse(client: SipClient, invite: SipMessage, ok: SipMessage): Dialog {
    return new Dialog(
      client,
      invite.callId,
      invite.get('from') ?? '',
      ok.get('to') ?? '',
      uriOf(ok.get('contact') ?? invite.uri ?? ''),
      ok.getAll('record-route').reverse(),
      invite.cseq.seq,
    );
  }

  /** UAS side: from the INVITE received and the To we answered with (tag included). */
  static fromRequest(client: SipClient, invite: SipMessage, localTo: string): Dialog {
    return new Dialog(
      client,
      invite.callId,
      localTo,
      invite.get('from') ?? '',
      uriOf(invite.get('contact') ?? ''),
      invite.getAll('record-route'),
      0,
    );
  }

  /** Builds an in-dialog request; ACK reuses `seq`, everything else takes the next CSeq. */
  build(method: string, options: RequestOptions = {}, seq?: number): SipMessage {
    if (seq === undefined) seq = ++this.localSeq;
    const msg = this.client.buildRequest(method, this.remoteTarget, {
      ...options,
      callId: this.callId,
      from: this.local,
      to: this.remote,
      cseq: seq,
    });
    if (this.routeSet.length) msg.set('Route', this.routeSet.join(', '));
    return msg;
  }

  /** Sends an in-dialog request; a 2xx to a re-INVITE is ACKed automatically. */
  request(method: string, options: RequestOptions = {}): ClientTransaction {
    const req = this.build(method, options);
    const tx = this.client.send(req);
    if (method === 'INVITE') {
      void tx.final.then(
        (res) => {
          if (res.status && res.status < 300) tx.sendAck(this.build('ACK', {}, req.cseq.seq));
        },
        () => undefined,
      );
    }
    return tx;
  }

  bye(options: RequestOptions = {}): Promise<SipMessage> {
    return this.request('BYE', options).final;
  }

  /** Next request the far end sends in this dialog. */
  nextRequest(method?: string, timeoutMs?: number): Promise<SipMessage> {
    return this.client.nextRequest(
      (m) => m.callId === this.callId && (!method || m.method === method),
      timeoutMs,
    );
  }
}
