// One agent of the soak: registers over UDP or WebSocket, answers the gateway's INVITEs
// after a short ring with an RTP endpoint sending its tone, and can be made to fail the way
// a virtual desktop does (media stops; the SIP WebSocket closes) and to come back.
import { RtpEndpoint } from '../../test/helpers/rtp-endpoint';
import type { SipMessage } from '../../test/helpers/sip-message';
import type { HostPort } from '../../test/helpers/sip-transport';
import { TestUa, type Dialog, type IncomingInvite } from '../../test/e2e/fixtures/test-ua';

export const AGENT_TONE = 1000;
const REGISTER_EXPIRES_S = 300;
const REGISTER_REFRESH_MS = 60_000;

/** The customer a gateway INVITE is for: the user part of its From (the soak names them). */
export function callKeyOf(invite: SipMessage): string {
  return /sips?:([^@;>]+)@/.exec(invite.get('from') ?? '')?.[1] ?? '';
}

export interface AgentHooks {
  /** An INVITE came for call `key`; returns how long to ring, and what to do as it answers. */
  ringing(key: string, agent: SoakAgent): { ringMs: number; onAnswer?: () => void };
  answered(key: string, agent: SoakAgent): void;
  /** The gateway ended this agent's leg of call `key` (BYE). */
  released(key: string, agent: SoakAgent): void;
}

export interface SoakAgentOptions {
  id: string;
  password: string;
  token: string;
  proto: 'udp' | 'ws';
  server: () => HostPort;
  api: { host: string; port: number };
  hooks: AgentHooks;
}

export class SoakAgent {
  private ua?: TestUa;
  /** The call it is on now (key), its dialog and media. */
  key?: string;
  dialog?: Dialog;
  ep?: RtpEndpoint;
  private reconnecting?: Promise<void>;
  private refresh?: NodeJS.Timeout;
  private closing = false;
  reconnects = 0;
  /** The call whose failure this agent plays: it comes back (desktop signal) once released. */
  awayFor?: string;
  /** How long a closed WebSocket stays closed before the agent reconnects. */
  private awayMs = 0;

  constructor(readonly opts: SoakAgentOptions) {}

  get id(): string {
    return this.opts.id;
  }

  get proto(): 'udp' | 'ws' {
    return this.opts.proto;
  }

  async open(): Promise<void> {
    const ua = await TestUa.open(this.opts.proto, this.opts.server(), this.opts.id);
    this.ua = ua;
    ua.on('invite', (inv) => void this.onInvite(ua, inv));
    ua.on('bye', (d) => {
      if (d !== this.dialog) return;
      const key = this.key;
      this.endMedia();
      if (key) this.opts.hooks.released(key, this);
    });
    // A re-INVITE from the gateway (reattach, hold) may move rtpengine's port: follow it.
    ua.on('request', (req, d) => {
      if (req.method === 'INVITE' && req.body.length && d === this.dialog)
        this.ep?.setRemoteFromSdp(req.body.toString());
    });
    ua.reinviteSdp = (d) => (d === this.dialog && this.ep ? this.ep.sdp() : d.localSdp);
    // A REGISTER sent as the SIP server dies may never be answered: give up and retry.
    const status = await this.register(ua);
    if (status !== 200) {
      if (this.ua === ua) this.ua = undefined;
      await ua.close();
      throw new Error(`${this.id}: REGISTER got ${status || 'no answer'}`);
    }
    if (this.opts.proto === 'ws') void ua.transport.closed.then(() => this.transportLost(ua));
    // Refreshed well before it expires, as a phone or a page does.
    clearInterval(this.refresh);
    this.refresh = setInterval(() => {
      if (this.ua === ua) void this.register(ua);
    }, REGISTER_REFRESH_MS);
  }

  private register(ua: TestUa): Promise<number> {
    return Promise.race([
      ua.register(this.opts.password, REGISTER_EXPIRES_S).catch(() => 0),
      new Promise<number>((r) => setTimeout(() => r(0), 5000)),
    ]);
  }

  /** The desktop drops: this agent's audio stops (the call stays up). */
  dropMedia(): void {
    this.ep?.pause();
  }

  /** Back within the window with new media objects: a re-INVITE with a new socket. */
  async reconnectMedia(): Promise<boolean> {
    const d = this.dialog;
    const ua = this.ua;
    if (!d || !ua || d.ended) return false;
    const old = this.ep;
    const ep = await RtpEndpoint.open();
    this.ep = ep;
    void old?.close();
    const res = await ua.reinvite(d, ep.sdp()).catch(() => undefined);
    if (!res || res.status !== 200 || this.ep !== ep) return false;
    ep.setRemoteFromSdp(res.body.toString());
    ep.play({ tone: AGENT_TONE });
    return true;
  }

  /** Back after its call was rerouted: the page says the desktop is connected again. */
  async signalConnected(): Promise<number> {
    const { host, port } = this.opts.api;
    const res = await fetch(`http://${host}:${port}/v1/agents/${this.id}/desktop`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${this.opts.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ state: 'connected' }),
    }).catch(() => undefined);
    await res?.text();
    return res?.status ?? 0;
  }

  /** The page's SIP WebSocket goes away with the desktop (and its media); back after awayMs. */
  async closeTransport(awayMs: number): Promise<void> {
    this.dropMedia();
    this.awayMs = awayMs;
    await this.ua?.close();
  }

  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.refresh);
    this.endMedia();
    await this.ua?.close();
    await this.reconnecting;
  }

  /** A WebSocket agent whose connection closed opens a new one and registers again. */
  private transportLost(ua: TestUa): void {
    if (this.closing || ua !== this.ua) return;
    this.endMedia();
    const away = this.awayMs;
    this.awayMs = 0;
    this.reconnecting = (async () => {
      await new Promise((r) => setTimeout(r, away));
      for (let attempt = 0; !this.closing; attempt++) {
        await new Promise((r) => setTimeout(r, Math.min(200 + attempt * 300, 2000)));
        if (this.closing) return;
        try {
          await this.open();
          this.reconnects++;
          return;
        } catch {
          // the SIP server is not back yet
        }
      }
    })();
  }

  private async onInvite(ua: TestUa, inv: IncomingInvite): Promise<void> {
    const key = callKeyOf(inv.req);
    if (this.dialog && !this.dialog.ended) {
      inv.reject(486);
      return;
    }
    const plan = this.opts.hooks.ringing(key, this);
    inv.ring();
    await new Promise((r) => setTimeout(r, plan.ringMs));
    if (ua !== this.ua) return;
    const ep = await RtpEndpoint.open();
    plan.onAnswer?.();
    let dialog: Dialog;
    try {
      dialog = await inv.answer(ep.sdp());
    } catch {
      void ep.close(); // CANCELled meanwhile
      return;
    }
    this.endMedia();
    this.key = key;
    this.dialog = dialog;
    this.ep = ep;
    ep.setRemoteFromSdp(inv.req.body.toString());
    ep.play({ tone: AGENT_TONE });
    this.opts.hooks.answered(key, this);
  }

  /** The soak's call is over whatever the gateway said: nothing of it is kept here. */
  forget(key: string): void {
    if (this.key === key) this.endMedia();
  }

  private endMedia(): void {
    void this.ep?.close();
    this.ep = undefined;
    this.dialog = undefined;
    this.key = undefined;
  }
}
