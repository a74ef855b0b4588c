// One customer call of the soak, as the SBC would place it: INVITE to the gateway (directly
// or through lossy relays for SIP and RTP), early media, the agent's voice, hang-up or
// CANCEL at a moment the call's script picks. Learns of the gateway's BYE too.
import { toneShare } from '../../test/helpers/audio-compare';
import { RtpEndpoint } from '../../test/helpers/rtp-endpoint';
import type { HostPort } from '../../test/helpers/sip-transport';
import { SipError, TestUa, type Dialog } from '../../test/e2e/fixtures/test-ua';
import { LossyRelay, type RelayStats } from './lossy-relay';

export const CUSTOMER_TONE = 440;
/** Longer than any wait the gateway imposes (queue.maxWaitMs 20 s, then overflow). */
const INVITE_LIMIT_MS = 35_000;

export interface CustomerOptions {
  key: string;
  sip: HostPort;
  /** Share of datagrams lost on this customer's SIP and RTP path; 0 = direct. */
  loss: number;
  lossStats: RelayStats;
}

export type InviteEnd =
  | { kind: 'answered'; dialog: Dialog }
  | { kind: 'rejected'; status: number }
  | { kind: 'no-answer'; message: string };

export class SoakCustomer {
  readonly relays: LossyRelay[] = [];
  ua?: TestUa;
  ep?: RtpEndpoint;
  dialog?: Dialog;
  /** The SIP Call-ID of its INVITE (the gateway's records carry it). */
  sipCallId?: string;
  provisional: number[] = [];
  endedByGateway = false;
  private onEnded: (() => void)[] = [];

  constructor(readonly opts: CustomerOptions) {}

  /** Sends the INVITE; resolves once it is answered, rejected, or given up. */
  async call(): Promise<InviteEnd> {
    const { loss, lossStats, key } = this.opts;
    let server = this.opts.sip;
    const ep = await RtpEndpoint.open();
    this.ep = ep;
    let rtpRelay: LossyRelay | undefined;
    if (loss > 0) {
      const sipRelay = await LossyRelay.open({ loss, stats: lossStats, peer: this.opts.sip });
      rtpRelay = await LossyRelay.open({
        loss,
        stats: lossStats,
        party: { host: ep.host, port: ep.port },
      });
      this.relays.push(sipRelay, rtpRelay);
      server = { host: '127.0.0.1', port: sipRelay.frontPort };
    }
    const ua = await TestUa.open('udp', server, key);
    this.ua = ua;
    ua.on('bye', (d) => {
      if (d !== this.dialog) return;
      this.endedByGateway = true;
      for (const fn of this.onEnded.splice(0)) fn();
    });
    // rtpengine must send to (and hear from) the relay's far side, the party its near side.
    const offer = rtpRelay
      ? ep.sdp().replace(/m=audio \d+/, `m=audio ${rtpRelay.backPort}`)
      : ep.sdp();
    const aim = (sdp: string) => {
      if (!rtpRelay) return ep.setRemoteFromSdp(sdp);
      const m = /c=IN IP4 (\S+)[\s\S]*?m=audio (\d+)/.exec(sdp);
      if (m) rtpRelay.setPeer(m[1], Number(m[2]));
      ep.setRemote('127.0.0.1', rtpRelay.frontPort);
    };
    let playing = false;
    const startMedia = (sdp: string) => {
      aim(sdp);
      if (!playing) ep.play({ tone: CUSTOMER_TONE });
      playing = true;
    };
    const pending = ua.invite(`sip:support@${server.host}:${server.port}`, offer, [], (m) => {
      this.provisional.push(m.status!);
      this.sipCallId ??= m.callId;
      if (m.status === 183 && m.body.length) startMedia(m.body.toString());
    });
    // No final response for this long (its SIP server died with the transaction): give up.
    let limit: NodeJS.Timeout | undefined;
    const giveUp = new Promise<'late'>(
      (r) => (limit = setTimeout(() => r('late'), INVITE_LIMIT_MS)),
    );
    try {
      const dialog = await Promise.race([pending, giveUp]);
      if (dialog === 'late') {
        await this.cancel();
        return { kind: 'no-answer', message: `no final response in ${INVITE_LIMIT_MS} ms` };
      }
      this.dialog = dialog;
      this.sipCallId = dialog.callId;
      startMedia(dialog.remoteSdp);
      return { kind: 'answered', dialog };
    } catch (err) {
      if (err instanceof SipError) {
        this.sipCallId ??= err.response.callId;
        return { kind: 'rejected', status: err.status };
      }
      return { kind: 'no-answer', message: (err as Error).message };
    } finally {
      clearTimeout(limit);
    }
  }

  /** CANCELs the INVITE still ringing; resolves with the CANCEL's status (0: no answer). */
  cancel(): Promise<number> {
    const ua = this.ua;
    if (!ua) return Promise.resolve(0);
    return Promise.race([
      ua.cancelPending().catch(() => 0),
      new Promise<number>((r) => setTimeout(() => r(0), 8000)),
    ]);
  }

  /** BYE; resolves with its status (0: never answered, e.g. the SIP server was down). */
  async hangUp(): Promise<number> {
    if (!this.ua || !this.dialog || this.dialog.ended) return 0;
    return this.ua.bye(this.dialog).catch(() => 0);
  }

  /** Resolves when the gateway ends the call (BYE), or after ms. */
  endedWithin(ms: number): Promise<boolean> {
    if (this.endedByGateway) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.onEnded.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Share of the last ms of received audio that is the agent's tone. */
  heardShare(freq: number, ms = 600): number {
    const ep = this.ep;
    if (!ep) return 0;
    const now = performance.now();
    const recent = ep.packets().filter((p) => p.arrivalMs > now - ms);
    if (recent.length < 5) return 0;
    const samples = new Int16Array(recent.length * 160);
    recent.forEach((p, i) => samples.set(p.samples.subarray(0, 160), i * 160));
    return toneShare(samples, freq);
  }

  async close(): Promise<void> {
    await this.ep?.close();
    await this.ua?.close();
    for (const r of this.relays) r.close();
  }
}
