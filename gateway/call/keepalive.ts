// In-dialog OPTIONS towards an agent every keepaliveMs: the cheapest way to notice that
// its transport (a browser's WebSocket) is gone when no media loss tells us.
import type { Clock } from '../../time/clock';
import type { SipDialog, SipRequest } from '../sip-types/srf-types';
import { Deadlines } from '../timers/deadlines';

/** Answers that mean the agent is unreachable on this dialog. */
// Any response proves the transport; 481 says the agent lost the dialog; 410 is
// drachtio-server's answer for a WebSocket that has closed, 503 the embedded server's.
const FAILED = new Set([408, 410, 481, 503]);

export class Keepalive {
  private readonly deadlines: Deadlines;
  private stopped = false;

  constructor(
    private readonly dialog: SipDialog,
    clock: Clock,
    private readonly everyMs: number,
    private readonly failed: (status: number | undefined) => void,
  ) {
    this.deadlines = new Deadlines(clock);
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    this.deadlines.cancelAll();
  }

  private arm(): void {
    if (!this.everyMs || this.stopped) return;
    this.deadlines.set('keepalive', this.everyMs, () => {
      if (this.stopped) return;
      this.dialog.request({ method: 'OPTIONS' } as unknown as SipRequest).then(
        (res) => {
          if (this.stopped) return;
          if (FAILED.has(res.status)) this.fail(res.status);
          else this.arm();
        },
        (err: { status?: number }) => this.fail(err?.status),
      );
    });
  }

  private fail(status: number | undefined): void {
    if (this.stopped) return;
    this.stop();
    this.failed(status);
  }
}
