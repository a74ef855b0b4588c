// drachtio framing: `<decimal byte length>#<payload>`. Like drachtio-server, a length of
// six or more digits is refused (payloads are at most 99,999 bytes).
export class FrameError extends Error {
  override name = 'FrameError';
}

const HASH = 0x23;
const MAX_DIGITS = 5;

export class FrameDecoder {
  private buf: Buffer = Buffer.alloc(0);

  /** Adds bytes; returns the complete payloads. Throws FrameError on a malformed frame. */
  push(chunk: Buffer): string[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: string[] = [];
    for (;;) {
      const digits = Math.min(this.buf.length, MAX_DIGITS + 1);
      let hash = -1;
      for (let i = 0; i < digits; i++) {
        const c = this.buf[i];
        if (c === HASH) {
          hash = i;
          break;
        }
        if (c < 0x30 || c > 0x39) {
          throw new FrameError(`invalid frame length: byte 0x${c.toString(16)} at position ${i}`);
        }
      }
      if (hash < 0) {
        if (this.buf.length > MAX_DIGITS) {
          throw new FrameError(`invalid frame length: more than ${MAX_DIGITS} digits`);
        }
        return out;
      }
      if (hash === 0) throw new FrameError('invalid frame: empty length before #');
      const length = Number(this.buf.toString('latin1', 0, hash));
      if (length === 0) throw new FrameError('invalid frame: zero length');
      const total = hash + 1 + length;
      if (this.buf.length < total) return out;
      out.push(this.buf.toString('utf8', hash + 1, total));
      this.buf = this.buf.subarray(total);
    }
  }
}

export function encodeFrame(payload: string): Buffer {
  return Buffer.from(frameText(payload), 'utf8');
}

/** The frame as text, for a socket to encode once (no intermediate buffers). */
export function frameText(payload: string): string {
  return `${Buffer.byteLength(payload, 'utf8')}#${payload}`;
}
