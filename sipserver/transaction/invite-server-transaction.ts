// INVITE server transaction, RFC 3261 §17.2.1 with the Accepted state of RFC 6026 §7.1.
import type { SipRequest, SipResponse } from '../message/sip-message';
import { Transaction, type TransactionContext } from './transaction';

export type InviteServerState =
  'Proceeding' | 'Accepted' | 'Completed' | 'Confirmed' | 'Terminated';

export interface InviteServerUser {
  onTerminated(txn: InviteServerTransaction): void;
}

export class InviteServerTransaction extends Transaction<InviteServerState> {
  protected readonly transitions = {
    Proceeding: ['Accepted', 'Completed', 'Terminated'],
    Accepted: ['Terminated'],
    Completed: ['Confirmed', 'Terminated'],
    Confirmed: ['Terminated'],
    Terminated: [],
  } as const satisfies Record<InviteServerState, readonly InviteServerState[]>;

  lastResponse: SipResponse | undefined;

  constructor(
    id: string,
    request: SipRequest,
    ctx: TransactionContext,
    private readonly user: InviteServerUser,
  ) {
    super(id, request, ctx, 'Proceeding');
  }

  /** The TU's response (§17.2.1: 1xx stays in Proceeding, 2xx leaves, 3xx-6xx completes). */
  respond(res: SipResponse): void {
    if (this.state !== 'Proceeding') return;
    this.lastResponse = res;
    this.ctx.send(res);
    if (res.status < 200) return;
    if (res.status < 300) {
      // RFC 6026 §7.1: absorb retransmitted INVITEs for 64*T1 (Timer L); the 2xx itself
      // is retransmitted by the UAS core (§13.3.1.4).
      this.stateTransition('Accepted');
      this.startTimer('L', 64 * this.ctx.timers.T1, () => this.stateTransition('Terminated'));
      return;
    }
    this.stateTransition('Completed');
    if (!this.ctx.reliable) this.startTimerG(this.ctx.timers.T1);
    // "Timer H ... set to 64*T1": give up waiting for the ACK.
    this.startTimer('H', 64 * this.ctx.timers.T1, () => this.stateTransition('Terminated'));
  }

  private startTimerG(interval: number): void {
    this.startTimer('G', interval, () => {
      if (this.state !== 'Completed' || !this.lastResponse) return;
      this.ctx.send(this.lastResponse);
      this.startTimerG(Math.min(2 * interval, this.ctx.timers.T2));
    });
  }

  /** A retransmitted INVITE: "the server MUST pass [the last response] to the transport". */
  onRetransmittedRequest(): void {
    if ((this.state === 'Proceeding' || this.state === 'Completed') && this.lastResponse) {
      this.ctx.send(this.lastResponse);
    }
  }

  /** ACK for the non-2xx final (§17.2.1): to Confirmed, Timer I absorbs ACK copies. */
  onAck(): void {
    if (this.state !== 'Completed') return;
    this.stateTransition('Confirmed');
    this.stopTimer('G');
    this.stopTimer('H');
    const timerI = this.ctx.reliable ? 0 : this.ctx.timers.T4;
    this.startTimer('I', timerI, () => this.stateTransition('Terminated'));
  }

  terminate(): void {
    if (this.state !== 'Terminated') this.stateTransition('Terminated');
  }

  protected onTerminated(): void {
    this.user.onTerminated(this);
  }
}
