// Who hears whom in one rtpengine call, and the offer/answer exchanges that make it so.
//
// rtpengine 10.5 pairs tags one to one, and only through offer/answer (measured; README):
// pairing A with B stops everyone else from hearing A or B, but A and B still hear whoever
// they heard before — so a party whose partner was taken keeps being heard by that partner.
// Hence the rule kept here: every leg that has sent SDP is paired with exactly one partner,
// a real leg or its own stand-in (a peer whose media goes nowhere), and a leg whose partner
// is taken is at once paired with its stand-in and blocked. Then "who hears whom" is exactly
// the pairing, and a leg never loses its last partner inside rtpengine (which would delete
// it, and with it the call when two tags or fewer remain).
import type { BlockReasons } from './block-reasons';
import { RtpengineError } from './errors';
import { isLegProfile, profileOfSdp, type LegProfile } from './leg-profile';
import { negotiate, type NgRequest } from './ng-negotiation';
import type { Direction } from './sdp';
import { answerDirection, withDirection } from './sdp-direction';

export interface Leg {
  tag: string;
  profile: LegProfile;
  /** The last SDP this party sent (offer or answer). */
  sdp?: string;
  /** Direction in that SDP: whether the party sends and receives. */
  direction: Direction;
  /** Whom rtpengine pairs it with: a leg, or its stand-in. */
  peer?: string;
  /** Whether that pairing has been answered (else an offer awaits its answer). */
  answered: boolean;
  /** Who made the last offer this leg received (its answers go there). */
  offerFrom?: string;
  /** Its stand-in's tag while it has one. */
  standIn?: string;
  /** On a stand-in: the leg it stands in for. */
  standsInFor?: string;
  /** rtpengine knows the tag (it took part in an offer or answer). */
  inEngine: boolean;
}

export interface LegInfo {
  readonly tag: string;
  readonly profile: LegProfile;
  /** The last SDP this leg sent us (offer or answer). */
  readonly sdp?: string;
  /** Direction in the leg's own last SDP: whether *it* sends and receives. */
  readonly direction: Direction;
  /** The leg it hears and is heard by, once an answer has completed the pairing. */
  readonly peer?: string;
  /** The leg it has been offered to (or was offered by) while that answer is awaited. */
  readonly pendingPeer?: string;
  /** Heard by nobody, hearing nothing but what is played to it. */
  readonly alone: boolean;
}

export const STAND_IN_SUFFIX = '~alone';

// The stand-in's SDP: a discard address; what the party sends it is blocked anyway.
const STAND_IN_SDP = [
  'v=0',
  'o=- 1 1 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 9 RTP/AVP 0 8',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=sendrecv',
  '',
].join('\r\n');

export interface CallTopologyOptions {
  callId: string;
  request: NgRequest;
  blocks: BlockReasons;
  /** A party's own direction changed (hold, resume). */
  onDirection(tag: string, direction: Direction): void;
}

export class CallTopology {
  readonly legs = new Map<string, Leg>();

  constructor(private readonly opts: CallTopologyOptions) {}

  /** Every leg as it stands, for another process to carry on (MediaSession.snapshot). */
  snapshot(): Leg[] {
    return [...this.legs.values()].map((l) => ({ ...l }));
  }

  restore(legs: Leg[]): void {
    for (const l of legs) this.legs.set(l.tag, { ...l });
  }

  /** A party's leg (not a stand-in), or undefined. */
  party(tag: string): Leg | undefined {
    const leg = this.legs.get(tag);
    return leg && !leg.standsInFor ? leg : undefined;
  }

  mustHave(tag: string): Leg {
    const leg = this.party(tag);
    if (!leg) {
      throw new Error(
        `call ${this.opts.callId}: no leg ${JSON.stringify(tag)} (add it with addLeg first)`,
      );
    }
    return leg;
  }

  partyTags(): string[] {
    return [...this.legs.values()].filter((l) => !l.standsInFor).map((l) => l.tag);
  }

  info(tag: string): LegInfo | undefined {
    const leg = this.party(tag);
    if (!leg) return undefined;
    const peer = leg.peer !== undefined ? this.party(leg.peer) : undefined;
    return {
      tag: leg.tag,
      profile: leg.profile,
      sdp: leg.sdp,
      direction: leg.direction,
      peer: peer && leg.answered ? peer.tag : undefined,
      pendingPeer: peer && !leg.answered ? peer.tag : undefined,
      alone: !(peer && leg.answered),
    };
  }

  addParty(tag: string, profile: LegProfile): Leg {
    if (!tag) throw new TypeError('a leg needs a non-empty tag');
    if (tag.endsWith(STAND_IN_SUFFIX))
      throw new TypeError(`leg ${tag}: tags ending in '${STAND_IN_SUFFIX}' are reserved`);
    if (!isLegProfile(profile)) {
      throw new TypeError(
        `leg ${tag}: unknown media profile ${JSON.stringify(profile)} (use 'rtp' or 'webrtc')`,
      );
    }
    if (this.legs.has(tag)) throw new Error(`call ${this.opts.callId}: leg ${tag} already exists`);
    return this.add(tag, profile);
  }

  private add(tag: string, profile: LegProfile): Leg {
    const leg: Leg = { tag, profile, direction: 'sendrecv', answered: false, inEngine: false };
    this.legs.set(tag, leg);
    return leg;
  }

  /** Records what a party sent. */
  record(leg: Leg, sdp: string, direction: Direction): void {
    leg.sdp = sdp;
    // What it sent is what it speaks: answers to its offers keep their transport (RFC 3264
    // §6.1), and our later offers to it use it too.
    leg.profile = profileOfSdp(sdp) ?? leg.profile;
    if (leg.direction !== direction) {
      leg.direction = direction;
      if (!leg.standsInFor) this.opts.onDirection(leg.tag, direction);
    }
  }

  /**
   * `from` offers `sdp` to `to` (recorded as from's when `recordAs` is given); resolves with
   * the SDP for `to`. rtpengine pairs them at once: their previous partners are left alone,
   * and `to`, if it has sent no SDP yet, is blocked until it answers.
   */
  async offer(from: Leg, to: Leg, sdp: string, recordAs?: Direction): Promise<string> {
    const out = await this.exchange('offer', from, to, sdp);
    to.offerFrom = from.tag;
    if (recordAs) this.record(from, sdp, recordAs);
    // rtpengine forwards what a party sends to its offered port before it answered
    // (measured): nobody hears a party until its answer arrives.
    if (!to.sdp && !to.standsInFor) await this.opts.blocks.set(to.tag, 'alone', true);
    await this.settle(this.link(from, to, false));
    return out;
  }

  /** `answerer` answers the offer `offerer` made it; resolves with the SDP for the offerer. */
  async answer(answerer: Leg, offerer: Leg, sdp: string, recordAs?: Direction): Promise<string> {
    if (offerer.peer !== answerer.tag || answerer.offerFrom !== offerer.tag) {
      throw new Error(
        `call ${this.opts.callId}: ${answerer.tag} cannot answer ${offerer.tag}: no offer ` +
          `between them is outstanding (${offerer.tag} is with ${offerer.peer ?? 'nobody'})`,
      );
    }
    const out = await this.exchange('answer', offerer, answerer, sdp);
    if (recordAs) this.record(answerer, sdp, recordAs);
    await this.settle(this.link(offerer, answerer, true));
    if (!offerer.standsInFor && !answerer.standsInFor) {
      await this.dropStandIn(offerer);
      await this.dropStandIn(answerer);
    }
    return out;
  }

  /**
   * A re-offer from `leg` answered through its partner (or stand-in) alone, as the partner
   * would within what the offer allows (RFC 3264 §6.1); resolves with the SDP for `leg`.
   */
  async renegotiate(leg: Leg, sdp: string, direction: Direction): Promise<string> {
    const peer = this.answeredPeer(leg, 'renegotiate with');
    await this.offer(leg, peer, sdp, direction);
    const peerSdp = withDirection(peer.sdp!, answerDirection(direction, peer.direction));
    return this.answer(peer, leg, peerSdp);
  }

  /** A fresh offer to `leg` from its partner's (or stand-in's) last SDP. */
  reoffer(leg: Leg, direction?: Direction): Promise<string> {
    const peer = this.answeredPeer(leg, 'offer from');
    return this.offer(peer, leg, direction ? withDirection(peer.sdp!, direction) : peer.sdp!);
  }

  /** The leg whose offer `answerer` is to answer. */
  offererOf(answerer: Leg): Leg {
    const from = answerer.offerFrom !== undefined ? this.legs.get(answerer.offerFrom) : undefined;
    const offerer = from?.peer === answerer.tag ? from : undefined;
    if (!offerer)
      throw new Error(`call ${this.opts.callId}: no offer to leg ${answerer.tag} is outstanding`);
    return offerer;
  }

  /** `a` and `b`, both with SDP, hear each other; resolves with what rtpengine made for each. */
  async pair(a: Leg, b: Leg): Promise<{ forA: string; forB: string }> {
    const forB = await this.offer(a, b, a.sdp!);
    const bSdp = withDirection(b.sdp!, answerDirection(a.direction, b.direction));
    const forA = await this.answer(b, a, bSdp);
    return { forA, forB };
  }

  /**
   * Leaves `leg` alone: paired with its stand-in (its partner, if any, is left alone too) and
   * blocked. Resolves with the SDP rtpengine made for it, or undefined when it has sent no
   * SDP yet (then it is only blocked: it may send to the port it was offered).
   */
  async isolate(leg: Leg): Promise<string | undefined> {
    await this.opts.blocks.set(leg.tag, 'alone', true);
    if (!leg.sdp) {
      leg.peer = undefined;
      leg.answered = false;
      return undefined;
    }
    const standIn = this.standInOf(leg);
    await this.offer(leg, standIn, leg.sdp);
    return this.answer(standIn, leg, STAND_IN_SDP);
  }

  /**
   * A party that offered nothing (an INVITE without SDP): its stand-in offers to it, and
   * the party's answer completes the pairing. It stays alone (blocked) until paired.
   */
  offerAlone(leg: Leg): Promise<string> {
    return this.offer(this.standInOf(leg), leg, STAND_IN_SDP);
  }

  private standInOf(leg: Leg): Leg {
    const existing = leg.standIn ? this.legs.get(leg.standIn) : undefined;
    if (existing) return existing;
    const standIn = this.add(leg.tag + STAND_IN_SUFFIX, 'rtp');
    standIn.sdp = STAND_IN_SDP;
    standIn.standsInFor = leg.tag;
    leg.standIn = standIn.tag;
    return standIn;
  }

  /** Deletes `leg` (and its stand-in) from rtpengine; whoever was with it is left alone first. */
  async remove(leg: Leg): Promise<void> {
    this.legs.delete(leg.tag);
    const orphans: Leg[] = [];
    for (const other of this.legs.values()) {
      if (other.peer !== leg.tag) continue;
      other.peer = undefined;
      other.answered = false;
      if (!other.standsInFor) orphans.push(other);
    }
    await this.settle(orphans);
    const standIn = leg.standIn ? this.legs.get(leg.standIn) : undefined;
    if (standIn) {
      this.legs.delete(standIn.tag);
      await this.deleteTag(standIn.tag);
    }
    if (leg.inEngine) await this.deleteTag(leg.tag);
    this.opts.blocks.forget(leg.tag);
  }

  /** The partner (or stand-in) of a leg whose pairing is answered. */
  private answeredPeer(leg: Leg, what: string): Leg {
    const peer = leg.peer !== undefined ? this.legs.get(leg.peer) : undefined;
    const why = `call ${this.opts.callId}: leg ${leg.tag} has no answered peer to ${what}`;
    // rtpengine can answer only through the party the offer went to (answer with 491).
    if (peer && !leg.answered) throw new Error(`${why}: an offer to ${peer.tag} awaits its answer`);
    if (!peer?.sdp) throw new Error(why);
    return peer;
  }

  private exchange(command: 'offer' | 'answer', offerer: Leg, answerer: Leg, sdp: string) {
    return negotiate(this.opts.request, this.opts.callId, {
      command,
      fromTag: offerer.tag,
      toTag: answerer.tag,
      sdp,
      outProfile: command === 'offer' ? answerer.profile : offerer.profile,
    });
  }

  /** Pairs a with b in the books; returns the legs whose partner this took. */
  private link(a: Leg, b: Leg, answered: boolean): Leg[] {
    a.inEngine = b.inEngine = true;
    if (a.peer === b.tag && b.peer === a.tag) {
      if (answered) a.answered = b.answered = true;
      return [];
    }
    const orphans: Leg[] = [];
    for (const side of [a, b]) {
      const old = side.peer !== undefined ? this.legs.get(side.peer) : undefined;
      if (!old || old === a || old === b || old.peer !== side.tag) continue;
      old.peer = undefined;
      old.answered = false;
      if (!old.standsInFor) orphans.push(old);
    }
    a.peer = b.tag;
    b.peer = a.tag;
    a.answered = b.answered = answered;
    return orphans;
  }

  private async settle(orphans: Leg[]): Promise<void> {
    for (const leg of orphans) {
      if (this.legs.get(leg.tag) === leg && leg.peer === undefined) await this.isolate(leg);
    }
  }

  /** A leg paired with a real partner needs its stand-in no more. */
  private async dropStandIn(leg: Leg): Promise<void> {
    const standIn = leg.standIn ? this.legs.get(leg.standIn) : undefined;
    leg.standIn = undefined;
    if (standIn) {
      this.legs.delete(standIn.tag);
      await this.deleteTag(standIn.tag);
    }
    if (this.opts.blocks.has(leg.tag, 'alone')) await this.opts.blocks.set(leg.tag, 'alone', false);
  }

  private async deleteTag(tag: string): Promise<void> {
    await this.opts.request('delete', { 'from-tag': tag, 'delete delay': 0 }).catch((err) => {
      if (!(err instanceof RtpengineError && err.kind === 'refused')) throw err;
    });
  }
}
