// Cuts a byte stream (TCP, TLS) into SIP messages by Content-Length (RFC 3261 §18.3:
// "In the case of stream-oriented transports such as TCP, the Content-Length header
// field indicates the size of the body").
import { declaredContentLength, findHeaderEnd } from '../message/parse';
import { SipParseError } from '../message/sip-parse-error';

export class StreamFramer {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly maxMessageBytes: number) {}

  /**
   * Adds bytes and returns the complete messages now available. Throws SipParseError when
   * the stream cannot be framed any more (the connection must then be closed).
   * Leading CRLFs are keep-alives (RFC 5626 §3.5.1) and are skipped.
   */
  push(chunk: Buffer): Buffer[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Buffer[] = [];
    for (;;) {
      let skip = 0;
      while (skip < this.buf.length && (this.buf[skip] === 0x0d || this.buf[skip] === 0x0a)) skip++;
      if (skip) this.buf = this.buf.subarray(skip);
      if (!this.buf.length) break;
      const end = findHeaderEnd(this.buf);
      if (!end) {
        if (this.buf.length > this.maxMessageBytes) {
          throw new SipParseError(`header section larger than ${this.maxMessageBytes} bytes`, 513);
        }
        break;
      }
      const length = declaredContentLength(this.buf.toString('utf8', 0, end.at)) ?? 0;
      const total = end.at + end.sep + length;
      if (total > this.maxMessageBytes) {
        throw new SipParseError(`message of ${total} bytes exceeds ${this.maxMessageBytes}`, 513);
      }
      if (this.buf.length < total) break;
      out.push(Buffer.from(this.buf.subarray(0, total)));
      this.buf = this.buf.subarray(total);
    }
    return out;
  }
}
