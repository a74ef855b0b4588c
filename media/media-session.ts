// Why past ~350 lines: every ng command a call sends goes through this one class (its
// serial queue and its legs' state); the pairing rules already live in call-topology.ts.
// One call's media in rtpengine: every party (customer, agents, consulted or transfer
// targets) is a leg, named by a tag the gateway chooses, with a profile ('rtp', 'webrtc');
// rtpengine sees one call-id in which every leg is a monologue. Measured on 10.5 (README):
// - offer/answer pairs two tags, one to one, at the offer already (call-topology.ts keeps
//   "who hears whom" equal to that pairing; a party without a partner is left alone);
// - with 'port latching' a re-paired party keeps its ports (and, for WebRTC, rtpengine's
//   ICE credentials and fingerprint): consults, transfers and agent changes need no
//   re-INVITE to anyone already in the call;
// - rtpengine copies o= session ids from whichever peer an SDP was made from, so every
//   SDP returned here is stamped with its leg's one origin (sdp-origin.ts).
import { EventEmitter } from 'node:events';
import { BlockReasons } from './block-reasons';
import { CallTopology, type Leg, type LegInfo } from './call-topology';
import { ClosedError, RtpengineError, UnsupportedSdpError } from './errors';
import type { LegProfile } from './leg-profile';
import type { NgClient } from './ng-client';
import type { NgParams, NgReply } from './ng-types';
import { audioOf, parseSdp, SdpParseError, type Direction } from './sdp';
import { sends } from './sdp-direction';
import { sdpLimitViolation } from './sdp-limits';
import { SdpOrigins } from './sdp-origin';
import type { SessionSnapshot } from './session-snapshot';
import { transportChanged } from './sdp-transport';

export type { LegInfo };

export interface PairResult {
  /**
   * Legs whose media address (or ICE credentials, DTLS fingerprint) rtpengine changed: send
   * each a re-INVITE with reofferTo(tag) and apply the reply with complete(tag, sdp).
   * Empty on rtpengine 10.5 with port latching (measured for 'rtp' and 'webrtc' legs).
   */
  readonly reoffer: string[];
}

export interface MediaSessionEvents {
  /** A leg's own direction changed (hold, resume): the watchdog listens. */
  direction: [tag: string, direction: Direction];
  legRemoved: [tag: string];
  closed: [];
}

export class MediaSession extends EventEmitter<MediaSessionEvents> {
  private readonly blocks: BlockReasons;
  private readonly topology: CallTopology;
  private readonly origins = new SdpOrigins();
  private chain: Promise<unknown> = Promise.resolve();
  private closing?: Promise<void>;

  constructor(
    readonly client: NgClient,
    readonly callId: string,
  ) {
    super();
    if (!callId) throw new TypeError('MediaSession needs a non-empty call-id');
    const raw = (command: Parameters<NgClient['request']>[0], params: NgParams) =>
      this.send(command, params);
    this.blocks = new BlockReasons(raw);
    this.topology = new CallTopology({
      callId,
      request: raw,
      blocks: this.blocks,
      onDirection: (tag, d) => this.emit('direction', tag, d),
    });
  }

  /** A session for an rtpengine call another process set up, from its snapshot(). */
  static restore(client: NgClient, snap: SessionSnapshot): MediaSession {
    const session = new MediaSession(client, snap.callId);
    session.topology.restore(snap.legs);
    session.blocks.restore(snap.blocks);
    session.origins.restore(snap.origins);
    return session;
  }

  /** What this session knows beyond rtpengine, as plain data (see session-snapshot.ts). */
  snapshot(): SessionSnapshot {
    return {
      callId: this.callId,
      legs: this.topology.snapshot(),
      blocks: this.blocks.snapshot(),
      origins: this.origins.snapshot(),
    };
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  leg(tag: string): LegInfo | undefined {
    return this.topology.info(tag);
  }

  get legTags(): string[] {
    return this.topology.partyTags();
  }

  /** Whether the leg is expected to send media now (false while it holds or is inactive). */
  expectsMediaFrom(tag: string): boolean {
    const leg = this.topology.party(tag);
    return leg !== undefined && leg.sdp !== undefined && sends(leg.direction);
  }

  addLeg(tag: string, profile: LegProfile): void {
    this.assertOpen();
    this.topology.addParty(tag, profile);
  }

  /**
   * `fromTag` offers `sdp`; returns the SDP to send to `toTag` (in toTag's profile). They are
   * paired at once; whoever either was with is left alone. UnsupportedSdpError → 488.
   */
  offer(fromTag: string, sdp: string, toTag: string): Promise<string> {
    return this.serial(async () => {
      const from = this.mustHave(fromTag);
      const to = this.mustHave(toTag);
      const direction = checkSdp(sdp, fromTag);
      return this.stamp(to, await this.topology.offer(from, to, sdp, direction));
    });
  }

  /**
   * `answererTag` answers the offer made to it (by `offererTag`, default: whoever offered);
   * returns the SDP to send to the offerer. When the offerer already has its SDP (an
   * established party: attach, reofferTo), use complete() instead.
   */
  answer(answererTag: string, sdp: string, offererTag?: string): Promise<string> {
    return this.serial(async () => {
      const answerer = this.mustHave(answererTag);
      const offerer = offererTag ? this.mustHave(offererTag) : this.topology.offererOf(answerer);
      const direction = checkSdp(sdp, answererTag);
      const out = await this.topology.answer(answerer, offerer, sdp, direction);
      return offerer.standsInFor ? out : this.stamp(offerer, out);
    });
  }

  /**
   * `answererTag` answers the offer made to it on behalf of a party that keeps the SDP it
   * has (attach for a consult, transfer or new agent; reofferTo): nothing is sent to that
   * party unless the result says so.
   */
  complete(answererTag: string, sdp: string): Promise<PairResult> {
    return this.serial(async () => {
      const answerer = this.mustHave(answererTag);
      const offerer = this.topology.offererOf(answerer);
      const direction = checkSdp(sdp, answererTag);
      const out = await this.topology.answer(answerer, offerer, sdp, direction);
      return { reoffer: !offerer.standsInFor && this.changed(offerer, out) ? [offerer.tag] : [] };
    });
  }

  /**
   * A party with nobody to talk to yet (a queued customer): returns the SDP to answer its
   * offer with, so that it can hear music. It is alone until paired (attach, pair).
   */
  acceptAlone(tag: string, sdp: string): Promise<string> {
    return this.serial(async () => {
      const leg = this.mustHave(tag);
      this.topology.record(leg, sdp, checkSdp(sdp, tag));
      return this.stamp(leg, (await this.topology.isolate(leg))!);
    });
  }

  /**
   * A party that sent no offer (a late-offer INVITE): returns the SDP to offer it (in the
   * 200); complete with answer(tag, theirSdp) when its answer comes (in the ACK).
   */
  offerAlone(tag: string): Promise<string> {
    return this.serial(async () => {
      const leg = this.mustHave(tag);
      return this.stamp(leg, await this.topology.offerAlone(leg));
    });
  }

  /**
   * Starts a new leg `newTag` for the existing party `existingTag` (new agent, reroute,
   * consult, transfer): returns the offer to send to the new leg. rtpengine pairs them at
   * once; the party's previous partner is left alone. Then complete(newTag, theirSdp) (or
   * answer() when the existing party still needs an answer), and removeLeg() what is done.
   */
  attach(existingTag: string, newTag: string, profile: LegProfile): Promise<string> {
    return this.serial(async () => {
      const existing = this.mustHave(existingTag);
      if (!existing.sdp)
        throw new Error(`call ${this.callId}: leg ${existingTag} has sent no SDP yet`);
      this.addLeg(newTag, profile);
      const leg = this.mustHave(newTag);
      return this.stamp(leg, await this.topology.offer(existing, leg, existing.sdp));
    });
  }

  /**
   * Makes `a` and `b` (both having sent SDP) hear each other and nobody else; whoever either
   * was with is left alone. rtpengine's SDPs are not sent to anyone: see PairResult.
   */
  pair(a: string, b: string): Promise<PairResult> {
    return this.serial(async () => {
      const legA = this.mustHave(a);
      const legB = this.mustHave(b);
      if (legA === legB) throw new Error(`call ${this.callId}: cannot pair ${a} with itself`);
      for (const l of [legA, legB])
        if (!l.sdp) throw new Error(`call ${this.callId}: leg ${l.tag} has sent no SDP yet`);
      const { forA, forB } = await this.topology.pair(legA, legB);
      const reoffer: string[] = [];
      if (this.changed(legA, forA)) reoffer.push(a);
      if (this.changed(legB, forB)) reoffer.push(b);
      return { reoffer };
    });
  }

  /**
   * Leaves `tag` alone: nobody hears it and it hears only what is played to it; its partner
   * is left alone too. No SDP is sent to either (their ports stay).
   */
  isolate(tag: string): Promise<void> {
    return this.serial(async () => {
      const leg = this.mustHave(tag);
      if (!leg.sdp) throw new Error(`call ${this.callId}: leg ${tag} has sent no SDP yet`);
      await this.topology.isolate(leg);
    });
  }

  /**
   * A re-INVITE from `tag` (new ICE credentials, DTLS fingerprint, hold…) answered by the
   * gateway alone: returns the SDP for `tag`'s 200 OK; its partner is not involved.
   */
  renegotiate(tag: string, sdp: string): Promise<string> {
    return this.serial(async () => {
      const leg = this.mustHave(tag);
      return this.stamp(leg, await this.topology.renegotiate(leg, sdp, checkSdp(sdp, tag)));
    });
  }

  /**
   * A fresh offer from the gateway towards `tag` (re-INVITE on reconnect), built from its
   * partner's last SDP. Apply the reply with complete(tag, theirSdp).
   */
  reofferTo(tag: string, direction?: Direction): Promise<string> {
    return this.serial(async () => {
      const leg = this.mustHave(tag);
      return this.stamp(leg, await this.topology.reoffer(leg, direction));
    });
  }

  /** Removes one leg from rtpengine (its ports are freed); whoever was with it is left alone. */
  removeLeg(tag: string): Promise<void> {
    return this.serial(async () => {
      const leg = this.topology.party(tag);
      if (!leg) return;
      await this.topology.remove(leg);
      this.origins.forget(tag);
      this.emit('legRemoved', tag);
    });
  }

  /** Nobody hears `tag` any more (rtpengine drops what that party sends). */
  block(tag: string): Promise<void> {
    return this.blocks.set(tag, 'caller', true);
  }

  /** What `tag` sends is forwarded again (unless it is alone: then to nobody still). */
  unblock(tag: string): Promise<void> {
    return this.blocks.set(tag, 'caller', false);
  }

  /**
   * Plays a WAV file to `listener` (a second stream beside what it already hears), `repeats`
   * times. Resolves with the file's duration in ms when rtpengine reports it.
   */
  async play(listener: string, file: string, repeats = 1): Promise<number | undefined> {
    const reply = await this.request('play media', {
      'from-tag': listener,
      file,
      'repeat-times': repeats,
    });
    return typeof reply.duration === 'number' && reply.duration > 0 ? reply.duration : undefined;
  }

  /** Stops what is playing to `listener`; resolves even when nothing was playing. */
  async stopPlaying(listener: string): Promise<void> {
    await this.request('stop media', { 'from-tag': listener }).catch((err) => {
      if (!(err instanceof RtpengineError && err.kind === 'refused')) throw err;
    });
  }

  /** Where rtpengine stands on this call (per-tag streams and packet counts). */
  query(): Promise<NgReply> {
    return this.request('query');
  }

  /**
   * Sends one ng command about this call (play media, query…). A block or unblock of one
   * from-tag goes through block()/unblock(), so that it composes with the pairing's blocks.
   */
  request(command: Parameters<NgClient['request']>[0], params: NgParams = {}): Promise<NgReply> {
    const tag = params['from-tag'];
    if (
      (command === 'block media' || command === 'unblock media') &&
      typeof tag === 'string' &&
      Object.keys(params).length === 1
    ) {
      const done = command === 'block media' ? this.block(tag) : this.unblock(tag);
      return done.then(() => ({ result: 'ok' }));
    }
    return this.send(command, params);
  }

  /** Deletes the call in rtpengine at once. Idempotent; never rejects for an unknown call. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.chain.catch(() => {});
      try {
        if (this.topology.legs.size)
          await this.client.request('delete', { 'call-id': this.callId, 'delete delay': 0 });
      } catch (err) {
        if (!(err instanceof RtpengineError && (err.unknownCall || err.kind === 'closed')))
          throw err;
      } finally {
        this.topology.legs.clear();
        this.emit('closed');
      }
    })();
    return this.closing;
  }

  private send(command: Parameters<NgClient['request']>[0], params: NgParams = {}) {
    if (this.closed && command !== 'delete') {
      return Promise.reject(new ClosedError(`call ${this.callId}: media session is closed`));
    }
    return this.client.request(command, { 'call-id': this.callId, ...params });
  }

  private stamp(leg: Leg, sdp: string): string {
    return this.origins.stamp(leg.tag, sdp);
  }

  /** Whether rtpengine's new SDP for `leg` asks it to send elsewhere than it does. */
  private changed(leg: Leg, sdp: string): boolean {
    const last = this.origins.lastSent(leg.tag);
    return last !== undefined && transportChanged(last, sdp);
  }

  private mustHave(tag: string): Leg {
    return this.topology.mustHave(tag);
  }

  private assertOpen(): void {
    if (this.closed) throw new ClosedError(`call ${this.callId}: media session is closed`);
  }

  // One negotiation at a time per call: rtpengine's state depends on their order.
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(() => {
      this.assertOpen();
      return fn();
    });
    this.chain = run.catch(() => {});
    return run;
  }
}

/** Checks that an SDP body has audio we can anchor; returns the audio direction. */
function checkSdp(sdp: string, tag: string): Direction {
  // Before anything reaches rtpengine: some numbers crash it (media/sdp-limits.ts).
  const violation = sdpLimitViolation(sdp);
  if (violation) throw new UnsupportedSdpError(`leg ${tag}: ${violation}`, tag);
  let audio;
  try {
    audio = audioOf(parseSdp(sdp));
  } catch (err) {
    const why = err instanceof SdpParseError ? err.message : String(err);
    throw new UnsupportedSdpError(`leg ${tag}: unreadable SDP: ${why}`, tag);
  }
  if (!audio) throw new UnsupportedSdpError(`leg ${tag}: SDP has no active audio stream`, tag);
  return audio.direction;
}
