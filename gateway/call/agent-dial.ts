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

export class AgentDial {
  private request?: SipRequest;
  private cancelled = false;
  readonly answered: Promise<SipDialog>;

  constructor(
    srf: SrfInstance,
    uri: string,
    sdp: string,
    headers: Record<string, string>,
    onProvisional: (res: SipResponse) => void,
  ) {
    this.answered = srf
      .createUAC(
        uri,
        { localSdp: sdp, headers },
        {
          // drachtio-srf calls it as (err, req), whatever its type declarations say.
          cbRequest: ((err: unknown, req?: SipRequest) => {
            if (err || !req) return;
            this.request = req;
            if (this.cancelled) this.sendCancel();
          }) as unknown as (req: SipRequest) => void,
          cbProvisional: (res) => {
            if (!this.cancelled) onProvisional(res);
          },
        },
      )
      .then(
        (dialog) => {
          if (this.cancelled) {
            dialog.destroy();
            throw new DialFailedError(`INVITE to ${uri} answered after it was cancelled`, 487);
          }
          return dialog;
        },
        (err: unknown) => {
          const status = sipStatusOf(err);
          throw new DialFailedError(
            `INVITE to ${uri} failed: ${status ?? (err as Error)?.message ?? String(err)}`,
            status,
          );
        },
      );
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    if (this.request) this.sendCancel();
  }

  private sendCancel(): void {
    this.request?.cancel(() => {});
  }
}
