// The agent page: log in (SIP digest REGISTER over WebSocket + the API token), take calls
// from the gateway, hold/mute through the API, the notification stream, level meters,
// and the desktop-redirection signal (desktop-redirection.ts → desktop-recovery.ts).
//
// Page options (query string): sip=<ws(s) URL> and agent=<id> prefill the form (without
// sip=, the last one used, else the gateway's GET /v1/sip/websockets);
// audio=raw turns the browser's voice processing off (measurements, tests); trace=1 logs
// SIP to the console.
import { AgentApi, type CallSnapshot } from './agent-api';
import { AudioMeter } from './audio-meter';
import { redirectionActive, watchDesktop } from './desktop-redirection';
import { DesktopRecovery } from './desktop-recovery';
import { HandoverControls } from './handover-controls';
import { discoverSipWebSocket } from './sip-discovery';
import { EventStream } from '../shared/event-stream';
import { SipPhone, type PhoneCall } from './sip-phone';
import { addNotification, badge, logEvent, meter, renderCall, view, type CallView } from './view';

const params = new URLSearchParams(location.search);
const RAW_AUDIO = params.get('audio') === 'raw';

interface Session {
  api: AgentApi;
  phone: SipPhone;
  stream: EventStream;
  poll: ReturnType<typeof setInterval>;
}

class AgentPage {
  private session?: Session;
  private call?: PhoneCall;
  private lastCallId?: string;
  private audioCtx?: AudioContext;
  private outMeter?: AudioMeter;
  private inMeter?: AudioMeter;
  private recovery?: DesktopRecovery;
  private callView: CallView = { phase: 'idle' };
  /** The gateway's latest view of the current call (phase, legs). */
  private callSnap?: CallSnapshot;
  private readonly handover: HandoverControls;
  /** Recovery steps and peer connections, read by diagnostics and the browser tests. */
  readonly trace: { kind: string; outcome?: string; at: number }[] = [];

  constructor() {
    const active = redirectionActive();
    badge(view.redirection, `redirection: ${active ? 'active' : 'off'}`, active ? 'ok' : 'plain');
    badge(view.desktop, 'desktop: connected', 'ok');
    this.prefill();
    view.loginForm.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.login(new FormData(view.loginForm));
    });
    view.answer.onclick = () => void this.answer();
    view.decline.onclick = () => void this.call?.decline();
    view.hangup.onclick = () => void this.call?.hangUp();
    view.hold.onclick = () => void this.toggle('hold');
    view.mute.onclick = () => void this.toggle('mute');
    view.availability.onclick = () => void this.toggleAvailability();
    view.logout.onclick = () => void this.logout();
    this.handover = new HandoverControls({
      api: () => this.session?.api,
      callId: () => this.call?.callId,
      onSnapshot: (snap) => this.applySnapshot(snap),
      log: logEvent,
    });
    watchDesktop((state) => this.onDesktop(state));
    setInterval(() => this.drawMeters(), 100);
  }

  get meters() {
    return { in: this.inMeter, out: this.outMeter };
  }

  get state() {
    return {
      call: { ...this.callView, callId: this.call?.callId ?? this.lastCallId },
      registered: this.session?.phone.registered ?? false,
      desktop: this.recovery?.state ?? 'connected',
      peerGeneration: this.call?.media?.generation ?? 0,
      peerState: this.call?.media?.peerConnection?.connectionState,
    };
  }

  private prefill(): void {
    const form = view.loginForm.elements;
    const server = form.namedItem('server') as HTMLInputElement;
    const agent = form.namedItem('agentId') as HTMLInputElement;
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const chosen = params.get('sip') ?? localStorage.getItem('holdfast.server');
    const guess = `${scheme}://${location.hostname}:${scheme === 'wss' ? 8443 : 8088}`;
    server.value = chosen ?? guess;
    agent.value = params.get('agent') ?? localStorage.getItem('holdfast.agent') ?? '';
    // Unless chosen already, what the gateway says beats the guess (if not typed over).
    if (!chosen)
      void discoverSipWebSocket().then((url) => {
        if (url && server.value === guess) server.value = url;
      });
  }

  private async login(form: FormData): Promise<void> {
    const agentId = String(form.get('agentId') ?? '').trim();
    const server = String(form.get('server') ?? '').trim();
    view.loginError.hidden = true;
    // The click is the user gesture that lets audio start.
    this.audioCtx ??= new AudioContext();
    void this.audioCtx.resume();
    this.outMeter ??= new AudioMeter(this.audioCtx);
    this.inMeter ??= new AudioMeter(this.audioCtx);
    const api = new AgentApi(agentId, String(form.get('token') ?? ''));
    const phone = new SipPhone({
      server,
      agentId,
      password: String(form.get('password') ?? ''),
      traceSip: params.get('trace') === '1',
      media: {
        audio: RAW_AUDIO
          ? { noiseSuppression: false, echoCancellation: false, autoGainControl: false }
          : true,
        onLocalStream: (s) => this.outMeter?.attach(s),
        onRemoteStream: (s) => this.playRemote(s),
        onConnectionState: (s, n) => logEvent(`peer connection #${n}: ${s}`),
      },
      onIncoming: (call) => this.onIncoming(call),
      onRegistration: (ok) => this.onRegistration(ok),
      onTransport: (up, why) => this.onTransport(up, why),
    });
    try {
      await api.me(); // the token is checked before anything is registered
      await phone.start();
    } catch (err) {
      await phone.stop().catch(() => {});
      view.loginError.textContent = `Could not log in: ${(err as Error).message}`;
      view.loginError.hidden = false;
      return;
    }
    localStorage.setItem('holdfast.server', server);
    localStorage.setItem('holdfast.agent', agentId);
    const stream = new EventStream({
      open: (signal) => api.notifications(signal),
      onEvent: (e) => this.onNotification(e.event, e.data),
      onState: (s, why) => logEvent(`notifications: ${s}${why ? ` (${why})` : ''}`),
    });
    const poll = setInterval(() => void this.refresh(), 2000);
    this.session = { api, phone, stream, poll };
    this.recovery = new DesktopRecovery({
      api,
      phone: () => this.session?.phone,
      call: () => this.call,
      log: logEvent,
      onStep: (s) => {
        this.trace.push(s);
        if (s.kind === 'restored' && this.callView.phase === 'reconnecting')
          this.setCall({ phase: this.call?.established ? 'connected' : 'connecting' });
      },
    });
    view.loginPanel.hidden = true;
    view.agentPanel.hidden = false;
    view.agentName.textContent = agentId;
    logEvent(`logged in as ${agentId}, registered at ${server}`);
    void this.refresh();
  }

  private async logout(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    if (!s) return;
    clearInterval(s.poll);
    s.stream.stop();
    await this.call?.hangUp().catch(() => {});
    await s.phone.stop();
    view.agentPanel.hidden = true;
    view.loginPanel.hidden = false;
  }

  private onIncoming(call: PhoneCall): void {
    if (this.call && this.call.state !== 'ended') {
      void call.decline(); // one call at a time
      return;
    }
    this.call = call;
    call.onState = (s) => this.onCallState(call, s);
    logEvent(
      `incoming call ${call.callId ?? ''} from ${call.from}${call.resume ? ' (resumed)' : ''}`,
    );
    // A resumption is the call the agent was already on: no need to ask.
    if (call.resume) void this.answer();
    else this.setCall({ phase: 'ringing', from: call.from });
  }

  private async answer(): Promise<void> {
    const call = this.call;
    if (!call) return;
    try {
      await call.answer();
    } catch (err) {
      logEvent(`answer failed: ${(err as Error).message}`);
    }
  }

  private onCallState(call: PhoneCall, s: PhoneCall['state']): void {
    if (call !== this.call) return;
    if (s === 'connecting') this.setCall({ phase: 'connecting', from: call.from });
    if (s === 'connected') {
      this.lastCallId = call.callId;
      this.setCall({
        phase: 'connected',
        from: call.from,
        note: call.resume ? 'resumed' : undefined,
      });
      void this.refresh();
    }
    if (s === 'ended') {
      logEvent(`call ended: ${call.endReason ?? ''}`);
      // Its dialog died with the WebSocket: the gateway will INVITE us back, so not "ended".
      this.setCall(
        call.abandoned
          ? { ...this.callView, phase: 'reconnecting' }
          : { phase: 'ended', note: call.endReason },
      );
      this.inMeter?.attach(undefined);
      view.audio.srcObject = null;
    }
  }

  private onDesktop(state: 'connected' | 'disconnected'): void {
    this.trace.push({ kind: `desktop-${state}`, at: Date.now() });
    badge(view.desktop, `desktop: ${state}`, state === 'connected' ? 'ok' : 'bad');
    logEvent(`desktop ${state}`);
    if (!this.recovery) return;
    if (state === 'disconnected') {
      if (this.call?.established) this.setCall({ ...this.callView, phase: 'reconnecting' });
      this.inMeter?.attach(undefined);
      this.outMeter?.attach(undefined);
      void this.recovery.lost();
    } else {
      void this.recovery.restored();
    }
  }

  private async toggle(what: 'hold' | 'mute'): Promise<void> {
    const s = this.session;
    const callId = this.call?.callId;
    if (!s || !callId) return;
    try {
      const snap =
        what === 'hold'
          ? await s.api.hold(callId, !this.callView.held)
          : await s.api.mute(callId, !this.callView.muted);
      this.applySnapshot(snap);
      logEvent(`${what}: ${what === 'hold' ? snap.held : snap.muted}`);
    } catch (err) {
      logEvent(`${what} failed: ${(err as Error).message}`);
    }
  }

  private async toggleAvailability(): Promise<void> {
    const phone = this.session?.phone;
    if (!phone) return;
    // Registered = available to the gateway; unregistered = offline.
    if (phone.registered) await phone.stop();
    else await phone.start().catch((err: Error) => logEvent(`register failed: ${err.message}`));
    void this.refresh();
  }

  private async refresh(): Promise<void> {
    const s = this.session;
    if (!s) return;
    try {
      const me = await s.api.me();
      if (me) {
        const tone =
          me.status === 'available' ? 'ok' : me.status === 'disconnected' ? 'bad' : 'warn';
        badge(view.status, `status: ${me.status}`, me.status === 'offline' ? 'plain' : tone);
      }
      const callId = this.call?.state !== 'ended' ? this.call?.callId : undefined;
      if (callId) {
        const snap = await s.api.call(callId);
        if (snap) this.applySnapshot(snap);
      }
    } catch (err) {
      badge(view.status, 'status: API unreachable', 'bad');
      logEvent(`API: ${(err as Error).message}`);
    }
  }

  private applySnapshot(snap: CallSnapshot): void {
    this.callSnap = snap;
    // The customer's number as the SBC sent it beats the gateway leg's From.
    if (snap.from && this.call) this.call.from = snap.from;
    const from = this.call?.from ?? this.callView.from;
    this.setCall({ ...this.callView, from, held: snap.held, muted: snap.muted });
  }

  private onRegistration(ok: boolean): void {
    badge(view.sip, ok ? 'SIP: registered' : 'SIP: not registered', ok ? 'ok' : 'warn');
    view.availability.textContent = ok ? 'Go offline' : 'Go available';
  }

  private onTransport(up: boolean, why?: string): void {
    if (up) return;
    badge(view.sip, 'SIP: connection lost', 'bad');
    logEvent(`SIP connection lost: ${why ?? ''}`);
    // During a desktop loss the recovery re-registers when the desktop is back.
    if (this.recovery?.state === 'disconnected') return;
    if (this.call && this.call.state !== 'ended') this.call.abandon('SIP connection lost');
    const phone = this.session?.phone;
    if (phone) void phone.renewUntilRegistered(() => this.session?.phone === phone);
  }

  private onNotification(event: string, data: unknown): void {
    const d = data as { notification?: { type?: string; callId?: string }; reason?: string };
    const n = d.notification;
    const text =
      event === 'expired'
        ? `expired: ${n?.type ?? '?'}${d.reason ? ` — ${d.reason}` : ''}`
        : `${n?.type ?? event}${n?.callId ? ` (call ${n.callId})` : ''}`;
    addNotification(`${new Date().toLocaleTimeString()} ${text}`);
    logEvent(`notification ${text}`);
  }

  private playRemote(stream: MediaStream): void {
    view.audio.srcObject = stream;
    void view.audio.play().catch(() => {});
    // Chrome feeds a remote WebRTC stream to Web Audio only while a media element plays it.
    this.inMeter?.attach(stream);
  }

  private setCall(c: CallView): void {
    this.callView = c;
    if (c.phase === 'idle' || c.phase === 'ended') this.callSnap = undefined;
    renderCall(c);
    this.handover.render(c.phase === 'connected', this.callSnap);
  }

  private drawMeters(): void {
    meter(view.meterOut, this.outMeter?.levelDb() ?? -100);
    meter(view.meterIn, this.inMeter?.levelDb() ?? -100);
  }
}

declare global {
  interface Window {
    holdfastAgent?: AgentPage;
  }
}

window.holdfastAgent = new AgentPage();
