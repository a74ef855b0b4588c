// The call's WebRTC media, as SIP.js's SessionDescriptionHandler: one RTCPeerConnection and
// one microphone stream at a time, both replaceable. Multimedia redirection destroys the
// local WebRTC objects when the agent's PC loses the remote session; lose() forgets them,
// and the next description (our re-INVITE's offer, or the answer to the gateway's) is made
// by a brand-new peer connection: new ICE credentials, new DTLS certificate and fingerprint.
//
// No trickle ICE over SIP: a description is sent once its candidates are gathered.
import type {
  BodyAndContentType,
  SessionDescriptionHandler,
  SessionDescriptionHandlerModifier,
} from 'sip.js';

export interface PeerMediaOptions {
  /** getUserMedia's audio constraints (tests turn the voice processing off). */
  audio: MediaTrackConstraints | boolean;
  /** Gathering is local only (host candidates): it completes fast, this is a safety net. */
  iceGatheringTimeoutMs?: number;
  /** A new remote stream (after each rebuild): play it and meter it. */
  onRemoteStream(stream: MediaStream): void;
  /** A new microphone stream: meter it. */
  onLocalStream(stream: MediaStream): void;
  /** Peer connection state, for the page. */
  onConnectionState?(state: RTCPeerConnectionState, generation: number): void;
}

export class PeerMedia implements SessionDescriptionHandler {
  private pc?: RTCPeerConnection;
  private local?: MediaStream;
  private localPending?: Promise<MediaStream>;
  private closedForGood = false;
  /** How many peer connections this call has had (1 + reconnects). */
  generation = 0;

  constructor(private readonly opts: PeerMediaOptions) {}

  get peerConnection(): RTCPeerConnection | undefined {
    return this.pc;
  }

  /** The local WebRTC objects are gone (or must go): the next description starts afresh. */
  lose(): void {
    const pc = this.pc;
    this.pc = undefined;
    try {
      pc?.close();
    } catch {
      // Already closed by the redirection layer.
    }
    for (const track of this.local?.getTracks() ?? []) track.stop();
    this.local = undefined;
    this.localPending = undefined;
  }

  /** After a desktop reconnect: a fresh microphone and peer connection, ready for an offer. */
  async rebuild(): Promise<void> {
    this.lose();
    await this.ensurePeerConnection();
  }

  close(): void {
    this.closedForGood = true;
    this.lose();
  }

  hasDescription(contentType: string): boolean {
    return contentType === 'application/sdp';
  }

  async getDescription(
    _options?: unknown,
    modifiers: SessionDescriptionHandlerModifier[] = [],
  ): Promise<BodyAndContentType> {
    const pc = await this.ensurePeerConnection();
    let description: RTCSessionDescriptionInit =
      pc.signalingState === 'have-remote-offer' ? await pc.createAnswer() : await pc.createOffer();
    for (const modify of modifiers) description = await modify(description);
    await pc.setLocalDescription(description);
    await this.gathered(pc);
    const sdp = pc.localDescription?.sdp;
    if (!sdp) throw new Error('the peer connection has no local description');
    return { body: sdp, contentType: 'application/sdp' };
  }

  async setDescription(
    sdp: string,
    _options?: unknown,
    modifiers: SessionDescriptionHandlerModifier[] = [],
  ): Promise<void> {
    const pc = await this.ensurePeerConnection();
    let description: RTCSessionDescriptionInit = {
      type: pc.signalingState === 'have-local-offer' ? 'answer' : 'offer',
      sdp,
    };
    for (const modify of modifiers) description = await modify(description);
    await pc.setRemoteDescription(description);
  }

  async rollbackDescription(): Promise<void> {
    const pc = this.pc;
    if (pc && pc.signalingState !== 'stable' && pc.signalingState !== 'closed')
      await pc.setLocalDescription({ type: 'rollback' });
  }

  sendDtmf(tones: string): boolean {
    const sender = this.pc?.getSenders().find((s) => s.track?.kind === 'audio');
    if (!sender?.dtmf) return false;
    sender.dtmf.insertDTMF(tones);
    return true;
  }

  /** The current peer connection, or a new one when there is none or it was closed under us. */
  private async ensurePeerConnection(): Promise<RTCPeerConnection> {
    if (this.closedForGood) throw new Error('the call has ended');
    if (this.pc && this.pc.signalingState === 'closed') this.lose();
    if (this.pc) return this.pc;
    const local = await this.microphone();
    if (this.pc) return this.pc; // built meanwhile by a concurrent caller
    // No STUN/TURN: candidates are the host's own addresses, where rtpengine can reach us.
    // Default bundle policy: rtpengine's offers carry one audio section and no BUNDLE group.
    const pc = new RTCPeerConnection({ iceServers: [] });
    const generation = ++this.generation;
    for (const track of local.getTracks()) pc.addTrack(track, local);
    pc.addEventListener('track', (e) => {
      if (this.pc === pc) this.opts.onRemoteStream(e.streams[0] ?? new MediaStream([e.track]));
    });
    pc.addEventListener('connectionstatechange', () => {
      if (this.pc === pc) this.opts.onConnectionState?.(pc.connectionState, generation);
    });
    this.pc = pc;
    this.opts.onConnectionState?.(pc.connectionState, generation);
    return pc;
  }

  private microphone(): Promise<MediaStream> {
    if (this.local) return Promise.resolve(this.local);
    if (this.localPending) return this.localPending;
    const pending: Promise<MediaStream> = navigator.mediaDevices
      .getUserMedia({ audio: this.opts.audio, video: false })
      .then((stream) => {
        // lose() ran while we waited: this stream belongs to nobody.
        if (this.localPending !== pending) {
          for (const track of stream.getTracks()) track.stop();
          throw new Error('the microphone was released while it opened');
        }
        this.localPending = undefined;
        this.local = stream;
        this.opts.onLocalStream(stream);
        return stream;
      });
    this.localPending = pending;
    pending.catch(() => {
      if (this.localPending === pending) this.localPending = undefined;
    });
    return pending;
  }

  private gathered(pc: RTCPeerConnection): Promise<void> {
    if (pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        pc.removeEventListener('icegatheringstatechange', check);
        resolve();
      };
      const check = () => {
        if (pc.iceGatheringState === 'complete') done();
      };
      const timer = setTimeout(done, this.opts.iceGatheringTimeoutMs ?? 3000);
      pc.addEventListener('icegatheringstatechange', check);
    });
  }
}
