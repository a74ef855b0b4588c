// How a call brings a new agent leg in: an rtpengine offer for it beside the customer, the
// INVITE, the customer's ringback or the agent's early media, then on answer the media
// completed, the customer answered (first time only) and the previous legs let go.
// It is the call's own helper: it changes the call's legs and nothing else.
import type { Logger } from 'pino';
import type { LegProfile, MediaSession } from '../../media';
import type { SipDialog } from '../sip-types/srf-types';
import { AgentLeg, type AgentLegDeps, type AgentLegRole } from './agent-leg';
import type { AudioPlan } from './audio-plan';
import type { CallEvents, EndReason } from './call-events';
import type { CallDeps } from './call-deps';
import type { CallPhase } from './call-phase';
import { CUSTOMER_TAG, type CustomerLeg } from './customer-leg';
import type { DialTarget, RingOutcome } from './dial-target';
import { LEG_ALLOW } from './in-dialog-extras';

/** What the dialer reads and changes of its call (the Call itself). */
/** An agent leg another instance connected, as the shared store keeps it. */
export interface AdoptedPrimary {
  agentId: string;
  tag: string;
  profile: LegProfile;
  uri: string;
  held: boolean;
  muted: boolean;
}

export interface DialingCall {
  readonly id: string;
  readonly ended: boolean;
  readonly session: MediaSession;
  readonly customer: CustomerLeg;
  readonly audio: AudioPlan;
  readonly log: Logger;
  primary?: AgentLeg;
  dialing?: AgentLeg;
  retired: AgentLeg[];
  /** Whom a new primary leg is paired with: the customer, or the consulted agent. */
  partnerForNewPrimary(): string;
  /** Headers that tell an agent who is calling (the customer's identity, unless private). */
  identityHeaders(): Record<string, string>;
  listenerCount(event: keyof CallEvents): number;
  emit<K extends keyof CallEvents>(event: K, ...args: CallEvents[K]): boolean;
  readonly deps: CallDeps;
  fail(err: Error): void;
  movePhase(to: CallPhase): void;
  refresh(): void;
  close(reason: EndReason): Promise<void>;
  mediaLost(): Promise<void>;
  setHold(held: boolean, leg?: AgentLeg): Promise<void>;
  setMute(muted: boolean, leg?: AgentLeg): Promise<void>;
}

export class LegDialer {
  private legSeq = 0;

  constructor(private readonly call: DialingCall) {}

  async ring(target: DialTarget): Promise<RingOutcome> {
    const call = this.call;
    const role = target.agentId ? 'primary' : 'overflow';
    if (role === 'overflow') call.emit('overflowed', target.uri);
    const leg = this.newLeg(role, target, (placed) => {
      call.dialing = placed;
      call.refresh();
    });
    const answered = await this.connect(leg, target);
    if (answered) return call.ended ? 'ended' : 'answered';
    if (call.ended) return 'ended';
    call.emit('legEnded', leg, 'not-answered');
    return 'failed';
  }

  /** A fresh offer on the leg's own dialog (re-INVITE, ICE restart); false if it failed. */
  async reoffer(leg: AgentLeg | undefined): Promise<boolean> {
    if (!leg?.dialog) return false;
    const session = this.call.session;
    try {
      const offer = await session.reofferTo(leg.tag);
      const answer = await leg.modify(offer);
      await session.complete(leg.tag, answer);
      return true;
    } catch (err) {
      this.call.log.warn(
        { agentId: leg.agentId, err: (err as Error).message },
        're-INVITE to the agent failed',
      );
      return false;
    }
  }

  /** The primary another instance connected (a survivor's takeover), on its own tag. */
  adoptPrimary(p: AdoptedPrimary, dialog: SipDialog): AgentLeg {
    const call = this.call;
    this.legSeq = Math.max(this.legSeq, Number(p.tag.split('-').pop()) || 0);
    const spec = { role: 'primary' as const, resume: false, ...p };
    const leg = new AgentLeg(spec, this.legDeps());
    [leg.held, leg.muted] = [p.held, p.muted];
    this.bind(leg);
    call.primary = leg;
    call.emit('legCreated', leg);
    call.emit('legOffered', leg);
    leg.adopt(dialog);
    call.emit('legAnswered', leg);
    return leg;
  }

  /**
   * A new agent leg for `role`, with the handlers every agent leg has; `placed` puts it in
   * the call before anyone hears of it (legCreated: engagements; legOffered: records).
   */
  newLeg(
    role: AgentLegRole,
    target: DialTarget,
    placed: (leg: AgentLeg) => void = () => {},
  ): AgentLeg {
    const call = this.call;
    const leg = new AgentLeg(
      {
        role,
        agentId: target.agentId,
        tag: `${target.agentId ?? role}-${++this.legSeq}`,
        profile: target.profile,
        uri: target.uri,
        resume: target.resume === true,
      },
      this.legDeps(),
    );
    this.bind(leg);
    placed(leg);
    call.emit('legCreated', leg);
    call.emit('legOffered', leg);
    return leg;
  }

  /**
   * An rtpengine offer for `leg` beside `partner` (whose previous partner is left alone),
   * then the INVITE; resolves with the dialog, or undefined (offer refused, INVITE failed,
   * call ended) after releasing the leg.
   */
  async invite(leg: AgentLeg, partner: string, target: DialTarget): Promise<SipDialog | undefined> {
    const call = this.call;
    let offer: string;
    try {
      offer = await call.session.attach(partner, leg.tag, target.profile);
    } catch (err) {
      call.log.error(
        { leg: leg.tag, err: (err as Error).message },
        'rtpengine offer for the leg failed',
      );
      leg.release();
      await call.session.removeLeg(leg.tag).catch(() => {});
      return undefined;
    }
    if (call.ended) return void leg.release();
    const headers: Record<string, string> = {
      'X-Holdfast-Call': call.id,
      ...call.identityHeaders(),
    };
    if (target.resume) headers['X-Holdfast-Resume'] = call.id;
    const dialog = await leg.invite(offer, headers, target.timeoutMs);
    if (!dialog || call.ended) {
      leg.release();
      return undefined;
    }
    return dialog;
  }

  private async connect(leg: AgentLeg, target: DialTarget): Promise<boolean> {
    const call = this.call;
    const session = call.session;
    const log = call.log.child({ agentId: target.agentId, leg: leg.tag });
    leg.on('progress', (status) => call.customer.progress(status));
    leg.on('earlyMedia', (sdp) => void this.bridgeEarlyMedia(leg, sdp));
    const dialog = await this.invite(leg, call.partnerForNewPrimary(), target);
    if (!dialog || call.ended) {
      this.failed(leg);
      if (call.ended) return false;
      // Removing a leg gives its partner (the customer, if it had its early media) a
      // stand-in again: rtpengine would delete a tag left without a partner.
      await session.removeLeg(leg.tag).catch(() => {});
      await call.audio.sync();
      return false;
    }
    let customerSdp: string | undefined;
    try {
      // The customer's SDP is needed only for its 200; afterwards it changes nothing for it.
      if (call.customer.answered) await session.complete(leg.tag, dialog.remote.sdp);
      else customerSdp = await session.answer(leg.tag, dialog.remote.sdp, CUSTOMER_TAG);
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'agent answer unusable');
      this.failed(leg, { Reason: 'SIP;cause=488' });
      if (!call.ended) await session.removeLeg(leg.tag).catch(() => {});
      return false;
    }
    if (call.ended) return this.failed(leg);
    await this.takeOver(leg);
    if (customerSdp !== undefined && !(await call.customer.answer(customerSdp))) {
      void call.close('customer-cancel');
      return false;
    }
    call.emit('legAnswered', leg);
    await call.audio.sync();
    call.refresh();
    log.info({ profile: target.profile }, 'agent leg connected');
    return true;
  }

  /** What every agent leg of this call is given. */
  private legDeps(): AgentLegDeps {
    const { deps, session, log } = this.call;
    return {
      srf: deps.srf,
      session,
      watchdog: deps.watchdog,
      clock: deps.clock,
      keepaliveMs: deps.keepaliveMs,
      failureReasons: deps.failureReasons,
      log,
      fail: (err) => this.call.fail(err),
    };
  }

  /** What the agent asks on its own leg. */
  private bind(leg: AgentLeg): void {
    const call = this.call;
    leg.on('hungUp', () => {
      if (leg === call.primary) void call.close('agent-hangup');
    });
    leg.on('referred', (req, res) => {
      if (call.listenerCount('referred')) call.emit('referred', leg, req, res);
      else res.send(405, { headers: { Allow: LEG_ALLOW } });
    });
    leg.on('mediaDead', () => void call.mediaLost());
    leg.on('holdRequested', (held) => void call.setHold(held, leg));
    leg.on('muteRequested', (muted) => void call.setMute(muted, leg));
  }

  /** The answered leg becomes the customer's party; the legs it replaces go. */
  private async takeOver(leg: AgentLeg): Promise<void> {
    const call = this.call;
    const previous = call.primary;
    // A resumed agent keeps its hold and mute.
    if (leg.spec.resume && previous) {
      leg.held = previous.held;
      leg.muted = previous.muted;
    }
    call.dialing = undefined;
    call.primary = leg;
    leg.connected();
    call.movePhase('talking');
    for (const old of [previous, ...call.retired]) {
      if (!old || old === leg) continue;
      old.release();
      await call.session.removeLeg(old.tag).catch(() => {});
    }
    call.retired = [];
  }

  private failed(leg: AgentLeg, headers: Record<string, string> = {}): false {
    const call = this.call;
    leg.release(headers);
    // The overflow's failure ends the call: its view stays 'overflow' until then.
    if (call.dialing === leg && leg.role !== 'overflow') call.dialing = undefined;
    call.refresh();
    return false;
  }

  /** Ringing reaches a waiting customer; an agent's early media (183 + SDP) replaces the music. */
  private async bridgeEarlyMedia(leg: AgentLeg, sdp: string): Promise<void> {
    const call = this.call;
    if (call.customer.answered || call.dialing !== leg) return;
    try {
      const customerSdp = await call.session.answer(leg.tag, sdp, CUSTOMER_TAG);
      if (call.ended || call.customer.answered || call.dialing !== leg || leg.released) return;
      leg.earlyBridged = true;
      await call.audio.sync();
      call.customer.progress(183, customerSdp);
    } catch (err) {
      call.log.warn(
        { leg: leg.tag, err: (err as Error).message },
        'early media from the agent unusable',
      );
    }
  }
}
