// Cuts a byte stream (TCP, TLS) into SIP messages by Content-Length (RFC 3261 §18.3:
// "In the case of stream-oriented transports such as TCP, the Content-Length header
// field indicates the size of the body").
import { declaredContentLength, findHeaderEnd } from '../message/parse';
import { SipParseError } from '../message/sip-parse-error';

/** The stream cannot be framed any more; `head` is the header section read so far. */
export class FramingError extends SipParseError {
  constructor(
    message: string,
    status: number,
    readonly head: Buffer,
  ) {
    super(message, status);
    this.name = 'FramingError';
  }
}

export class StreamFramer {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly maxMessageBytes: number) {}

  /**
   * Adds bytes and returns the complete messages now available. Throws FramingError when
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
          const head = this.buf.subarray(0, this.maxMessageBytes);
          throw new FramingError(
            `header section larger than ${this.maxMessageBytes} bytes`,
            513,
            head,
          );
        }
        break;
      }
      const total = end.at + end.sep + this.bodyLength(this.buf.subarray(0, end.at));
      if (total > this.maxMessageBytes) {
        const head = this.buf.subarray(0, end.at);
        throw new FramingError(
          `message of ${total} bytes exceeds ${this.maxMessageBytes}`,
          513,
          head,
        );
      }
      if (this.buf.length < total) break;
      out.push(Buffer.from(this.buf.subarray(0, total)));
      this.buf = this.buf.subarray(total);
    }
    return out;
  }

  /**
   * RFC 3261 §20.14: on a stream the header "MUST be used"; without it, or with a bad or
   * doubled one (RFC 4475 §3.1.2.3, §3.3.9), the framing is not recoverable.
   */
  private bodyLength(head: Buffer): number {
    let length: number | undefined;
    try {
      length = declaredContentLength(head.toString('utf8'));
    } catch (err) {
      throw new FramingError((err as Error).message, 400, head);
    }
    if (length === undefined) {
      throw new FramingError('Content-Length is required on stream transports', 400, head);
    }
    return length;
  }
}
