// One call's media in rtpengine. Legs are named by tags the gateway chooses (one per SIP
// dialog towards a party) and each has a profile. rtpengine sees one call (the call-id) in
// which every leg is a monologue; offer/answer pairs two of them.
//
// What rtpengine 10.5 does, measured (test/media/media-session.test.ts proves it with RTP):
// - an offer from an existing tag with a to-tag rtpengine has not seen creates a new
//   monologue with fresh ports and re-pairs the offerer with it; the previous peer keeps
//   sending to the offerer until it is deleted (delete with its from-tag only removes it);
// - with 'port latching' the offerer's ports do not change, so the customer keeps talking to
//   the same port through any number of agent changes: no re-INVITE to the customer.
import { EventEmitter } from 'node:events';
import { ClosedError, RtpengineError, UnsupportedSdpError } from './errors';
import { isLegProfile, profileFlags, type LegProfile } from './leg-profile';
import type { NgClient } from './ng-client';
import type { NgParams, NgReply } from './ng-types';
import { audioOf, parseSdp, SdpParseError, type Direction } from './sdp';
import { answerDirection, sends, withDirection } from './sdp-direction';
import { sdpLimitViolation } from './sdp-limits';

export interface LegInfo {
  readonly tag: string;
  readonly profile: LegProfile;
  /** The last SDP this leg sent us (offer or answer). */
  readonly sdp?: string;
  /** Direction in the leg's own last SDP: whether *it* sends and receives. */
  readonly direction: Direction;
  /** The leg it is paired with in rtpengine, once an answer has completed the pairing. */
  readonly peer?: string;
}

interface Leg {
  tag: string;
  profile: LegProfile;
  sdp?: string;
  direction: Direction;
  peer?: string;
  /** A stand-in peer (see acceptAlone). */
  sink?: boolean;
}

export interface MediaSessionEvents {
  /** A leg's own direction changed (hold, resume): the watchdog listens. */
  direction: [tag: string, direction: Direction];
  legRemoved: [tag: string];
  closed: [];
}

// A peer for a party that has nobody to talk to yet (a queued customer): rtpengine needs an
// answer to give that party an SDP and play it music. Its media goes nowhere (blocked).
const SINK_SDP = [
  'v=0',
  'o=- 1 1 IN IP4 127.0.0.1',
  's=holdfast-sink',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 9 RTP/AVP 0 8',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=sendrecv',
  '',
].join('\r\n');

const SDP_REASONS = /parse SDP|Incomplete SDP|rewriting SDP/i;

export class MediaSession extends EventEmitter<MediaSessionEvents> {
  private readonly legs = new Map<string, Leg>();
  private chain: Promise<unknown> = Promise.resolve();
  private closing?: Promise<void>;

  constructor(
    readonly client: NgClient,
    readonly callId: string,
  ) {
    super();
    if (!callId) throw new TypeError('MediaSession needs a non-empty call-id');
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  leg(tag: string): LegInfo | undefined {
    const leg = this.legs.get(tag);
    return leg && !leg.sink ? { ...leg } : undefined;
  }

  get legTags(): string[] {
    return [...this.legs.values()].filter((l) => !l.sink).map((l) => l.tag);
  }

  /** Whether the leg is expected to send media now (false while it holds or is inactive). */
  expectsMediaFrom(tag: string): boolean {
    const leg = this.legs.get(tag);
    return leg !== undefined && leg.sdp !== undefined && sends(leg.direction);
  }

  addLeg(tag: string, profile: LegProfile): void {
    this.assertOpen();
    if (!tag) throw new TypeError('a leg needs a non-empty tag');
    if (!isLegProfile(profile)) {
      throw new TypeError(
        `leg ${tag}: unknown media profile ${JSON.stringify(profile)} (use 'rtp' or 'webrtc')`,
      );
    }
    if (this.legs.has(tag)) throw new Error(`call ${this.callId}: leg ${tag} already exists`);
    this.legs.set(tag, { tag, profile, direction: 'sendrecv' });
  }

  /**
   * `fromTag` offers `sdp`; returns the SDP to send to `toTag` (in toTag's profile).
   * Throws UnsupportedSdpError when the SDP cannot be used (→ 488).
   */
  offer(fromTag: string, sdp: string, toTag: string): Promise<string> {
    return this.serial(() => this.doOffer(fromTag, sdp, toTag));
  }

  /** `answererTag` answers `offererTag`'s offer with `sdp`; returns the SDP for the offerer. */
  answer(answererTag: string, sdp: string, offererTag: string): Promise<string> {
    return this.serial(() => this.doAnswer(answererTag, sdp, offererTag));
  }

  /**
   * A party with nobody to talk to yet (a queued customer): offers its SDP to a stand-in
   * peer and returns the SDP to answer it with, so that it can hear music. attach() later.
   */
  acceptAlone(tag: string, sdp: string): Promise<string> {
    return this.serial(async () => {
      const sink = `${tag}~alone`;
      this.legs.set(sink, { tag: sink, profile: 'rtp', direction: 'sendrecv', sink: true });
      await this.doOffer(tag, sdp, sink);
      const answer = await this.doAnswer(sink, SINK_SDP, tag);
      await this.block(tag);
      return answer;
    });
  }

  /**
   * Starts a new leg towards `newTag` for the existing party `existingTag` (reroute, or the
   * same agent again after it re-registered): returns the offer to send to the new leg.
   * Complete with answer(newTag, theirSdp, existingTag), then removeLeg(oldTag).
   */
  attach(existingTag: string, newTag: string, profile: LegProfile): Promise<string> {
    return this.serial(async () => {
      const existing = this.mustHave(existingTag);
      if (!existing.sdp)
        throw new Error(`call ${this.callId}: leg ${existingTag} has sent no SDP yet`);
      this.addLeg(newTag, profile);
      return this.doOffer(existingTag, existing.sdp, newTag, false);
    });
  }

  /**
   * A re-INVITE from `tag` (new ICE credentials, DTLS fingerprint, hold…) answered by the
   * gateway alone: re-offers to rtpengine and answers with the peer's last SDP. Returns the
   * SDP for `tag`'s 200 OK; the peer is not involved.
   */
  renegotiate(tag: string, sdp: string): Promise<string> {
    return this.serial(async () => {
      const leg = this.mustHave(tag);
      const peer = leg.peer ? this.mustHave(leg.peer) : undefined;
      if (!peer?.sdp)
        throw new Error(`call ${this.callId}: leg ${tag} has no answered peer to renegotiate with`);
      await this.doOffer(tag, sdp, peer.tag);
      const offered = this.legs.get(tag)!.direction;
      // Answer as the peer would, within what the offer allows (RFC 3264 §6.1).
      const peerSdp = withDirection(peer.sdp, answerDirection(offered, peer.direction));
      return this.doAnswer(peer.tag, peerSdp, tag, false);
    });
  }

  /**
   * A fresh offer from the gateway towards `tag` (re-INVITE on reconnect), built from its
   * peer's last SDP. Apply the reply with answer(tag, theirSdp, peer).
   */
  reofferTo(tag: string, direction?: Direction): Promise<string> {
    return this.serial(async () => {
      const leg = this.mustHave(tag);
      const peer = leg.peer ? this.mustHave(leg.peer) : undefined;
      if (!peer?.sdp) throw new Error(`call ${this.callId}: leg ${tag} has no peer to offer from`);
      const sdp = direction ? withDirection(peer.sdp, direction) : peer.sdp;
      return this.doOffer(peer.tag, sdp, tag, false);
    });
  }

  /** Removes one leg from rtpengine (its ports are freed); the others carry on. */
  removeLeg(tag: string): Promise<void> {
    return this.serial(async () => {
      const leg = this.legs.get(tag);
      if (!leg) return;
      this.legs.delete(tag);
      for (const other of this.legs.values()) if (other.peer === tag) other.peer = undefined;
      if (leg.sdp !== undefined || leg.peer !== undefined) {
        await this.request('delete', { 'from-tag': tag, 'delete delay': 0 }).catch((err) => {
          if (!(err instanceof RtpengineError && err.kind === 'refused')) throw err;
        });
      }
      if (!leg.sink) this.emit('legRemoved', tag);
    });
  }

  /** Nobody hears `tag` any more (rtpengine drops what that party sends). */
  block(tag: string): Promise<void> {
    return this.request('block media', { 'from-tag': tag }).then(() => undefined);
  }

  /** What `tag` sends is forwarded again. */
  unblock(tag: string): Promise<void> {
    return this.request('unblock media', { 'from-tag': tag }).then(() => undefined);
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

  /** Sends one ng command about this call (play media, query…). */
  request(command: Parameters<NgClient['request']>[0], params: NgParams = {}): Promise<NgReply> {
    if (this.closed && command !== 'delete') {
      return Promise.reject(new ClosedError(`call ${this.callId}: media session is closed`));
    }
    return this.client.request(command, { 'call-id': this.callId, ...params });
  }

  /** Deletes the call in rtpengine at once. Idempotent; never rejects for an unknown call. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.chain.catch(() => {});
      try {
        if (this.legs.size)
          await this.client.request('delete', { 'call-id': this.callId, 'delete delay': 0 });
      } catch (err) {
        if (!(err instanceof RtpengineError && (err.unknownCall || err.kind === 'closed')))
          throw err;
      } finally {
        this.legs.clear();
        this.emit('closed');
      }
    })();
    return this.closing;
  }

  private async doOffer(
    fromTag: string,
    sdp: string,
    toTag: string,
    record = true,
  ): Promise<string> {
    const from = this.mustHave(fromTag);
    const to = this.mustHave(toTag);
    const direction = checkSdp(sdp, fromTag);
    const reply = await this.negotiate('offer', fromTag, toTag, sdp, to.profile);
    if (record) this.setSdp(from, sdp, direction);
    return reply;
  }

  private async doAnswer(
    answererTag: string,
    sdp: string,
    offererTag: string,
    record = true,
  ): Promise<string> {
    const answerer = this.mustHave(answererTag);
    const offerer = this.mustHave(offererTag);
    const direction = checkSdp(sdp, answererTag);
    const reply = await this.negotiate('answer', offererTag, answererTag, sdp, offerer.profile);
    if (record) this.setSdp(answerer, sdp, direction);
    const previous = offerer.peer;
    answerer.peer = offererTag;
    offerer.peer = answererTag;
    // A stand-in peer goes as soon as a real one answers.
    if (previous && previous !== answererTag && this.legs.get(previous)?.sink) {
      this.legs.delete(previous);
      await this.request('delete', { 'from-tag': previous, 'delete delay': 0 });
      await this.unblock(offererTag);
    }
    return reply;
  }

  private async negotiate(
    command: 'offer' | 'answer',
    fromTag: string,
    toTag: string,
    sdp: string,
    outProfile: LegProfile,
  ): Promise<string> {
    let reply: NgReply;
    try {
      reply = await this.request(command, {
        ...profileFlags(outProfile),
        'from-tag': fromTag,
        'to-tag': toTag,
        sdp,
      });
    } catch (err) {
      if (err instanceof RtpengineError && err.reason && SDP_REASONS.test(err.reason)) {
        const leg = command === 'offer' ? fromTag : toTag;
        throw new UnsupportedSdpError(
          `call ${this.callId}, leg ${leg}: rtpengine rejected the SDP: ${err.reason}`,
          leg,
          err,
        );
      }
      throw err;
    }
    if (typeof reply.sdp !== 'string') {
      throw new RtpengineError(
        `rtpengine's ${command} reply for call ${this.callId} has no SDP`,
        command,
        this.callId,
        undefined,
        'refused',
      );
    }
    return reply.sdp;
  }

  private setSdp(leg: Leg, sdp: string, direction: Direction): void {
    leg.sdp = sdp;
    if (leg.direction !== direction) {
      leg.direction = direction;
      if (!leg.sink) this.emit('direction', leg.tag, direction);
    }
  }

  private mustHave(tag: string): Leg {
    const leg = this.legs.get(tag);
    if (!leg)
      throw new Error(
        `call ${this.callId}: no leg ${JSON.stringify(tag)} (add it with addLeg first)`,
      );
    return leg;
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
