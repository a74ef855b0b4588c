// A second agent on a call, brought in by the primary: a consult (the primary talks with a
// colleague while the customer holds, then completes or cancels) or a blind transfer (the
// customer is handed to a target; back to the primary if it fails). Who hears whom follows
// rtpengine's one-to-one pairing (media/README.md, "Several parties"): no party is
// re-INVITEd. It is the call's own helper: it changes the call's legs and nothing else.
import type { AgentLeg } from './agent-leg';
import type { DialTarget, RingOutcome } from './dial-target';
import type { DialingCall, LegDialer } from './leg-dialer';
import type { CallPhase } from './call-phase';
import { CUSTOMER_TAG } from './customer-leg';
import type { GoneEvidence } from './evidence';

/** What the handover reads and changes of its call (the Call itself). */
export interface HandoverCall extends DialingCall {
  readonly phase: CallPhase;
  consultLeg?: AgentLeg;
  transferLeg?: AgentLeg;
  /** A return of the primary on a new registration, deferred while its transfer rings. */
  pendingResume?: () => Promise<boolean>;
  /** Why the primary is gone, while it is. */
  goneEvidence?: GoneEvidence;
}

/** A request the call cannot take in its present phase (the API answers 409). */
export class CallConflictError extends Error {
  override name = 'CallConflictError';
}

export class Handover {
  constructor(
    private readonly call: HandoverCall,
    private readonly dialer: LegDialer,
  ) {}

  /** The customer holds with music; the primary and `target` talk once it answers. */
  async consult(target: DialTarget): Promise<RingOutcome> {
    this.assertTalking('consult');
    const call = this.call;
    const primary = call.primary!;
    call.movePhase('consulting');
    const leg = this.dialer.newLeg('consult', target, (placed) => (call.consultLeg = placed));
    // The consulted agent hangs up: as a cancel, the primary back with the customer.
    leg.on('hungUp', () => void this.endConsult(leg, 'secondary-hangup', { held: false }));
    await call.audio.sync();
    const dialog = await this.dialer.invite(leg, primary.tag, target);
    if (!dialog) {
      await this.endConsult(leg, 'not-answered', { held: false });
      return call.ended ? 'ended' : 'failed';
    }
    if (!(await this.complete(leg, dialog.remote.sdp))) {
      await this.endConsult(leg, 'answer-unusable', { held: false });
      return call.ended ? 'ended' : 'failed';
    }
    leg.connected();
    call.emit('legAnswered', leg);
    await call.audio.sync();
    return call.ended ? 'ended' : 'answered';
  }

  /** The consult is over and the customer goes to the consulted agent; the primary leaves. */
  async completeConsult(): Promise<void> {
    const call = this.call;
    const consulted = call.consultLeg;
    const primary = call.primary;
    if (call.phase !== 'consulting' || !consulted || consulted.state !== 'up')
      throw new CallConflictError(`call ${call.id}: no answered consult to complete`);
    await call.session.pair(CUSTOMER_TAG, consulted.tag);
    call.consultLeg = undefined;
    consulted.assume('primary');
    call.primary = consulted;
    call.movePhase('talking');
    if (primary) await this.retire(primary, 'consult-completed');
    call.refresh();
    await call.audio.sync();
  }

  /** The consulted agent leaves; the primary talks with the customer again. */
  async cancelConsult(): Promise<void> {
    const leg = this.call.consultLeg;
    if (this.call.phase !== 'consulting' || !leg)
      throw new CallConflictError(`call ${this.call.id}: no consult to cancel`);
    await this.endConsult(leg, 'consult-cancelled', { held: false });
  }

  /**
   * The consult ends for the consulted agent (cancelled, it hung up, failed, or dropped);
   * the primary is with the customer again — holding it (`held`) or talking with it.
   */
  async endConsult(leg: AgentLeg, reason: string, after: { held: boolean }): Promise<void> {
    const call = this.call;
    if (call.consultLeg !== leg) return;
    call.consultLeg = undefined;
    const primary = call.primary;
    if (call.ended) return;
    if (primary && !primary.released) {
      primary.held = after.held;
      // The customer's hold music started while it was alone, and rtpengine's player dies
      // when the customer is paired again: the plan stops it before the pairing (a held
      // customer and its agent blocked first), and the talking rules start it anew after.
      await call.audio.sync();
      await call.session.pair(CUSTOMER_TAG, primary.tag).catch((err: Error) => {
        call.log.warn({ err: err.message }, 'could not bring the customer back to the primary');
      });
    }
    // The consulted leg goes before the phase moves: a phase change re-enters the policy for
    // the call's absent agents, and a dropped consulted agent's part here is already over.
    await this.retire(leg, reason);
    if (call.phase === 'consulting') call.movePhase('talking');
    call.refresh();
    await call.audio.sync();
  }

  /** Hands the customer to `target`; back to the primary (as it was) if that fails. */
  async transfer(target: DialTarget): Promise<RingOutcome> {
    this.assertTalking('transfer');
    const call = this.call;
    call.movePhase('transferring');
    const leg = this.dialer.newLeg('transfer', target, (placed) => (call.transferLeg = placed));
    leg.on('earlyMedia', (sdp) => void this.bridgeEarly(leg, sdp));
    await call.audio.sync();
    const dialog = await this.dialer.invite(leg, CUSTOMER_TAG, target);
    if (!dialog || !(await this.complete(leg, dialog.remote.sdp))) {
      await this.transferFailed(leg);
      return call.ended ? 'ended' : 'failed';
    }
    const primary = call.primary;
    call.transferLeg = undefined;
    // A return of the transferor deferred until the transfer failed is void now: left set,
    // the next failed transfer on this call would ring the old agent instead.
    call.pendingResume = undefined;
    leg.assume('primary');
    call.primary = leg;
    leg.connected();
    // The transferor's part ends before the phase moves: an absent transferor must not
    // re-enter the phone-call column of a call it has just handed over.
    const retiring = primary ? this.retire(primary, 'transferred') : Promise.resolve();
    call.goneEvidence = undefined;
    call.movePhase('talking');
    call.emit('legAnswered', leg);
    await retiring;
    call.refresh();
    await call.audio.sync();
    return call.ended ? 'ended' : 'answered';
  }

  private assertTalking(what: string): void {
    const { phase, primary, id } = this.call;
    if (phase !== 'talking' || primary?.state !== 'up' || primary.role !== 'primary')
      throw new CallConflictError(
        `call ${id}: cannot ${what} now (${phase}, agent ${primary?.state ?? 'none'})`,
      );
  }

  private async transferFailed(leg: AgentLeg): Promise<void> {
    const call = this.call;
    if (call.transferLeg !== leg) return;
    call.transferLeg = undefined;
    if (call.ended) return;
    const primary = call.primary;
    if (primary && !primary.released)
      await call.session.pair(CUSTOMER_TAG, primary.tag).catch((err: Error) => {
        call.log.warn({ err: err.message }, 'could not bring the customer back to the primary');
      });
    call.movePhase('talking');
    // Released, but its tag stays in rtpengine until the next leg answers or the call ends:
    // deleting it (a tag offered from the customer) stopped the music played to the
    // customer (measured, rtpengine 10.5), so a customer held before the transfer heard
    // silence once it failed.
    if (!leg.released) {
      call.emit('legEnded', leg, 'not-answered');
      leg.release();
    }
    call.retired.push(leg);
    call.refresh();
    await call.audio.sync();
    const resume = call.pendingResume;
    call.pendingResume = undefined;
    if (resume) await resume();
  }

  /** Completes the pairing with the new leg's answer; false when rtpengine refuses it. */
  private async complete(leg: AgentLeg, sdp: string): Promise<boolean> {
    try {
      await this.call.session.complete(leg.tag, sdp);
      return true;
    } catch (err) {
      this.call.log.warn({ leg: leg.tag, err: (err as Error).message }, 'answer unusable');
      leg.release({ Reason: 'SIP;cause=488' });
      return false;
    }
  }

  /** A transfer target's early media (183 + SDP) replaces the customer's music. */
  private async bridgeEarly(leg: AgentLeg, sdp: string): Promise<void> {
    const call = this.call;
    try {
      await call.session.complete(leg.tag, sdp);
      if (call.transferLeg !== leg || leg.released) return;
      leg.earlyBridged = true;
      await call.audio.sync();
    } catch (err) {
      call.log.warn({ leg: leg.tag, err: (err as Error).message }, 'early media unusable');
    }
  }

  private async retire(leg: AgentLeg, reason: string): Promise<void> {
    if (!leg.released) {
      this.call.emit('legEnded', leg, reason);
      leg.release();
    }
    await this.call.session.removeLeg(leg.tag).catch(() => {});
  }
}
