// The customer's side of a call: the SBC's INVITE, answered with early media (183, wait
// music from rtpengine) until an agent answers (200), then its dialog and re-INVITEs. The
// customer's media is the leg tagged CUSTOMER_TAG in the call's rtpengine session.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { UnsupportedSdpError, type MediaSession } from '../../media';
import type { SipDialog, SipRequest, SipResponse, SrfInstance } from '../sip-types/srf-types';
import type { EndReason } from './call-events';
import { sdpOf, sessionTimerHeaders } from '../sip-types/sdp-body';
import { guard } from './call-guard';
import { answerOtherRequests } from './in-dialog-extras';
import { LegLifecycle, type LegState } from './leg-state';

export const CUSTOMER_TAG = 'customer';

export interface CustomerLegEvents {
  state: [to: LegState, from: LegState];
  /** The customer gave up before being answered (CANCEL). */
  cancelled: [];
  /** The customer hung up (BYE) after being answered. */
  hungUp: [];
}

export interface CustomerLegDeps {
  srf: SrfInstance;
  session: MediaSession;
  log: Logger;
  /** Ends the call after an internal error in one of this leg's handlers. */
  fail(err: Error): void;
}

export class CustomerLeg extends EventEmitter<CustomerLegEvents> {
  readonly role = 'customer' as const;
  readonly tag = CUSTOMER_TAG;
  private readonly life: LegLifecycle;
  private dialog?: SipDialog;
  /** What the customer was given in the 183 (rtpengine's answer through the stand-in peer). */
  private standInSdp?: string;

  constructor(
    private readonly req: SipRequest,
    private readonly res: SipResponse,
    private readonly deps: CustomerLegDeps,
  ) {
    super();
    this.life = new LegLifecycle('customer leg', (to, from) => this.emit('state', to, from));
    req.on('cancel', () => this.emit('cancelled'));
  }

  get state(): LegState {
    return this.life.state;
  }

  get answered(): boolean {
    return this.dialog !== undefined;
  }

  /** The SIP server's id of the customer's dialog, once answered (shared state's record). */
  get stackDialogId(): string | undefined {
    return (this.dialog as { id?: string } | undefined)?.id;
  }

  /** The customer's SIP Call-ID, as the SBC sent it. */
  get sipCallId(): string {
    return this.req.get('Call-ID');
  }

  get callingNumber(): string {
    return this.req.callingNumber ?? '';
  }

  get request(): SipRequest {
    return this.req;
  }

  /**
   * Anchors the customer's media in rtpengine and answers with early media (183). A late
   * offer (no SDP) cannot have early media without reliable provisionals: it is answered
   * (200 with rtpengine's offer) at once, and its answer comes in the ACK.
   */
  async anchor(): Promise<void> {
    this.deps.session.addLeg(CUSTOMER_TAG, 'rtp');
    const offer = sdpOf(this.req);
    if (!offer) return this.anchorLateOffer();
    this.standInSdp = await this.deps.session.acceptAlone(CUSTOMER_TAG, offer);
    if (this.life.released) return;
    this.res.send(183, { body: this.standInSdp });
    this.life.move('early');
  }

  private async anchorLateOffer(): Promise<void> {
    const session = this.deps.session;
    const offer = await session.offerAlone(CUSTOMER_TAG);
    if (!(await this.answer(offer))) throw new Error('customer went away before the 200');
    const dialog = this.dialog!;
    const answer = await new Promise<string>((resolve) => {
      if (dialog.remote.sdp) return resolve(dialog.remote.sdp);
      dialog.once('ack', (ack: unknown) =>
        resolve(sdpOf(ack as SipRequest) ?? dialog.remote.sdp ?? ''),
      );
      dialog.once('destroy', () => resolve('')); // no ACK: the server ends the dialog
    });
    if (this.life.released) return;
    // An ACK without an answer leaves nothing to anchor: UnsupportedSdpError → the call ends.
    await session.answer(CUSTOMER_TAG, answer);
  }

  /** An agent's provisional response, passed on while the customer waits. */
  progress(status: number, customerSdp?: string): void {
    if (this.answered || this.res.finalResponseSent) return;
    if (status === 180) this.res.send(180);
    else if (status === 183) {
      const body = customerSdp ?? this.standInSdp;
      if (body) this.res.send(183, { body });
    }
  }

  /** Answers the customer (200) with rtpengine's SDP; false when the customer went away. */
  async answer(sdp: string): Promise<boolean> {
    if (this.answered) return true;
    try {
      this.dialog = await this.deps.srf.createUAS(this.req, this.res, {
        localSdp: sdp,
        headers: sessionTimerHeaders(this.req),
      });
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message }, 'customer went away before the 200');
      return false;
    }
    if (this.life.released) {
      this.destroy(this.dialog, {});
      return false;
    }
    this.listen(this.dialog);
    return true;
  }

  /**
   * The customer's dialog as another instance answered it (a survivor's takeover): the
   * leg is up on it, as if this one had.
   */
  adopt(dialog: SipDialog): void {
    this.dialog = dialog;
    this.listen(dialog);
  }

  private listen(dialog: SipDialog): void {
    this.life.move('up');
    const g = { log: this.deps.log, fail: (err: Error) => this.deps.fail(err) };
    // A BYE that came in the same read as the 200's confirmation was handled before we
    // could listen: drachtio-srf has marked the dialog ended already.
    if ((dialog as unknown as { connected?: boolean }).connected === false) {
      setImmediate(() => this.emit('hungUp'));
      return;
    }
    dialog.on(
      'destroy',
      guard(g, 'customer BYE', () => void this.emit('hungUp')),
    );
    dialog.on(
      'modify',
      guard(g, 'customer re-INVITE', (req: SipRequest, res: SipResponse) =>
        this.onReinvite(req, res),
      ),
    );
    answerOtherRequests(dialog, this.deps.session, CUSTOMER_TAG, (what, fn) =>
      guard(g, `customer ${what}`, fn),
    );
  }

  /** Ends the customer's side: BYE when answered, else a final response. Idempotent. */
  end(reason: EndReason, final: { status?: number; reason?: string } = {}): void {
    if (this.life.released) return;
    this.life.move('released');
    const headers: Record<string, string> = final.reason ? { Reason: final.reason } : {};
    if (this.dialog) {
      if (reason !== 'customer-hangup') this.destroy(this.dialog, headers);
    } else if (!this.res.finalResponseSent && reason !== 'customer-cancel') {
      this.res.send(final.status ?? (reason === 'shutdown' ? 503 : 480), { headers });
    }
  }

  /** The customer re-INVITEs (SBC session refresh, codec change): answered by rtpengine alone. */
  private async onReinvite(req: SipRequest, res: SipResponse): Promise<void> {
    const headers = sessionTimerHeaders(req);
    const offer = sdpOf(req);
    if (!offer && req.body?.trim())
      return void res.send(415, { headers: { Accept: 'application/sdp, multipart/mixed' } });
    // No SDP: a session refresh (RFC 4028); the offer in our 200 is the session as it is.
    if (!offer) return void res.send(200, { body: this.dialog?.local.sdp, headers });
    try {
      res.send(200, { body: await this.deps.session.renegotiate(CUSTOMER_TAG, offer), headers });
    } catch (err) {
      res.send(err instanceof UnsupportedSdpError ? 488 : 500);
    }
  }

  private destroy(dialog: SipDialog, headers: Record<string, string>): void {
    try {
      dialog.destroy({ headers }, () => {});
    } catch {
      // already gone on the server side
    }
  }
}
