// One party's RTP for the demo: a loopback UDP socket that says a tone (PCMU, 20 ms frames)
// to where the SDP it was given points, can fall silent and speak again (a dropped desktop),
// and keeps every payload it hears, in arrival order, for the WAV file.
import dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import { toneFrame } from './g711-wav';

const ULAW_SILENCE = 0xff;
const SILENCE_GAP_MS = 300;

export class RtpParty {
  /** The payloads heard, in arrival order. */
  readonly heard: Buffer[] = [];
  private remote: { host: string; port: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private seq = randomInt(0, 0xffff);
  private samples = 0;
  private readonly ssrc = randomInt(1, 0x7fffffff);
  private lastHeardAt = 0;

  private constructor(
    private readonly socket: dgram.Socket,
    readonly port: number,
    private readonly toneHz: number,
  ) {
    socket.on('message', (msg) => {
      // RTP: 12 bytes + 4 per CSRC (+ extension); PCMU is payload type 0.
      if (msg.length < 12 || (msg[1] & 0x7f) !== 0) return;
      let offset = 12 + (msg[0] & 0x0f) * 4;
      if (msg[0] & 0x10 && msg.length >= offset + 4) offset += 4 + msg.readUInt16BE(offset + 2) * 4;
      if (offset >= msg.length) return;
      // A pause in what arrives (nobody sends to us) is kept as silence, so the recording
      // keeps the call's timeline. Shorter gaps are scheduling jitter (packets then come
      // in a burst), not silence: filling them would stretch the audio.
      const now = Date.now();
      const gapMs = this.lastHeardAt ? now - this.lastHeardAt : 0;
      if (gapMs > SILENCE_GAP_MS)
        this.heard.push(Buffer.alloc(Math.round(gapMs / 20 - 1) * 160, ULAW_SILENCE));
      this.lastHeardAt = now;
      this.heard.push(Buffer.from(msg.subarray(offset)));
    });
  }

  static async open(toneHz: number): Promise<RtpParty> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => resolve());
    });
    return new RtpParty(socket, socket.address().port, toneHz);
  }

  /** A PCMU offer or answer for this socket. */
  sdp(): string {
    return [
      'v=0',
      `o=holdfast-demo ${this.ssrc} 1 IN IP4 127.0.0.1`,
      's=-',
      'c=IN IP4 127.0.0.1',
      't=0 0',
      `m=audio ${this.port} RTP/AVP 0`,
      'a=rtpmap:0 PCMU/8000',
      'a=ptime:20',
      'a=sendrecv',
      '',
    ].join('\r\n');
  }

  /** Sends to the address and port of the SDP's first audio stream. */
  sendTo(sdp: string): void {
    const host = /^c=IN IP4 (\S+)/m.exec(sdp)?.[1];
    const port = Number(/^m=audio (\d+)/m.exec(sdp)?.[1]);
    if (host && port) this.remote = { host, port };
  }

  speak(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.frame(), 20);
  }

  silence(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  close(): void {
    this.silence();
    this.socket.close();
  }

  private frame(): void {
    if (!this.remote) return;
    const header = Buffer.alloc(12);
    header[0] = 0x80;
    header[1] = 0; // PCMU
    header.writeUInt16BE(this.seq, 2);
    header.writeUInt32BE(this.samples >>> 0, 4);
    header.writeUInt32BE(this.ssrc, 8);
    this.seq = (this.seq + 1) & 0xffff;
    const payload = toneFrame(this.toneHz, this.samples);
    this.samples += 160;
    this.socket.send(Buffer.concat([header, payload]), this.remote.port, this.remote.host);
  }
}
