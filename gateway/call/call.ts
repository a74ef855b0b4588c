// One customer call: the customer's leg, the agent legs it is connected to or ringing, its
// rtpengine session, its audio plan and its deadlines. close(reason) releases all of them,
// whatever the phase: nothing outlives a call.
//
// The call knows its legs and its media; which agent to ring, when to reroute and what an
// agent's absence means are decided outside (router, disconnect coordinator), from the
// evidence its legs report.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { MediaSession, PromptFile } from '../../media';
import type { SipDialog, SipRequest, SipResponse } from '../sip-types/srf-types';
import { Deadlines } from '../timers/deadlines';
import type { AgentLeg } from './agent-leg';
import { AudioPlan } from './audio-plan';
import type { AudioScene } from './audio-rules';
import { customerViewOf, sceneOf, snapshotOf, type CallSnapshot } from './call-view';
import type { CallDeps } from './call-deps';
import type { CallEvents, EndReason } from './call-events';
import { assertPhaseMove, type CallPhase } from './call-phase';
import { assertCallMove, type CallState } from './call-state';
import { CUSTOMER_TAG, CustomerLeg } from './customer-leg';
import type { BackEvidence, GoneEvidence } from './evidence';
import type { DialTarget, RingOutcome } from './dial-target';
import { AbsenceCover, type AbsentCall } from './absence-cover';
import { Handover } from './handover';
import { LegDialer, type AdoptedPrimary } from './leg-dialer';

export type { CallDeps } from './call-deps';

export type { DialTarget, RingOutcome } from './dial-target';
export type { CallSnapshot } from './call-view';

export { CallConflictError } from './handover';

export class Call extends EventEmitter<CallEvents> implements AbsentCall {
  private phaseValue: CallPhase = 'queued';
  private view: CallState = 'queued';
  readonly customer: CustomerLeg;
  /** The party the customer talks with (up) or waits for (gone). */
  primary?: AgentLeg;
  /** A leg being rung: a first offer, a reroute, the overflow, or a resumption. */
  dialing?: AgentLeg;
  /** Released legs whose media stays in rtpengine until the next leg answers. */
  retired: AgentLeg[] = [];
  /** The agent the primary consults, while it rings or talks with the primary. */
  consultLeg?: AgentLeg;
  /** The target of the primary's blind transfer, while it rings. */
  transferLeg?: AgentLeg;
  /** The primary back on a new registration while its transfer rings: rung if it fails. */
  pendingResume?: () => Promise<boolean>;
  /** A last prompt to the customer before hanging up (overflow without destination). */
  finalPrompt?: PromptFile;
  /** The call's first musicDelayMs: no wait music yet (an agent may answer first). */
  private musicDelayedValue = false;
  readonly audio: AudioPlan;
  private readonly dialer: LegDialer;
  private readonly handover: Handover;
  private readonly absence: AbsenceCover;
  private closing?: Promise<void>;
  readonly deadlines: Deadlines;
  readonly startedAt: number;
  readonly log: Logger;
  priority = 0;
  enqueuedAt: number;
  /** Agents that failed or declined this call, not offered it again. */
  readonly skip = new Set<string>();
  goneEvidence?: GoneEvidence;

  constructor(
    readonly id: string,
    readonly deps: CallDeps,
    readonly session: MediaSession,
    req: SipRequest,
    res: SipResponse,
    /** Taken over from a dead instance, connected already: see adoptPrimary(). */
    adopted = false,
  ) {
    super();
    if (adopted) [this.phaseValue, this.view] = ['talking', 'connected'];
    this.deadlines = new Deadlines(deps.clock);
    this.startedAt = deps.clock.now();
    this.enqueuedAt = this.startedAt;
    this.log = deps.log.child({ callId: id });
    this.customer = new CustomerLeg(req, res, {
      srf: deps.srf,
      session,
      log: this.log,
      fail: (err) => this.fail(err),
    });
    this.customer.on('cancelled', () => void this.close('customer-cancel'));
    this.customer.on('hungUp', () => void this.close('customer-hangup'));
    this.audio = new AudioPlan(session, () => this.scene(), deps.prompts, this.log);
    if (!adopted) this.delayMusic(deps.musicDelayMs ?? 0);
    this.audio.on('started', (_listener, sound) => {
      this.endMusicDelay();
      // The customer (or, in a consult, the consulted agent) hears the disconnected prompt.
      if (sound.purpose === 'absence' && this.primary?.state === 'gone') this.emit('promptStarted');
    });
    this.dialer = new LegDialer(this);
    this.handover = new Handover(this, this.dialer);
    this.absence = new AbsenceCover(this);
  }

  get state(): CallState {
    return this.view;
  }

  get phase(): CallPhase {
    return this.phaseValue;
  }

  get ended(): boolean {
    return this.phaseValue === 'ended';
  }

  /** The customer's SIP Call-ID (as the SBC sent it). */
  get sipCallId(): string {
    return this.customer.sipCallId;
  }

  get answered(): boolean {
    return this.customer.answered;
  }

  /** The agent the call is with, or being offered to (not the overflow destination). */
  get agentId(): string | undefined {
    if (this.primary?.role === 'primary') return this.primary.agentId;
    const d = this.dialing;
    return d?.role === 'primary' && !d.spec.resume ? d.agentId : undefined;
  }

  /** The chat this call was escalated from, as the SBC or the omnichannel system said. */
  get conversationId(): string | undefined {
    return this.customer.request.get('X-Holdfast-Conversation')?.trim() || undefined;
  }

  /** The customer is on hold by its agent. */
  get held(): boolean {
    return this.primary?.held ?? false;
  }

  get muted(): boolean {
    return this.primary?.muted ?? false;
  }

  get agentTag(): string | undefined {
    return this.primary?.tag;
  }

  /** Every agent leg the call holds, released ones whose media remains included. */
  get agentLegs(): AgentLeg[] {
    return [this.primary, this.dialing, this.consultLeg, this.transferLeg, ...this.retired].filter(
      (l): l is AgentLeg => !!l,
    );
  }

  snapshot(): CallSnapshot {
    return snapshotOf(this);
  }

  /** Anchors the customer's media and gives it wait music as early media (183). */
  async accept(): Promise<void> {
    await this.customer.anchor();
    await this.audio.sync();
  }

  /** A dead instance's connected call carried on here: its dialogs, its agent's hold/mute. */
  adoptCall(customerDialog: SipDialog, primary: AdoptedPrimary, agentDialog: SipDialog): void {
    this.customer.adopt(customerDialog);
    this.dialer.adoptPrimary(primary, agentDialog);
  }

  /** Offers the call to a target; resolves when it answered, failed, or the call ended. */
  ring(target: DialTarget): Promise<RingOutcome> {
    return this.dialer.ring(target);
  }

  /** The policy's verbs for a gone primary: see absence-cover.ts. */
  coverAbsence(leg: AgentLeg, evidence: GoneEvidence): Promise<void> {
    return this.absence.coverAbsence(leg, evidence);
  }

  reattach(evidence: BackEvidence): Promise<void> {
    return this.absence.reattach(evidence);
  }

  reattachOnNewLeg(target: DialTarget, evidence: BackEvidence): Promise<boolean> {
    return this.absence.reattachOnNewLeg(target, evidence);
  }

  reroute(raiseBy: number): void {
    this.absence.reroute(raiseBy);
  }

  /** The gone agent is back: noted before anything is done about it (reconnect→audio starts). */
  returning(evidence: BackEvidence): void {
    if (this.view === 'agentGone') this.emit('returned', evidence);
  }

  /** Asks the primary's existing leg for fresh media (ICE restart) after an explicit signal. */
  reofferToAgent(): Promise<boolean> {
    return this.dialer.reoffer(this.primary);
  }

  /** Stops ringing a leg (its agent dropped before answering); the router moves on. */
  cancelRing(leg: AgentLeg | undefined = this.dialing): void {
    leg?.cancel();
  }

  /** Consults and transfers (the API's and REFER's): see handover.ts. */
  consult(target: DialTarget): Promise<RingOutcome> {
    return this.handover.consult(target);
  }

  completeConsult(): Promise<void> {
    return this.handover.completeConsult();
  }

  cancelConsult(): Promise<void> {
    return this.handover.cancelConsult();
  }

  /** The consulted agent is gone: its part ends, the primary keeps the customer on hold. */
  releaseConsulted(leg: AgentLeg): Promise<void> {
    return this.handover.endConsult(leg, 'secondary-disconnected', { held: true });
  }

  transfer(target: DialTarget): Promise<RingOutcome> {
    return this.handover.transfer(target);
  }

  /** Whom a new primary leg is paired with: the consulted agent during a consult. */
  partnerForNewPrimary(): string {
    const s = this.consultLeg;
    return this.phaseValue === 'consulting' && s?.state === 'up' ? s.tag : CUSTOMER_TAG;
  }

  identityHeaders(): Record<string, string> {
    return this.deps.identity?.(this.customer.request) ?? {};
  }

  /** Hold as the agent on `leg` (the primary by default) wants it. */
  async setHold(held: boolean, leg = this.primary): Promise<void> {
    if (!leg) return;
    leg.held = held;
    this.emit('controls');
    await this.audio.sync();
  }

  async setMute(muted: boolean, leg = this.primary): Promise<void> {
    if (!leg) return;
    leg.muted = muted;
    this.emit('controls');
    await this.audio.sync();
  }

  /** Plays a final prompt to the customer, then ends the call with `cause`. */
  async hangUpWithPrompt(prompt: PromptFile | undefined, cause: number): Promise<void> {
    this.emit('overflowed');
    if (prompt && !this.ended) {
      this.finalPrompt = prompt;
      await this.audio.sync();
      await new Promise<void>((resolve) =>
        this.deadlines.set('final-prompt', prompt.durationMs + 200, resolve),
      );
    }
    await this.close('overflow-hangup', { status: 480, reason: `Q.850;cause=${cause}` });
  }

  /** Ends the call and releases everything. Idempotent. */
  close(reason: EndReason, final: { status?: number; reason?: string } = {}): Promise<void> {
    this.closing ??= (async () => {
      const from = this.view;
      this.phaseValue = 'ended';
      this.view = 'ended';
      this.emit('state', 'ended', from);
      this.log.info({ agentId: this.agentId, reason, from }, 'call ended');
      this.deadlines.cancelAll();
      const headers: Record<string, string> = final.reason ? { Reason: final.reason } : {};
      for (const leg of this.agentLegs) leg.release(headers);
      this.customer.end(reason, final);
      await this.session
        .close()
        .catch((err: Error) => this.log.error({ err: err.message }, 'rtpengine delete failed'));
      await this.audio.close();
      this.emit('ended', reason);
    })();
    return this.closing;
  }

  /**
   * rtpengine lost this call's media (it restarted, or stopped forwarding it after a
   * freeze): nobody can hear anybody any more, so the call ends, with a Reason on both
   * sides and a record, rather than leave the customer in silence.
   */
  mediaLost(): Promise<void> {
    return this.close('media-lost', { reason: 'Q.850;cause=41;text="media server failure"' });
  }

  /** An internal error in this call's handling: this call ends, the others carry on. */
  fail(err: Error): void {
    if (this.ended) return;
    this.log.error({ err: err.message }, 'internal error: ending the call');
    void this.close('error', { reason: 'SIP;cause=500;text="holdfast internal error"' });
  }

  movePhase(to: CallPhase): void {
    const from = this.phaseValue;
    if (from === to) return;
    assertPhaseMove(this.id, from, to);
    this.phaseValue = to;
    this.emit('phase', to, from);
  }

  /** Recomputes the customer's view from the phase and the legs; emits it when it changed. */
  refresh(): void {
    if (this.ended) return;
    const to = customerViewOf(this);
    const from = this.view;
    if (to === from) return;
    assertCallMove(this.id, from, to);
    this.view = to;
    this.emit('state', to, from);
  }

  get musicDelayed(): boolean {
    return this.musicDelayedValue;
  }

  private delayMusic(delayMs: number): void {
    if (delayMs <= 0) return;
    this.musicDelayedValue = true;
    this.deadlines.set('musicDelay', delayMs, () => {
      this.endMusicDelay();
      if (!this.ended) void this.audio.sync();
    });
  }

  /** Once anything plays (or the delay is over), the music is never held back again. */
  private endMusicDelay(): void {
    this.musicDelayedValue = false;
    this.deadlines.cancel('musicDelay');
  }

  private scene(): AudioScene {
    return sceneOf(this);
  }
}
