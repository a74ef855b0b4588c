// One Server-Sent Events connection whose buffer stays bounded when its reader is slow.
// Writes that would pile up past `maxBufferedBytes` are dropped; once the socket drains,
// the connection asks its owner for a fresh whole state (`resync`) instead of replaying
// what it missed — a slow page skips intermediate states, it never makes the gateway hold
// them. A reader stuck behind for `stallMs` is disconnected.
import type http from 'node:http';
import type { Clock, Timer } from '../../time/clock';

export interface SseConnectionOptions {
  maxBufferedBytes: number;
  stallMs: number;
  /** Pacing timers (the stall deadline). */
  timers: Clock;
  /** The message that brings a reader that fell behind up to date. */
  resync(): string;
  onClose(): void;
}

export class SseConnection {
  private behindSince?: number;
  private stall?: Timer;
  private closed = false;
  /** Messages not written because the reader was behind (observability, tests). */
  skipped = 0;
  resyncs = 0;

  constructor(
    private readonly res: http.ServerResponse,
    private readonly o: SseConnectionOptions,
  ) {
    res.on('close', () => this.closeDown());
    res.on('error', () => this.closeDown());
  }

  /** Starts the stream: headers and a first comment (some proxies wait for a first byte). */
  open(comment: string): void {
    this.res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-store',
      Connection: 'keep-alive',
      // nginx and the like would otherwise buffer the stream.
      'X-Accel-Buffering': 'no',
    });
    this.res.write(`: ${comment}\n\n`);
  }

  get behind(): boolean {
    return this.behindSince !== undefined;
  }

  get bufferedBytes(): number {
    return this.res.writableLength;
  }

  /** Writes one SSE message (already formatted), unless the reader is behind. */
  send(message: string): void {
    if (this.closed) return;
    if (this.behind) {
      this.skipped++;
      return;
    }
    // write() says false once past the socket's high-water mark: only then does 'drain'
    // follow, so the bound is at least that mark (16 KiB).
    const flowing = this.res.write(message);
    if (!flowing && this.res.writableLength > this.o.maxBufferedBytes) this.fallBehind();
  }

  close(): void {
    this.res.end();
    this.closeDown();
  }

  private fallBehind(): void {
    this.behindSince = this.o.timers.now();
    const skippedBefore = this.skipped;
    this.stall = this.o.timers.after(this.o.stallMs, () => this.res.destroy());
    this.res.once('drain', () => {
      if (this.closed) return;
      this.stall?.cancel();
      this.behindSince = undefined;
      // Nothing missed (one message was over the limit on its own): nothing to make up.
      if (this.skipped === skippedBefore) return;
      this.resyncs++;
      this.send(this.o.resync());
    });
  }

  private closeDown(): void {
    if (this.closed) return;
    this.closed = true;
    this.stall?.cancel();
    this.o.onClose();
  }
}

/** One SSE message: `event:` and a JSON `data:` line (JSON has no raw newline). */
export function sseMessage(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
