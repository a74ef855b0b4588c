// One INVITE towards an agent: provisional responses are passed on, and it can be
// cancelled at any point (a 200 that crosses the CANCEL is answered with a BYE).
import type { SipDialog, SipRequest, SipResponse, SrfInstance } from '../sip-types/srf-types';
import { sipStatusOf } from '../sip-types/srf-types';

export class DialFailedError extends Error {
  override name = 'DialFailedError';
  constructor(
    message: string,
    readonly status: number | undefined,
  ) {
    super(message);
  }
}

/**
 * How long a cancelled INVITE waits for its final response (the 487, or a 200 that crossed
 * the CANCEL) before it is given up. It normally comes at once; a SIP server that lost the
 * transaction (it restarted, or its connection to us dropped) never sends it, and
 * drachtio-srf then never settles the request.
 */
export const CANCELLED_FINAL_WAIT_MS = 4000;

export class AgentDial {
  private request?: SipRequest;
  private cancelled = false;
  private giveUp?: (err: Error) => void;
  private giveUpTimer?: NodeJS.Timeout;
  private done = false;
  readonly answered: Promise<SipDialog>;

  constructor(
    srf: SrfInstance,
    uri: string,
    sdp: string,
    headers: Record<string, string>,
    onProvisional: (res: SipResponse) => void,
    /** The INVITE went out: its transaction id is known (txnId). */
    onSent: () => void = () => {},
  ) {
    const invited = srf
      .createUAC(
        uri,
        { localSdp: sdp, headers },
        {
          // drachtio-srf calls it as (err, req), whatever its type declarations say.
          cbRequest: ((err: unknown, req?: SipRequest) => {
            if (err || !req) return;
            this.request = req;
            if (this.cancelled) this.sendCancel();
            else onSent();
          }) as unknown as (req: SipRequest) => void,
          cbProvisional: (res) => {
            if (!this.cancelled) onProvisional(res);
          },
        },
      )
      .then(
        (dialog) => {
          this.settled();
          if (this.cancelled) {
            dialog.destroy();
            throw new DialFailedError(`INVITE to ${uri} answered after it was cancelled`, 487);
          }
          return dialog;
        },
        (err: unknown) => {
          this.settled();
          const status = sipStatusOf(err);
          throw new DialFailedError(
            `INVITE to ${uri} failed: ${status ?? (err as Error)?.message ?? String(err)}`,
            status,
          );
        },
      );
    const givenUp = new Promise<never>((_, reject) => (this.giveUp = reject));
    this.answered = Promise.race([invited, givenUp]);
  }

  /** The SIP server's id of the INVITE while it waits for its final response. */
  get txnId(): string | undefined {
    if (this.done || this.cancelled) return undefined;
    return (this.request as { stackTxnId?: string } | undefined)?.stackTxnId;
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    if (this.request) this.sendCancel();
    if (this.done) return;
    this.giveUpTimer = setTimeout(
      () =>
        this.giveUp?.(
          new DialFailedError(
            `INVITE cancelled, no final response within ${CANCELLED_FINAL_WAIT_MS} ms`,
            487,
          ),
        ),
      CANCELLED_FINAL_WAIT_MS,
    );
    this.giveUpTimer.unref();
  }

  private settled(): void {
    this.done = true;
    if (this.giveUpTimer) clearTimeout(this.giveUpTimer);
    this.giveUpTimer = undefined;
  }

  private sendCancel(): void {
    this.request?.cancel(() => {});
  }
}
