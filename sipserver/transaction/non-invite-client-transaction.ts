// Non-INVITE client transaction, RFC 3261 §17.1.2.
import type { SipRequest, SipResponse } from '../message/sip-message';
import type { ClientTransactionUser } from './client-transaction-user';
import { Transaction, type TransactionContext } from './transaction';

export type NonInviteClientState = 'Trying' | 'Proceeding' | 'Completed' | 'Terminated';

export class NonInviteClientTransaction extends Transaction<NonInviteClientState> {
  protected readonly transitions = {
    Trying: ['Proceeding', 'Completed', 'Terminated'],
    Proceeding: ['Completed', 'Terminated'],
    Completed: ['Terminated'],
    Terminated: [],
  } as const satisfies Record<NonInviteClientState, readonly NonInviteClientState[]>;

  constructor(
    id: string,
    request: SipRequest,
    ctx: TransactionContext,
    private readonly user: ClientTransactionUser<NonInviteClientTransaction>,
  ) {
    super(id, request, ctx, 'Trying');
  }

  start(): void {
    this.ctx.send(this.request);
    // Timer E: retransmit at T1 doubling up to T2 (unreliable transports only).
    if (!this.ctx.reliable) this.startTimerE(this.ctx.timers.T1);
    // Timer F: 64*T1 without a final response is a timeout.
    this.startTimer('F', 64 * this.ctx.timers.T1, () => {
      this.user.onTimeout(this);
      this.terminate();
    });
  }

  private startTimerE(interval: number): void {
    this.startTimer('E', interval, () => {
      if (this.state !== 'Trying' && this.state !== 'Proceeding') return;
      this.ctx.send(this.request);
      // "If Timer E fires while in the Proceeding state, the request MUST be passed to
      // the transport layer for retransmission, and Timer E MUST be reset with a value of T2".
      const next = this.state === 'Proceeding' ? this.ctx.timers.T2 : 2 * interval;
      this.startTimerE(Math.min(next, this.ctx.timers.T2));
    });
  }

  receive(res: SipResponse): void {
    if (this.state !== 'Trying' && this.state !== 'Proceeding') return;
    if (res.status < 200) {
      if (this.state === 'Trying') this.stateTransition('Proceeding');
      this.user.onResponse(res, this);
      return;
    }
    this.stopTimer('E');
    this.stopTimer('F');
    this.stateTransition('Completed');
    this.user.onResponse(res, this);
    // Timer K: T4 on unreliable transports to absorb retransmitted responses, else zero.
    const timerK = this.ctx.reliable ? 0 : this.ctx.timers.T4;
    this.startTimer('K', timerK, () => this.stateTransition('Terminated'));
  }

  terminate(): void {
    if (this.state !== 'Terminated') this.stateTransition('Terminated');
  }

  protected onTerminated(): void {
    this.user.onTerminated(this);
  }
}
