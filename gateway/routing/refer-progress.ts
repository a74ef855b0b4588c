// The transferor's view of a transfer it asked for with REFER: NOTIFYs in its dialog whose
// bodies are the target's responses as message/sipfrag (RFC 3515 §2.4.5), the last one
// terminating the implicit subscription.
import type { Logger } from 'pino';
import type { AgentLeg } from '../call/agent-leg';

const REASONS: Record<number, string> = {
  100: 'Trying',
  180: 'Ringing',
  200: 'OK',
  404: 'Not Found',
  408: 'Request Timeout',
  480: 'Temporarily Unavailable',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  500: 'Server Internal Error',
  503: 'Service Unavailable',
  603: 'Decline',
};

export class ReferProgress {
  private ended = false;

  constructor(
    private readonly transferor: AgentLeg,
    private readonly log: Logger,
  ) {}

  trying(): void {
    this.send(100, false);
  }

  ringing(): void {
    this.send(180, false);
  }

  /** The target's final response; the subscription ends with it. */
  done(status: number): void {
    this.send(status, true);
  }

  private send(status: number, final: boolean): void {
    if (this.ended) return;
    if (final) this.ended = true;
    const headers = {
      Event: 'refer',
      'Subscription-State': final ? 'terminated;reason=noresource' : 'active;expires=60',
      'Content-Type': 'message/sipfrag;version=2.0',
    };
    const body = `SIP/2.0 ${status} ${REASONS[status] ?? 'Unknown'}\r\n`;
    this.transferor.notify(headers, body).catch((err: Error) => {
      this.log.info({ err: err.message, status }, 'transfer NOTIFY not delivered');
    });
  }
}
