// The parties of an end-to-end call: a customer (SIP UA + RTP socket sending a tone) and
// agents (SIP UA that answers INVITEs with its own RTP socket, also sending a tone).

import { joinSamples, toneShare } from '../../helpers/audio-compare';
import { RtpEndpoint } from '../../helpers/rtp-endpoint';
import type { SipMessage } from '../../helpers/sip-message';
import type { SipProto } from '../../helpers/sip-transport';
import { sleep, type Teardownable as Test, type TestGateway } from './gateway-harness';
import { TestUa, type Dialog } from './test-ua';

export const CUSTOMER_TONE = 440;

export async function openEndpoint(t: Test): Promise<RtpEndpoint> {
  const ep = await RtpEndpoint.open();
  t.teardown(() => ep.close());
  return ep;
}

/** What `ep` hears over the next `ms` (after a short settling pause). */
export async function listen(ep: RtpEndpoint, ms = 800, settleMs = 200): Promise<Int16Array> {
  await sleep(settleMs);
  ep.clear();
  await sleep(ms);
  return joinSamples(ep.packets());
}

export async function hearsTone(ep: RtpEndpoint, freq: number, ms = 800): Promise<number> {
  return toneShare(await listen(ep, ms), freq);
}

export class Customer {
  private constructor(
    readonly ua: TestUa,
    readonly ep: RtpEndpoint,
    readonly dialog: Dialog,
  ) {}

  /** Calls the gateway from the SBC side and sends a tone once answered. */
  static async call(t: Test, hf: TestGateway, provisional: number[] = []): Promise<Customer> {
    const ep = await openEndpoint(t);
    const ua = await TestUa.open('udp', hf.sip.udp, 'customer');
    t.teardown(() => ua.close());
    const uri = `sip:support@${hf.sip.udp.host}:${hf.sip.udp.port}`;
    const dialog = await ua.invite(uri, ep.sdp(), [], (m) => {
      provisional.push(m.status!);
      if (m.status === 183 && m.body.length) ep.setRemoteFromSdp(m.body.toString());
    });
    ep.setRemoteFromSdp(dialog.remoteSdp);
    ep.play({ tone: CUSTOMER_TONE });
    return new Customer(ua, ep, dialog);
  }

  hangUp(): Promise<number> {
    return this.ua.bye(this.dialog);
  }
}

export interface AgentOptions {
  tone: number;
  /** Register with this password (else the agent is static: its uri is in the config). */
  password?: string;
  proto?: SipProto;
}

export class Agent {
  readonly dialogs: { dialog: Dialog; invite: SipMessage }[] = [];
  /** false: INVITEs are left ringing (see ringing()). */
  autoAnswer = true;
  private waiters: ((d: { dialog: Dialog; invite: SipMessage }) => void)[] = [];

  private constructor(
    readonly id: string,
    readonly ua: TestUa,
    public ep: RtpEndpoint,
    readonly tone: number,
  ) {
    ua.on('invite', (inv) => {
      if (!this.autoAnswer) return;
      inv.ring();
      void inv.answer(this.ep.sdp()).then((dialog) => {
        this.ep.setRemoteFromSdp(inv.req.body.toString());
        this.ep.play({ tone: this.tone });
        const entry = { dialog, invite: inv.req };
        this.dialogs.push(entry);
        for (const w of this.waiters.splice(0)) w(entry);
      });
    });
    // A re-INVITE from the gateway (reattach) may move rtpengine's port: follow it.
    ua.on('request', (req) => {
      if (req.method === 'INVITE' && req.body.length) this.ep.setRemoteFromSdp(req.body.toString());
    });
    ua.reinviteSdp = () => this.ep.sdp();
  }

  static async open(t: Test, hf: TestGateway, id: string, opts: AgentOptions): Promise<Agent> {
    const ua = await TestUa.open(opts.proto ?? 'udp', hf.sip[opts.proto ?? 'udp']!, id);
    t.teardown(() => ua.close());
    const agent = new Agent(id, ua, await openEndpoint(t), opts.tone);
    if (opts.password !== undefined) {
      const status = await ua.register(opts.password);
      if (status !== 200) throw new Error(`${id}: REGISTER got ${status}`);
    }
    return agent;
  }

  get current(): Dialog | undefined {
    return this.dialogs[this.dialogs.length - 1]?.dialog;
  }

  /** The next answered INVITE. */
  nextCall(timeoutMs = 10_000): Promise<{ dialog: Dialog; invite: SipMessage }> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.id}: no call within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.push((d) => {
        clearTimeout(timer);
        resolve(d);
      });
    });
  }

  /** Desktop reconnect: new media objects (a new socket), re-offered on the same dialog. */
  async reconnectMedia(t: Test): Promise<void> {
    const old = this.ep;
    this.ep = await openEndpoint(t);
    old.pause();
    const res = await this.ua.reinvite(this.current!, this.ep.sdp());
    if (res.status !== 200) throw new Error(`${this.id}: re-INVITE got ${res.status}`);
    this.ep.setRemoteFromSdp(res.body.toString());
    this.ep.play({ tone: this.tone });
  }
}
