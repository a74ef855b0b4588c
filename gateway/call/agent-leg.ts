// An answered leg towards an agent: the SIP dialog, the media tag it has in rtpengine,
// and the keep-alive that notices a dead transport. release() is idempotent.
import type { LegProfile } from '../../media/leg-profile';
import type { Clock } from '../../time/clock';
import { Deadlines } from '../timers/deadlines';
import type { SipDialog, SipRequest } from '../sip/srf-types';

export interface AgentLegHandlers {
  /** The agent hung up; the BYE is passed so its Reason can be read. */
  bye(req: SipRequest): void;
  /** In-dialog OPTIONS failed (transport gone or the agent no longer knows the dialog). */
  keepaliveFailed(status: number | undefined): void;
}

export class AgentLeg {
  private releasedFlag = false;
  private readonly deadlines: Deadlines;

  constructor(
    readonly agentId: string,
    readonly tag: string,
    readonly profile: LegProfile,
    readonly dialog: SipDialog,
    private readonly handlers: AgentLegHandlers,
    clock: Clock,
    private readonly keepaliveMs = 0,
  ) {
    this.deadlines = new Deadlines(clock);
    dialog.on('destroy', (req: SipRequest) => {
      if (this.releasedFlag) return;
      this.releasedFlag = true;
      this.deadlines.cancelAll();
      this.handlers.bye(req);
    });
    this.armKeepalive();
  }

  get released(): boolean {
    return this.releasedFlag;
  }

  /** Sends BYE (unless the agent already did) and stops the keep-alive. */
  release(headers: Record<string, string> = {}): void {
    if (this.releasedFlag) return;
    this.releasedFlag = true;
    this.deadlines.cancelAll();
    try {
      this.dialog.destroy({ headers }, () => {});
    } catch {
      // The dialog may already be gone on the server side; nothing left to release.
    }
  }

  private armKeepalive(): void {
    if (!this.keepaliveMs) return;
    this.deadlines.set('keepalive', this.keepaliveMs, () => {
      if (this.releasedFlag) return;
      this.dialog.request({ method: 'OPTIONS' } as unknown as SipRequest).then(
        (res) => {
          if (this.releasedFlag) return;
          // Any response proves the transport; 481 says the agent lost the dialog; 410 is
          // drachtio-server's answer for a WebSocket that has closed, 503 the embedded one's.
          if ([408, 410, 481, 503].includes(res.status)) this.handlers.keepaliveFailed(res.status);
          else this.armKeepalive();
        },
        (err: { status?: number }) => {
          if (!this.releasedFlag) this.handlers.keepaliveFailed(err?.status);
        },
      );
    });
  }
}
