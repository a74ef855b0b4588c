// A dialog another instance made, carried on by the survivor that took its call over: what
// the call's legs ask of a drachtio-srf dialog (in-dialog requests, a re-INVITE, a BYE),
// sent by the SIP server's dialog id. Neither SIP server gives a dead app's dialog to
// another app (docs/multi-instance.md), so nothing arrives here: the party's BYE or
// re-INVITE is answered 481 by the server, and the call notices a hang-up by its silence.
import { EventEmitter } from 'node:events';
import type { SipDialog, SipResponse, SrfInstance } from '../sip-types/srf-types';
import { sendByStackId } from './sip-by-stack-id';

type RequestOptions = { method: string; headers?: Record<string, string>; body?: string };

export interface AdoptedDialogFacts {
  /** The SIP server's id of the dialog (drachtio's stackDialogId). */
  id: string;
  /** The last SDP sent to the party, and the last it sent. */
  localSdp?: string;
  remoteSdp?: string;
}

export class AdoptedDialog extends EventEmitter {
  readonly id: string;
  readonly local: { sdp?: string };
  readonly remote: { sdp?: string };
  connected = true;

  constructor(
    private readonly srf: SrfInstance,
    facts: AdoptedDialogFacts,
  ) {
    super();
    this.id = facts.id;
    this.local = { sdp: facts.localSdp };
    this.remote = { sdp: facts.remoteSdp };
  }

  /** What the legs take it for. */
  asSipDialog(): SipDialog {
    return this as unknown as SipDialog;
  }

  /** A request in the dialog; resolves with its final response (ACKed if an INVITE). */
  request(opts: RequestOptions): Promise<SipResponse> {
    if (!this.connected) return Promise.reject(new Error(`dialog ${this.id} is over`));
    return this.send(opts);
  }

  private async send(opts: RequestOptions): Promise<SipResponse> {
    const req = await sendByStackId(this.srf, { ...opts, stackDialogId: this.id });
    return new Promise((resolve) =>
      req.on('response', (res, ack) => {
        if (res.status < 200) return;
        if (opts.method === 'INVITE') ack();
        resolve(res);
      }),
    );
  }

  /** A re-INVITE with `sdp`; resolves with the party's answer. */
  async modify(sdp: string): Promise<string> {
    const res = await this.request({
      method: 'INVITE',
      body: sdp,
      headers: { 'Content-Type': 'application/sdp' },
    });
    if (res.status !== 200) throw Object.assign(new Error(`re-INVITE: ${res.status}`), res);
    this.local.sdp = sdp;
    this.remote.sdp = res.body;
    return res.body;
  }

  /** BYE; the callback once it is answered (or could not be sent). */
  destroy(opts: { headers?: Record<string, string> } = {}, cb: (err?: Error) => void = () => {}) {
    if (!this.connected) return void cb();
    this.connected = false;
    this.send({ method: 'BYE', headers: opts.headers ?? {} }).then(
      () => cb(),
      (err: Error) => cb(err),
    );
    this.removeAllListeners();
  }
}
