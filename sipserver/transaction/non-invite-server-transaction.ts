// Non-INVITE server transaction, RFC 3261 §17.2.2.
import type { SipRequest, SipResponse } from '../message/sip-message';
import { Transaction, type TransactionContext } from './transaction';

export type NonInviteServerState = 'Trying' | 'Proceeding' | 'Completed' | 'Terminated';

export interface NonInviteServerUser {
  onTerminated(txn: NonInviteServerTransaction): void;
}

export class NonInviteServerTransaction extends Transaction<NonInviteServerState> {
  protected readonly transitions = {
    Trying: ['Proceeding', 'Completed', 'Terminated'],
    Proceeding: ['Completed', 'Terminated'],
    Completed: ['Terminated'],
    Terminated: [],
  } as const satisfies Record<NonInviteServerState, readonly NonInviteServerState[]>;

  lastResponse: SipResponse | undefined;

  constructor(
    id: string,
    request: SipRequest,
    ctx: TransactionContext,
    private readonly user: NonInviteServerUser,
  ) {
    super(id, request, ctx, 'Trying');
  }

  respond(res: SipResponse): void {
    if (this.state === 'Completed' || this.state === 'Terminated') return;
    this.lastResponse = res;
    this.ctx.send(res);
    if (res.status < 200) {
      if (this.state === 'Trying') this.stateTransition('Proceeding');
      return;
    }
    this.stateTransition('Completed');
    // "Timer J ... 64*T1 seconds for unreliable transports, and zero seconds for reliable".
    const timerJ = this.ctx.reliable ? 0 : 64 * this.ctx.timers.T1;
    this.startTimer('J', timerJ, () => this.stateTransition('Terminated'));
  }

  /** Retransmitted request: absorbed in Trying, answered with the last response after. */
  onRetransmittedRequest(): void {
    if ((this.state === 'Proceeding' || this.state === 'Completed') && this.lastResponse) {
      this.ctx.send(this.lastResponse);
    }
  }

  terminate(): void {
    if (this.state !== 'Terminated') this.stateTransition('Terminated');
  }

  protected onTerminated(): void {
    this.user.onTerminated(this);
  }
}
