// One customer call: the customer's INVITE (then dialog), the agent leg it is connected to
// (or ringing), its rtpengine session, its playbacks and its deadlines. close(reason)
// releases all of them, whatever the state: nothing outlives a call.
//
// The call knows its own legs and media; which agent to ring, when to reroute and what a
// disconnect means are decided outside (router, disconnect coordinator) from its events.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { UnsupportedSdpError } from '../../media/errors';
import type { LegProfile } from '../../media/leg-profile';
import type { MediaSession } from '../../media/media-session';
import { Playback } from '../../media/playback';
import type { PromptFile } from '../../media/prompt-validator';
import type { MediaWatchdog } from '../../media/media-watchdog';
import { audioOf, parseSdp, type Direction } from '../../media/sdp';
import type { BackEvidence, GoneEvidence } from '../policy/evidence';
import type { SipDialog, SipRequest, SipResponse, SrfInstance } from '../sip/srf-types';
import type { Clock } from '../../time/clock';
import { Deadlines } from '../timers/deadlines';
import { AgentDial } from './agent-dial';
import { AgentLeg } from './agent-leg';
import type { CallEvents, EndReason } from './call-events';
import { assertCallMove, type CallState } from './call-state';

export const CUSTOMER_TAG = 'customer';

export interface CallDeps {
  srf: SrfInstance;
  clock: Clock;
  /** Shared watchdog; the gateway routes its events to calls (mediaLost/mediaRestored). */
  watchdog: MediaWatchdog;
  prompts: { agentDisconnected: PromptFile; waitMusic: PromptFile; overflow?: PromptFile };
  keepaliveMs: number;
  failureReasons: string[];
  log: Logger;
}

/** Where to ring: an agent's contact, or the overflow destination. */
export interface DialTarget {
  agentId?: string;
  uri: string;
  profile: LegProfile;
  timeoutMs?: number;
  /** Marks a new INVITE as the resumption of this call (agent re-registered). */
  resume?: boolean;
}

export type RingOutcome = 'answered' | 'failed' | 'ended';

export interface CallSnapshot {
  id: string;
  state: CallState;
  agentId?: string;
  priority: number;
  held: boolean;
  muted: boolean;
  from: string;
  startedAt: number;
  gone?: GoneEvidence;
}

export class Call extends EventEmitter<CallEvents> {
  private stateValue: CallState = 'queued';
  private customerDialog?: SipDialog;
  private customerSdp?: string;
  private leg?: AgentLeg;
  /** A released agent leg whose media stays in rtpengine until the next leg answers. */
  private staleLeg?: AgentLeg;
  private dial?: AgentDial;
  private watchedTag?: string;
  /** Queue music, or the disconnected prompt + music. */
  private playback?: Playback;
  private legSeq = 0;
  /** The ringing leg whose early media the customer hears. */
  private earlyTag?: string;
  private closing?: Promise<void>;
  private applied = { agentBlocked: false, customerBlocked: false, music: false };
  readonly deadlines: Deadlines;
  readonly startedAt: number;
  readonly log: Logger;
  agentId?: string;
  priority = 0;
  enqueuedAt: number;
  /** Agents that failed or declined this call, not offered it again. */
  readonly skip = new Set<string>();
  held = false;
  muted = false;
  goneEvidence?: GoneEvidence;

  constructor(
    readonly id: string,
    private readonly deps: CallDeps,
    readonly session: MediaSession,
    private readonly req: SipRequest,
    private readonly res: SipResponse,
  ) {
    super();
    this.deadlines = new Deadlines(deps.clock);
    this.startedAt = deps.clock.now();
    this.enqueuedAt = this.startedAt;
    this.log = deps.log.child({ callId: id });
    req.on('cancel', () => void this.close('customer-cancel'));
  }

  get state(): CallState {
    return this.stateValue;
  }

  get ended(): boolean {
    return this.stateValue === 'ended';
  }

  /** The customer's SIP Call-ID (as the SBC sent it). */
  get sipCallId(): string {
    return this.req.get('Call-ID');
  }

  get answered(): boolean {
    return this.customerDialog !== undefined;
  }

  get agentTag(): string | undefined {
    return this.leg?.tag;
  }

  get agentLegAlive(): boolean {
    return this.leg !== undefined && !this.leg.released;
  }

  snapshot(): CallSnapshot {
    return {
      id: this.id,
      state: this.stateValue,
      ...(this.agentId ? { agentId: this.agentId } : {}),
      priority: this.priority,
      held: this.held,
      muted: this.muted,
      from: this.req.callingNumber ?? '',
      startedAt: this.startedAt,
      ...(this.goneEvidence ? { gone: this.goneEvidence } : {}),
    };
  }

  /** Anchors the customer's media and gives it wait music as early media (183). */
  async accept(): Promise<void> {
    this.session.addLeg(CUSTOMER_TAG, 'rtp');
    this.customerSdp = await this.session.acceptAlone(CUSTOMER_TAG, this.req.body);
    if (this.ended) return;
    this.res.send(183, { body: this.customerSdp });
    await this.startPlayback({ music: this.deps.prompts.waitMusic });
  }

  /** Offers the call to a target; resolves when it answered, failed, or the call ended. */
  async ring(target: DialTarget): Promise<RingOutcome> {
    const next: CallState = target.agentId ? 'ringing' : 'overflow';
    if (!target.resume) this.move(next);
    if (target.agentId && !target.resume) this.agentId = target.agentId;
    const legAgent = target.agentId ?? 'overflow';
    if (!target.agentId) this.emit('overflowed', target.uri);
    this.emit('legOffered', legAgent, target.resume === true);
    const leg = await this.connectLeg(target);
    if (this.ended) return 'ended';
    if (!leg) {
      this.emit('legEnded', legAgent, 'not-answered');
      if (!target.resume && this.stateValue === 'ringing') {
        this.agentId = undefined;
        this.move('queued');
      }
      return 'failed';
    }
    this.emit('legAnswered', legAgent);
    this.move('connected');
    // Hold and mute as they were (a resumed leg), or as a fresh leg needs them.
    await this.applyCallState();
    return 'answered';
  }

  /** The connected agent is gone: block it, prompt then music to the customer. */
  async agentGone(evidence: GoneEvidence): Promise<void> {
    if (this.stateValue !== 'connected') return;
    this.goneEvidence = evidence;
    this.move('agentGone');
    this.emit('disconnected', this.agentId ?? 'overflow', evidence);
    this.log.info(
      { agentId: this.agentId, evidence },
      'agent gone: playing the disconnected prompt',
    );
    await this.unapplyCallState();
    await this.startPlayback({
      absent: this.leg?.tag,
      prompt: this.deps.prompts.agentDisconnected,
      music: this.deps.prompts.waitMusic,
    });
    // The call may have moved on (ended, agent back) while the prompt started.
    if ((this.stateValue as CallState) === 'agentGone') this.emit('promptStarted');
  }

  /** The gone agent is back: noted before anything is done about it (reconnect→audio starts). */
  returning(evidence: BackEvidence): void {
    if (this.stateValue === 'agentGone') this.emit('returned', evidence);
  }

  /** Same agent back on its existing leg (media resumed, or it re-offered): audio restored. */
  async reattach(evidence: BackEvidence): Promise<void> {
    if (this.stateValue !== 'agentGone') return;
    this.log.info({ agentId: this.agentId, evidence }, 'agent back: reattached');
    this.returning(evidence);
    await this.stopPlayback();
    this.goneEvidence = undefined;
    this.move('connected');
    await this.applyCallState();
    if ((this.stateValue as CallState) === 'connected') this.emit('reattached');
  }

  /**
   * Same agent back but its leg is unusable (new registration, or its BYE): a fresh
   * INVITE to `target`, marked as a resumption. Returns whether it answered.
   */
  async reattachOnNewLeg(target: DialTarget, evidence: BackEvidence): Promise<boolean> {
    if (this.stateValue !== 'agentGone') return false;
    this.log.info({ agentId: this.agentId, evidence, uri: target.uri }, 'agent back: new leg');
    this.returning(evidence);
    const outcome = await this.ring({ ...target, resume: true });
    if (outcome === 'answered') this.emit('reattached');
    return outcome === 'answered';
  }

  /** Asks the agent's existing leg for fresh media (ICE restart) after an explicit signal. */
  async reofferToAgent(): Promise<boolean> {
    const leg = this.leg;
    if (!leg || leg.released) return false;
    try {
      const offer = await this.session.reofferTo(leg.tag);
      const answer = await leg.dialog.modify(offer);
      await this.session.answer(leg.tag, answer, CUSTOMER_TAG);
      return true;
    } catch (err) {
      this.log.warn(
        { agentId: this.agentId, err: (err as Error).message },
        're-INVITE to the agent failed',
      );
      return false;
    }
  }

  /** Stops ringing the current agent (it dropped before answering); the router moves on. */
  cancelRing(): void {
    this.dial?.cancel();
  }

  /** Gives up on the gone agent: its leg is released, the call waits for another agent. */
  reroute(raiseBy: number): void {
    if (this.stateValue !== 'agentGone') return;
    this.log.info({ agentId: this.agentId }, 'rerouting');
    this.emit('legEnded', this.agentId!, 'rerouted');
    this.emit('rerouted');
    this.unwatch();
    if (this.leg) {
      this.leg.release({ Reason: 'SIP;cause=480;text="agent disconnected, call rerouted"' });
      this.staleLeg = this.leg;
      this.leg = undefined;
    }
    this.skip.add(this.agentId!);
    this.agentId = undefined;
    // Hold and mute belonged to that agent's conversation; the next agent starts afresh.
    this.held = false;
    this.muted = false;
    this.priority += raiseBy;
    this.enqueuedAt = this.deps.clock.now();
    this.move('queued');
  }

  async setHold(held: boolean): Promise<void> {
    this.held = held;
    if (this.stateValue === 'connected') await this.applyCallState();
  }

  async setMute(muted: boolean): Promise<void> {
    this.muted = muted;
    if (this.stateValue === 'connected') await this.applyCallState();
  }

  /** Plays a final prompt to the customer, then ends the call with `cause`. */
  async hangUpWithPrompt(prompt: PromptFile | undefined, cause: number): Promise<void> {
    this.emit('overflowed');
    if (prompt && !this.ended) {
      await this.stopPlayback();
      await this.startPlayback({ prompt });
      await new Promise<void>((resolve) =>
        this.deadlines.set('final-prompt', prompt.durationMs + 200, resolve),
      );
    }
    await this.close('overflow-hangup', { status: 480, reason: `Q.850;cause=${cause}` });
  }

  /** Ends the call and releases everything. Idempotent. */
  close(reason: EndReason, final: { status?: number; reason?: string } = {}): Promise<void> {
    this.closing ??= (async () => {
      const from = this.stateValue;
      this.stateValue = 'ended';
      this.emit('state', 'ended', from);
      this.log.info({ agentId: this.agentId, reason, from }, 'call ended');
      this.deadlines.cancelAll();
      this.unwatch();
      this.dial?.cancel();
      const headers: Record<string, string> = final.reason ? { Reason: final.reason } : {};
      this.leg?.release();
      this.staleLeg?.release();
      if (this.customerDialog) {
        if (reason !== 'customer-hangup') this.destroyQuietly(this.customerDialog, headers);
      } else if (!this.res.finalResponseSent && reason !== 'customer-cancel') {
        this.res.send(final.status ?? (reason === 'shutdown' ? 503 : 480), { headers });
      }
      await this.session
        .close()
        .catch((err: Error) => this.log.error({ err: err.message }, 'rtpengine delete failed'));
      await this.playback?.stop().catch(() => {});
      this.emit('ended', reason);
    })();
    return this.closing;
  }

  private async connectLeg(target: DialTarget): Promise<AgentLeg | undefined> {
    const tag = `${target.agentId ?? 'overflow'}-${++this.legSeq}`;
    const log = this.log.child({ agentId: target.agentId, leg: tag });
    let offer: string;
    try {
      offer = await this.session.attach(CUSTOMER_TAG, tag, target.profile);
    } catch (err) {
      log.error({ err: (err as Error).message }, 'rtpengine offer for the agent leg failed');
      await this.session.removeLeg(tag).catch(() => {});
      return undefined;
    }
    if (this.ended) return undefined;
    const headers: Record<string, string> = { 'X-Holdfast-Call': this.id };
    if (target.resume) headers['X-Holdfast-Resume'] = this.id;
    const dial = new AgentDial(this.deps.srf, target.uri, offer, headers, (res) =>
      this.onProvisional(res, tag),
    );
    this.dial = dial;
    if (target.timeoutMs) this.deadlines.set('ring', target.timeoutMs, () => dial.cancel());
    let dialog: SipDialog;
    try {
      dialog = await dial.answered;
    } catch (err) {
      log.info({ err: (err as Error).message }, 'agent leg not answered');
      this.deadlines.cancel('ring');
      if (this.dial === dial) this.dial = undefined;
      const wasEarly = this.earlyTag === tag;
      if (wasEarly) this.earlyTag = undefined;
      // A leg that gave early media is the customer's peer in rtpengine: deleting it would
      // delete the call, so the customer is first given a stand-in peer again.
      if (wasEarly && !this.ended && !this.customerDialog) {
        await this.session
          .acceptAlone(CUSTOMER_TAG, this.req.body)
          .catch((e: Error) => log.warn({ err: e.message }, 'stand-in peer'));
      }
      if (!this.ended) await this.session.removeLeg(tag).catch(() => {});
      if (wasEarly && !this.ended && !this.customerDialog) {
        await this.startPlayback({ music: this.deps.prompts.waitMusic });
      }
      return undefined;
    }
    this.deadlines.cancel('ring');
    if (this.earlyTag === tag) this.earlyTag = undefined;
    if (this.dial === dial) this.dial = undefined;
    if (this.ended) {
      this.destroyQuietly(dialog);
      return undefined;
    }
    let customerSdp: string;
    try {
      customerSdp = await this.session.answer(tag, dialog.remote.sdp, CUSTOMER_TAG);
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'agent answer unusable');
      this.destroyQuietly(dialog, { Reason: 'SIP;cause=488' });
      if (!this.ended) await this.session.removeLeg(tag).catch(() => {});
      return undefined;
    }
    const previous = this.leg;
    const leg = new AgentLeg(
      target.agentId ?? 'overflow',
      tag,
      target.profile,
      dialog,
      {
        bye: (req) => this.onAgentBye(leg, req),
        keepaliveFailed: (s) => this.onKeepaliveFailed(leg, s),
      },
      this.deps.clock,
      this.deps.keepaliveMs,
    );
    this.leg = leg;
    this.bindAgentDialog(leg);
    // The absent party's block goes with the playback; then the old media leg can go.
    await this.stopPlayback();
    for (const old of [previous, this.staleLeg]) {
      if (!old || old === leg) continue;
      old.release();
      await this.session.removeLeg(old.tag).catch(() => {});
    }
    this.staleLeg = undefined;
    this.applied.agentBlocked = false;
    this.applied.music = false;
    if (!this.customerDialog) {
      try {
        this.customerDialog = await this.deps.srf.createUAS(this.req, this.res, {
          localSdp: customerSdp,
        });
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'customer went away before the 200');
        void this.close('customer-cancel');
        return undefined;
      }
      this.customerDialog.on('destroy', () => void this.close('customer-hangup'));
      this.customerDialog.on(
        'modify',
        (req: SipRequest, res: SipResponse) => void this.onCustomerReinvite(req, res),
      );
    }
    this.startWatch(leg);
    log.info({ profile: target.profile }, 'agent leg connected');
    return leg;
  }

  /** Ringing reaches a waiting customer; an agent's early media (183 + SDP) replaces the music. */
  private onProvisional(res: SipResponse, tag: string): void {
    if (this.customerDialog || this.res.finalResponseSent) return;
    if (res.status === 180) this.res.send(180);
    else if (res.status === 183 && res.body?.trim()) void this.bridgeEarlyMedia(tag, res.body);
    else if (res.status === 183 && this.customerSdp) this.res.send(183, { body: this.customerSdp });
  }

  private async bridgeEarlyMedia(tag: string, sdp: string): Promise<void> {
    try {
      const customerSdp = await this.session.answer(tag, sdp, CUSTOMER_TAG);
      if (this.ended || this.customerDialog || !this.dial) return;
      this.earlyTag = tag;
      await this.stopPlayback();
      if (!this.res.finalResponseSent) this.res.send(183, { body: customerSdp });
    } catch (err) {
      this.log.warn(
        { leg: tag, err: (err as Error).message },
        'early media from the agent unusable',
      );
    }
  }

  private bindAgentDialog(leg: AgentLeg): void {
    leg.dialog.on(
      'modify',
      (req: SipRequest, res: SipResponse) => void this.onAgentReinvite(leg, req, res),
    );
    leg.dialog.on(
      'info',
      (req: SipRequest, res: SipResponse) => void this.onAgentInfo(leg, req, res),
    );
    leg.dialog.on('options', (_req: SipRequest, res: SipResponse) => res.send(200));
  }

  private startWatch(leg: AgentLeg): void {
    this.unwatch();
    this.watchedTag = leg.tag;
    this.deps.watchdog.watch(this.session, leg.tag);
  }

  private unwatch(): void {
    if (this.watchedTag) this.deps.watchdog.unwatch(this.session.callId, this.watchedTag);
    this.watchedTag = undefined;
  }

  /** The watchdog saw no packet from `tag` for lossMs. */
  mediaLost(tag: string, silentForMs: number): void {
    const leg = this.leg;
    if (!leg || leg.tag !== tag || this.stateValue !== 'connected') return;
    this.log.info({ agentId: leg.agentId, silentForMs }, 'agent media lost');
    this.emit('agentGone', leg.agentId, 'media-loss');
  }

  /** Packets from `tag` flow again. */
  mediaRestored(tag: string): void {
    const leg = this.leg;
    if (leg && leg.tag === tag && this.stateValue === 'agentGone')
      this.emit('agentBack', leg.agentId, 'media-resumed');
  }

  private onAgentBye(leg: AgentLeg, req: SipRequest): void {
    if (leg !== this.leg || this.ended) return;
    const reason = req.get('Reason') ?? '';
    const failure =
      reason &&
      this.deps.failureReasons.some((r) => reason.toLowerCase().includes(r.toLowerCase()));
    if (failure && (this.stateValue === 'connected' || this.stateValue === 'agentGone')) {
      this.log.info(
        { agentId: leg.agentId, reason },
        'agent BYE carries a failure reason: a disconnect, not a hang-up',
      );
      this.unwatch();
      if (this.stateValue === 'connected')
        this.emit('agentGone', leg.agentId, 'bye-failure-reason');
      return;
    }
    // A BYE without a failure reason is a deliberate hang-up, even from a gone agent.
    void this.close('agent-hangup');
  }

  private onKeepaliveFailed(leg: AgentLeg, status: number | undefined): void {
    if (leg !== this.leg || this.stateValue !== 'connected') return;
    this.log.info({ agentId: leg.agentId, status }, 'agent keep-alive failed');
    leg.release();
    this.emit('agentGone', leg.agentId, status === 503 ? 'transport-closed' : 'keepalive-failed');
  }

  private async onAgentReinvite(leg: AgentLeg, req: SipRequest, res: SipResponse): Promise<void> {
    let sdp: string;
    try {
      sdp = await this.session.renegotiate(leg.tag, req.body);
    } catch (err) {
      res.send(err instanceof UnsupportedSdpError ? 488 : 500);
      return;
    }
    res.send(200, { body: sdp });
    if (this.stateValue === 'agentGone') {
      // A desktop reconnect re-offers with new ICE/DTLS; it is not a hold change.
      this.emit('agentBack', leg.agentId, 're-invite');
      return;
    }
    if (this.stateValue !== 'connected') return;
    const dir = directionOf(req.body);
    const wantsHold = dir === 'sendonly' || dir === 'inactive';
    if (wantsHold !== this.held) {
      this.log.info({ agentId: leg.agentId, held: wantsHold }, 'hold changed by the agent');
      await this.setHold(wantsHold);
    }
  }

  private async onAgentInfo(leg: AgentLeg, req: SipRequest, res: SipResponse): Promise<void> {
    let body: { mute?: unknown; hold?: unknown; desktop?: unknown };
    try {
      body = JSON.parse(req.body || '{}') as typeof body;
    } catch {
      res.send(400);
      return;
    }
    res.send(200);
    if (typeof body.mute === 'boolean') await this.setMute(body.mute);
    if (typeof body.hold === 'boolean') await this.setHold(body.hold);
    if (body.desktop === 'disconnected' && this.stateValue === 'connected')
      this.emit('agentGone', leg.agentId, 'explicit-signal');
    if (body.desktop === 'connected' && this.stateValue === 'agentGone')
      this.emit('agentBack', leg.agentId, 'explicit-signal');
  }

  /** The customer re-INVITEs (SBC session refresh, codec change): answered by rtpengine alone. */
  private async onCustomerReinvite(req: SipRequest, res: SipResponse): Promise<void> {
    try {
      res.send(200, { body: await this.session.renegotiate(CUSTOMER_TAG, req.body) });
    } catch (err) {
      res.send(err instanceof UnsupportedSdpError ? 488 : 500);
    }
  }

  /** Makes rtpengine reflect hold and mute for the current agent leg. */
  private async applyCallState(): Promise<void> {
    const tag = this.leg?.tag;
    if (!tag || this.stateValue !== 'connected') return;
    const want = {
      agentBlocked: this.held || this.muted,
      customerBlocked: this.held,
      music: this.held,
    };
    try {
      if (want.agentBlocked !== this.applied.agentBlocked) {
        await this.session.request(want.agentBlocked ? 'block media' : 'unblock media', {
          'from-tag': tag,
        });
        this.applied.agentBlocked = want.agentBlocked;
      }
      if (want.customerBlocked !== this.applied.customerBlocked) {
        await this.session.request(want.customerBlocked ? 'block media' : 'unblock media', {
          'from-tag': CUSTOMER_TAG,
        });
        this.applied.customerBlocked = want.customerBlocked;
      }
      if (want.music !== this.applied.music) {
        if (want.music) {
          await this.session.request('play media', {
            'from-tag': CUSTOMER_TAG,
            file: this.deps.prompts.waitMusic.path,
            'repeat-times': 100000,
          });
        } else {
          await this.session.request('stop media', { 'from-tag': CUSTOMER_TAG }).catch(() => {});
        }
        this.applied.music = want.music;
      }
    } catch (err) {
      if (!this.ended) this.log.error({ err: (err as Error).message }, 'could not apply hold/mute');
    }
  }

  /** Before a disconnect playback: hold music off (the disconnect audio replaces it). */
  private async unapplyCallState(): Promise<void> {
    if (this.applied.music) {
      await this.session.request('stop media', { 'from-tag': CUSTOMER_TAG }).catch(() => {});
      this.applied.music = false;
    }
    if (this.applied.agentBlocked && this.leg) {
      await this.session.request('unblock media', { 'from-tag': this.leg.tag }).catch(() => {});
      this.applied.agentBlocked = false;
    }
  }

  private async startPlayback(opts: {
    absent?: string;
    prompt?: PromptFile;
    music?: PromptFile;
  }): Promise<void> {
    await this.stopPlayback();
    if (this.ended) return;
    const playback = new Playback(this.session, {
      listener: CUSTOMER_TAG,
      ...opts,
      onError: (err) => this.log.warn({ err: err.message }, 'playback'),
    });
    this.playback = playback;
    try {
      await playback.start();
    } catch (err) {
      if (!this.ended) this.log.error({ err: (err as Error).message }, 'playback failed to start');
    }
  }

  private async stopPlayback(): Promise<void> {
    const p = this.playback;
    this.playback = undefined;
    await p?.stop().catch(() => {});
  }

  private destroyQuietly(dialog: SipDialog, headers: Record<string, string> = {}): void {
    try {
      dialog.destroy({ headers }, () => {});
    } catch {
      // already gone
    }
  }

  private move(to: CallState): void {
    const from = this.stateValue;
    if (from === to) return;
    assertCallMove(this.id, from, to);
    this.stateValue = to;
    this.emit('state', to, from);
  }
}

function directionOf(sdp: string): Direction | undefined {
  try {
    return audioOf(parseSdp(sdp))?.direction;
  } catch {
    return undefined;
  }
}
