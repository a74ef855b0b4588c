// A plain RTP/AVP endpoint on loopback for tests and benchmarks: a UDP socket that sends
// PCMU at a 20 ms pace (a tone or WAV samples, looped), can pause, resume or send sparse
// DTX-like packets, and keeps what it receives per SSRC, decoded, with arrival times.
//
//   const ep = await RtpEndpoint.open();
//   const sdp = ep.sdp();                       // offer/answer to give rtpengine
//   ep.setRemoteFromSdp(rtpengineSdp);          // where to send
//   ep.play({ tone: 1000 });                    // start sending
//   ep.stream()?.pcm()                          // what arrived (the loudest SSRC)
import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { audioOf, parseSdp, type Direction } from '../../media/sdp';
import { decodeG711, encodeUlaw } from './audio-g711';
import { buildRtp, parseRtp } from './rtp-packet';
import { tone } from './audio-wav';

const FRAME = 160; // samples per 20 ms at 8 kHz
const PT_PCMU = 0;
const PT_PCMA = 8;

export type AudioSource = { tone: number; amplitude?: number } | { samples: Int16Array };

export interface ReceivedPacket {
  sequence: number;
  timestamp: number;
  payloadType: number;
  /** performance.now() at arrival. */
  arrivalMs: number;
  /** The UDP port it came from (rtpengine's local port for this endpoint). */
  fromPort: number;
  samples: Int16Array;
}

export class ReceivedStream {
  readonly packets: ReceivedPacket[] = [];
  constructor(readonly ssrc: number) {}

  get firstArrivalMs(): number {
    return this.packets[0]?.arrivalMs ?? NaN;
  }

  get lastArrivalMs(): number {
    return this.packets[this.packets.length - 1]?.arrivalMs ?? NaN;
  }

  /** The stream's audio laid out by RTP timestamp (gaps are zeros), from its first packet. */
  pcm(): Int16Array {
    if (!this.packets.length) return new Int16Array(0);
    const t0 = this.packets[0].timestamp;
    let end = 0;
    for (const p of this.packets)
      end = Math.max(end, ((p.timestamp - t0) >>> 0) + p.samples.length);
    // Timestamps that jump by more than a minute are a new timeline, not a gap: cap them.
    const out = new Int16Array(Math.min(end, 8000 * 60));
    for (const p of this.packets) {
      const at = (p.timestamp - t0) >>> 0;
      if (at + p.samples.length <= out.length) out.set(p.samples, at);
    }
    return out;
  }

  /** Packets that arrived in [fromMs, toMs) of performance.now(). */
  between(fromMs: number, toMs: number): ReceivedPacket[] {
    return this.packets.filter((p) => p.arrivalMs >= fromMs && p.arrivalMs < toMs);
  }
}

export interface SparseOptions {
  /** Mean gap between packets; default 400 ms (Opus DTX during silence). */
  intervalMs?: number;
  /** Each gap is intervalMs ± up to jitterMs, uniformly; default 100 ms. */
  jitterMs?: number;
}

export class RtpEndpoint {
  readonly ssrc: number;
  private readonly streamsBySsrc = new Map<number, ReceivedStream>();
  private remote?: { host: string; port: number };
  private source: Int16Array = new Int16Array(FRAME);
  private cursor = 0;
  private seq = Math.floor(Math.random() * 0xffff);
  private ts = Math.floor(Math.random() * 0xffffffff);
  private timer?: NodeJS.Timeout;
  private mode: 'idle' | 'paced' | 'sparse' = 'idle';
  private closedFlag = false;
  /** Packets sent so far. */
  sent = 0;
  /** Datagrams received that were not RTP (RTCP, STUN…). */
  nonRtp = 0;

  private constructor(private readonly socket: dgram.Socket) {
    this.ssrc = (Math.random() * 0xffffffff) >>> 0;
    socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo.port));
  }

  static open(host = '127.0.0.1'): Promise<RtpEndpoint> {
    return new Promise((resolve, reject) => {
      const socket = dgram.createSocket('udp4');
      socket.once('error', reject);
      socket.bind(0, host, () => {
        socket.removeListener('error', reject);
        socket.on('error', () => {}); // ICMP port unreachable after the peer went away
        resolve(new RtpEndpoint(socket));
      });
    });
  }

  get host(): string {
    return this.socket.address().address;
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** An SDP body for this endpoint: PCMU and PCMA, 20 ms. */
  sdp(direction: Direction = 'sendrecv', version = 1): string {
    return [
      'v=0',
      `o=- ${this.ssrc} ${version} IN IP4 ${this.host}`,
      's=holdfast-test',
      `c=IN IP4 ${this.host}`,
      't=0 0',
      `m=audio ${this.port} RTP/AVP ${PT_PCMU} ${PT_PCMA}`,
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:8 PCMA/8000',
      'a=ptime:20',
      `a=${direction}`,
      '',
    ].join('\r\n');
  }

  setRemote(host: string, port: number): void {
    this.remote = { host, port };
  }

  /** Sends to the audio address of an SDP body (rtpengine's offer or answer). */
  setRemoteFromSdp(sdp: string): void {
    const audio = audioOf(parseSdp(sdp));
    if (!audio?.address) throw new Error('SDP has no audio section with an address');
    this.setRemote(audio.address, audio.port);
  }

  /** Starts (or switches to) sending the source at a 20 ms pace, looping it. */
  play(source: AudioSource): void {
    this.source = 'tone' in source ? tone(source.tone, 1000, source.amplitude) : source.samples;
    this.cursor = 0;
    this.startPaced();
  }

  pause(): void {
    this.stopTimer();
    this.mode = 'idle';
  }

  /** Resumes paced sending of the current source. */
  resume(): void {
    this.startPaced();
  }

  /** One packet per ~intervalMs ± jitter, like Opus DTX during silence. */
  sparse(opts: SparseOptions = {}): void {
    const interval = opts.intervalMs ?? 400;
    const jitter = opts.jitterMs ?? 100;
    this.stopTimer();
    this.mode = 'sparse';
    const next = () => {
      const gap = interval + (Math.random() * 2 - 1) * jitter;
      this.timer = setTimeout(() => {
        // A DTX gap advances the RTP clock as real time does.
        this.ts = (this.ts + Math.round(gap * 8) - FRAME) >>> 0;
        this.sendFrame();
        next();
      }, gap);
    };
    next();
  }

  get sending(): boolean {
    return this.mode !== 'idle';
  }

  /** Every SSRC heard so far. */
  streams(): ReceivedStream[] {
    return [...this.streamsBySsrc.values()];
  }

  /** The stream with the most packets (or undefined). */
  stream(): ReceivedStream | undefined {
    let best: ReceivedStream | undefined;
    for (const s of this.streamsBySsrc.values()) {
      if (!best || s.packets.length > best.packets.length) best = s;
    }
    return best;
  }

  /** All packets received, of every SSRC, in arrival order. */
  packets(): (ReceivedPacket & { ssrc: number })[] {
    const all: (ReceivedPacket & { ssrc: number })[] = [];
    for (const s of this.streamsBySsrc.values()) {
      for (const p of s.packets) all.push({ ...p, ssrc: s.ssrc });
    }
    return all.sort((a, b) => a.arrivalMs - b.arrivalMs);
  }

  get received(): number {
    let n = 0;
    for (const s of this.streamsBySsrc.values()) n += s.packets.length;
    return n;
  }

  /** Forgets what was received so far. */
  clear(): void {
    this.streamsBySsrc.clear();
    this.nonRtp = 0;
  }

  /** Resolves when `count` more packets have arrived, or rejects after timeoutMs. */
  waitForPackets(count: number, timeoutMs = 3000): Promise<void> {
    const target = this.received + count;
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const check = setInterval(() => {
        if (this.received >= target) {
          clearInterval(check);
          resolve();
        } else if (Date.now() - started > timeoutMs || this.closedFlag) {
          clearInterval(check);
          reject(
            new Error(
              `expected ${count} packets within ${timeoutMs} ms, got ${this.received - target + count}`,
            ),
          );
        }
      }, 10);
    });
  }

  close(): Promise<void> {
    if (this.closedFlag) return Promise.resolve();
    this.closedFlag = true;
    this.pause();
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private startPaced(): void {
    this.stopTimer();
    this.mode = 'paced';
    // Catch up on a late timer (a loaded machine) but never burst more than 5 frames.
    const start = performance.now();
    let frames = 0;
    const tick = () => {
      const due = Math.floor((performance.now() - start) / 20) + 1;
      if (due - frames > 5) frames = due - 5;
      while (frames < due) {
        this.sendFrame();
        frames++;
      }
      this.timer = setTimeout(tick, start + frames * 20 - performance.now());
    };
    tick();
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private sendFrame(): void {
    if (!this.remote || this.closedFlag) return;
    const frame = new Int16Array(FRAME);
    for (let i = 0; i < FRAME; i++) {
      frame[i] = this.source[this.cursor];
      this.cursor = (this.cursor + 1) % this.source.length;
    }
    const packet = buildRtp({
      payloadType: PT_PCMU,
      marker: false,
      sequence: this.seq,
      timestamp: this.ts,
      ssrc: this.ssrc,
      payload: encodeUlaw(frame),
    });
    this.seq = (this.seq + 1) & 0xffff;
    this.ts = (this.ts + FRAME) >>> 0;
    this.sent++;
    this.socket.send(packet, this.remote.port, this.remote.host);
  }

  private onMessage(msg: Buffer, fromPort: number): void {
    const arrivalMs = performance.now();
    const rtp = parseRtp(msg);
    if (!rtp || (rtp.payloadType !== PT_PCMU && rtp.payloadType !== PT_PCMA)) {
      this.nonRtp++;
      return;
    }
    let stream = this.streamsBySsrc.get(rtp.ssrc);
    if (!stream) this.streamsBySsrc.set(rtp.ssrc, (stream = new ReceivedStream(rtp.ssrc)));
    stream.packets.push({
      sequence: rtp.sequence,
      timestamp: rtp.timestamp,
      payloadType: rtp.payloadType,
      arrivalMs,
      fromPort,
      samples: decodeG711(rtp.payload, rtp.payloadType === PT_PCMU ? 'ulaw' : 'alaw'),
    });
  }
}
