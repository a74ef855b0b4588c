// INVITE client transaction, RFC 3261 §17.1.1 with the Accepted state of RFC 6026 §7.2.
import { SipRequest, type SipResponse } from '../message/sip-message';
import type { ClientTransactionUser } from './client-transaction-user';
import { Transaction, type TransactionContext } from './transaction';

export type InviteClientState = 'Calling' | 'Proceeding' | 'Accepted' | 'Completed' | 'Terminated';

export class InviteClientTransaction extends Transaction<InviteClientState> {
  protected readonly transitions = {
    Calling: ['Proceeding', 'Accepted', 'Completed', 'Terminated'],
    Proceeding: ['Accepted', 'Completed', 'Terminated'],
    Accepted: ['Terminated'],
    Completed: ['Terminated'],
    Terminated: [],
  } as const satisfies Record<InviteClientState, readonly InviteClientState[]>;

  private ack: SipRequest | undefined;

  constructor(
    id: string,
    request: SipRequest,
    ctx: TransactionContext,
    private readonly user: ClientTransactionUser<InviteClientTransaction>,
  ) {
    super(id, request, ctx, 'Calling');
  }

  start(): void {
    this.ctx.send(this.request);
    // Timer A: retransmit at T1, 2*T1, 4*T1... over unreliable transports only.
    if (!this.ctx.reliable) this.startTimerA(this.ctx.timers.T1);
    // Timer B: 64*T1 without a response ends the transaction with a timeout.
    this.startTimer('B', 64 * this.ctx.timers.T1, () => {
      this.user.onTimeout(this);
      this.terminate();
    });
  }

  private startTimerA(interval: number): void {
    this.startTimer('A', interval, () => {
      if (this.state !== 'Calling') return;
      this.ctx.send(this.request);
      this.startTimerA(2 * interval);
    });
  }

  receive(res: SipResponse): void {
    switch (this.state) {
      case 'Calling':
      case 'Proceeding':
        this.stopTimer('A');
        if (res.status < 200) {
          if (this.state === 'Calling') this.stateTransition('Proceeding');
          this.user.onResponse(res, this);
        } else if (res.status < 300) {
          // RFC 6026 §7.2: stay to pass 2xx retransmissions up for Timer M = 64*T1.
          this.stopTimer('B');
          this.stateTransition('Accepted');
          this.startTimer('M', 64 * this.ctx.timers.T1, () => this.stateTransition('Terminated'));
          this.user.onResponse(res, this);
        } else {
          this.stopTimer('B');
          this.stateTransition('Completed');
          this.sendAck(res);
          this.user.onResponse(res, this);
          // Timer D: absorb final response retransmissions; at least 32 s on UDP.
          const timerD = this.ctx.reliable ? 0 : Math.min(32_000, 64 * this.ctx.timers.T1);
          this.startTimer('D', timerD, () => this.stateTransition('Terminated'));
        }
        return;
      case 'Accepted':
        if (res.status >= 200 && res.status < 300) this.user.onResponse(res, this);
        return;
      case 'Completed':
        // "Any retransmissions of the final response ... MUST cause the ACK to be re-passed".
        if (res.status >= 300) this.sendAck(res);
        return;
      case 'Terminated':
        return;
    }
  }

  /** RFC 3261 §17.1.1.3: the ACK for a non-2xx final is built by the transaction. */
  private sendAck(res: SipResponse): void {
    if (!this.ack) {
      const ack = new SipRequest('ACK', this.request.uri);
      ack.append('Via', this.request.get('via') ?? '');
      for (const route of this.request.getAll('route')) ack.append('Route', route);
      ack.append('Max-Forwards', '70');
      ack.append('From', this.request.get('from') ?? '');
      ack.append('To', res.get('to') ?? '');
      ack.append('Call-ID', this.request.callId);
      ack.append('CSeq', `${this.request.cseq.seq} ACK`);
      this.ack = ack;
    }
    this.ctx.send(this.ack);
  }

  terminate(): void {
    if (this.state !== 'Terminated') this.stateTransition('Terminated');
  }

  protected onTerminated(): void {
    this.user.onTerminated(this);
  }
}
