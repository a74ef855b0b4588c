// What all four transaction kinds share: named states with a table of legal moves, the
// RFC's timers by letter, and the transport they send on.
import type { SipMessage, SipRequest } from '../message/sip-message';
import type { Clock, Timer } from '../../time/clock';
import type { TimerValues } from './timer-values';

export interface TransactionContext {
  clock: Clock;
  timers: TimerValues;
  /** True for TCP/WS/TLS: RFC 3261 turns off retransmissions and zeroes timers D/I/J/K. */
  reliable: boolean;
  send(msg: SipMessage): void;
}

export class IllegalTransitionError extends Error {
  override name = 'IllegalTransitionError';
}

export abstract class Transaction<S extends string> {
  protected abstract readonly transitions: Record<S, readonly S[]>;
  private readonly timerHandles = new Map<string, Timer>();
  private stateValue: S;

  constructor(
    readonly id: string,
    readonly request: SipRequest,
    protected readonly ctx: TransactionContext,
    initial: S,
  ) {
    this.stateValue = initial;
  }

  get state(): S {
    return this.stateValue;
  }

  /** The one place state changes; illegal moves are programming errors. */
  protected stateTransition(to: S): void {
    const allowed = this.transitions[this.stateValue];
    if (!allowed.includes(to)) {
      throw new IllegalTransitionError(
        `${this.constructor.name} ${this.id}: illegal transition ${this.stateValue} -> ${to}`,
      );
    }
    this.stateValue = to;
    if (to === ('Terminated' as S)) {
      this.clearTimers();
      this.onTerminated();
    }
  }

  protected startTimer(letter: string, ms: number, fn: () => void): void {
    this.timerHandles.get(letter)?.cancel();
    this.timerHandles.set(
      letter,
      this.ctx.clock.after(ms, () => {
        this.timerHandles.delete(letter);
        fn();
      }),
    );
  }

  protected stopTimer(letter: string): void {
    this.timerHandles.get(letter)?.cancel();
    this.timerHandles.delete(letter);
  }

  protected clearTimers(): void {
    for (const h of this.timerHandles.values()) h.cancel();
    this.timerHandles.clear();
  }

  /** Ends the transaction at once (server shutdown, flow gone). */
  abstract terminate(): void;

  protected abstract onTerminated(): void;
}
