// The agent's SIP user agent (SIP.js over WebSocket): digest REGISTER, incoming calls from
// the gateway, and the in-dialog requests the page sends (INFO, re-INVITE, BYE). Media is
// PeerMedia (peer-media.ts), SIP.js's session description handler for every call.
//
// A lost WebSocket is not patched up in place: SIP.js would re-register the same Contact,
// which the gateway cannot tell from a refresh. renew() starts a new user agent (new
// Contact) and registers it; the gateway then INVITEs it back to the call (resumption).
import { Invitation, Registerer, RegistererState, SessionState, UserAgent } from 'sip.js';
import { PeerMedia, type PeerMediaOptions } from './peer-media';

export interface SipPhoneOptions {
  /** ws:// or wss:// URL of the SIP server's WebSocket contact. */
  server: string;
  agentId: string;
  password: string;
  media: PeerMediaOptions;
  onIncoming(call: PhoneCall): void;
  onRegistration(registered: boolean): void;
  /** The WebSocket itself: up, or gone (with why). */
  onTransport(up: boolean, why?: string): void;
  traceSip?: boolean;
}

export type CallState = 'ringing' | 'connecting' | 'connected' | 'ended';

/** One call from the gateway. */
export class PhoneCall {
  state: CallState = 'ringing';
  /** The gateway's call id (X-Holdfast-Call), for the HTTP API. */
  readonly callId?: string;
  /** The gateway marks a new INVITE that resumes a call the agent dropped from. */
  readonly resume: boolean;
  from: string;
  endReason?: string;
  /** Ended only on our side: its dialog died with the WebSocket (the gateway may resume it). */
  abandoned = false;
  onState: (state: CallState) => void = () => {};

  constructor(readonly invitation: Invitation) {
    const req = invitation.request;
    this.callId = req.getHeader('X-Holdfast-Call') ?? undefined;
    this.resume = req.hasHeader('X-Holdfast-Resume');
    const who = invitation.remoteIdentity;
    this.from = who.displayName || who.uri.user || 'unknown caller';
    invitation.delegate = {
      onBye: (bye) => {
        this.endReason = bye.request.getHeader('Reason') ?? 'the gateway ended the call';
        bye.accept();
      },
    };
    invitation.stateChange.addListener((s) => {
      if (s === SessionState.Established) this.move('connected');
      if (s === SessionState.Terminated) {
        this.endReason ??= this.state === 'ringing' ? 'cancelled' : 'ended';
        this.move('ended');
      }
    });
    void invitation.progress().catch(() => {}); // 180 Ringing
  }

  get media(): PeerMedia | undefined {
    const sdh = this.invitation.sessionDescriptionHandler;
    return sdh instanceof PeerMedia ? sdh : undefined;
  }

  get established(): boolean {
    return this.invitation.state === SessionState.Established;
  }

  async answer(): Promise<void> {
    this.move('connecting');
    await this.invitation.accept();
  }

  async decline(): Promise<void> {
    this.endReason = 'declined';
    await this.invitation.reject({ statusCode: 486 });
  }

  async hangUp(): Promise<void> {
    this.endReason = 'hung up';
    if (this.established) await this.invitation.bye();
    else if (this.state === 'ringing') await this.decline();
  }

  /** An in-dialog INFO with a JSON body ({"desktop":…}, {"mute":…}, {"hold":…}). */
  info(body: Record<string, unknown>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.invitation
        .info({
          requestOptions: {
            body: {
              contentDisposition: 'render',
              contentType: 'application/json',
              content: JSON.stringify(body),
            },
          },
          requestDelegate: {
            onAccept: () => resolve(),
            onReject: (r) => reject(new Error(`INFO got ${r.message.statusCode}`)),
          },
        })
        .catch(reject);
    });
  }

  /**
   * A re-INVITE on this dialog with a fresh offer (PeerMedia builds it from a new peer
   * connection after lose()/rebuild()). Resolves with the offer sent, once it is answered.
   */
  reoffer(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.invitation
        .invite({
          requestDelegate: {
            onAccept: (r) => resolve(r.message.body),
            onReject: (r) => reject(new Error(`re-INVITE got ${r.message.statusCode}`)),
          },
        })
        .catch(reject);
    });
  }

  /** Forget the call without a BYE (its dialog died with its WebSocket). */
  abandon(reason: string): void {
    this.abandoned = true;
    this.endReason = reason;
    this.media?.close();
    this.move('ended');
  }

  private move(to: CallState): void {
    if (this.state === to || this.state === 'ended') return;
    this.state = to;
    this.onState(to);
  }
}

export class SipPhone {
  private ua?: UserAgent;
  private registerer?: Registerer;
  private wanted = false;
  private generation = 0;

  constructor(private readonly opts: SipPhoneOptions) {}

  get transportUp(): boolean {
    return this.ua?.isConnected() ?? false;
  }

  get registered(): boolean {
    return this.registerer?.state === RegistererState.Registered;
  }

  /** Connects and registers (a new user agent, a new Contact). */
  async start(): Promise<void> {
    this.wanted = true;
    await this.renew();
  }

  /** Unregisters and disconnects: the agent is offline. */
  async stop(): Promise<void> {
    this.wanted = false;
    const { ua, registerer } = this;
    this.ua = undefined;
    this.registerer = undefined;
    this.generation++;
    if (registerer?.state === RegistererState.Registered)
      await registerer.unregister().catch(() => {});
    await ua?.stop().catch(() => {});
    this.opts.onRegistration(false);
  }

  /** A fresh user agent registered in place of the current one (after its WebSocket died). */
  async renew(): Promise<void> {
    const old = this.ua;
    if (old?.isConnected()) throw new Error('renew() is for a user agent whose WebSocket is gone');
    const generation = ++this.generation;
    this.ua = undefined;
    this.registerer = undefined;
    // Its transport is gone, so stopping it sends nothing (no BYE on the call's dialog);
    // the un-REGISTER and BYE it tries fail locally, which is not worth an error in the console.
    if (old) {
      old.getLoggerFactory().builtinEnabled = false;
      await old.stop().catch(() => {});
    }
    const url = new URL(this.opts.server);
    const ua = new UserAgent({
      uri: UserAgent.makeURI(`sip:${this.opts.agentId}@${url.hostname}`),
      authorizationUsername: this.opts.agentId,
      authorizationPassword: this.opts.password,
      transportOptions: {
        server: this.opts.server,
        connectionTimeout: 5,
        traceSip: this.opts.traceSip ?? false,
      },
      // No reconnectionAttempts (SIP.js's default is 0): renew() does it, with a new Contact.
      logLevel: this.opts.traceSip ? 'debug' : 'warn',
      userAgentString: 'holdfast-agent-page',
      sessionDescriptionHandlerFactory: () => new PeerMedia(this.opts.media),
      delegate: {
        onInvite: (invitation) => this.opts.onIncoming(new PhoneCall(invitation)),
        onConnect: () => this.opts.onTransport(true),
        onDisconnect: (err) => {
          if (generation !== this.generation) return;
          this.opts.onRegistration(false);
          this.opts.onTransport(false, err?.message ?? 'closed');
        },
      },
    });
    this.ua = ua;
    await ua.start();
    if (generation !== this.generation) return;
    const registerer = new Registerer(ua, { expires: 300 });
    this.registerer = registerer;
    registerer.stateChange.addListener((s) => {
      if (generation === this.generation)
        this.opts.onRegistration(s === RegistererState.Registered);
    });
    await new Promise<void>((resolve, reject) => {
      void registerer
        .register({
          requestDelegate: {
            onAccept: () => resolve(),
            onReject: (r) => reject(new Error(`REGISTER got ${r.message.statusCode}`)),
          },
        })
        .catch(reject);
    });
  }

  /** Keeps trying renew() (1 s, 2 s … 10 s apart) while the agent wants to be online. */
  async renewUntilRegistered(isCurrent: () => boolean = () => true): Promise<void> {
    let delay = 1000;
    while (this.wanted && isCurrent()) {
      try {
        await this.renew();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(10_000, delay * 2);
      }
    }
  }
}
