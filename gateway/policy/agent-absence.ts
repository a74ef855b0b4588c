// One agent's absence, from the first evidence (t0) to its return: moves through the
// policy's situations on its own deadlines and, at each step, hands the matrix's actions
// to the executor, once for each column that applies to the agent at that moment (its
// notifications, and one column per engagement's role). Small on purpose: the rules live
// in the matrix.
import type { BackEvidence, GoneEvidence } from '../call/evidence';
import type { Clock } from '../../time/clock';
import { Deadlines } from '../timers/deadlines';
import {
  actionsFor,
  DISCONNECT_POLICY,
  type Action,
  type Column,
  type PolicyMatrix,
  type Situation,
} from './disconnect-policy';

export interface AbsenceTimes {
  reconnectWindowMs: number;
  presenceTimeoutMs: number;
}

/** A column to run, and what it runs on (an engagement), if anything. */
export interface ColumnTarget<T = unknown> {
  column: Column;
  target?: T;
}

export interface PolicyStep<T = unknown> {
  agentId: string;
  situation: Situation;
  moment: 'enter' | 'back';
  column: Column;
  target?: T;
  actions: readonly Action[];
  evidence: GoneEvidence | BackEvidence;
  /** ms since t0. */
  elapsedMs: number;
}

export interface AgentAbsenceOptions<T> {
  agentId: string;
  evidence: GoneEvidence;
  times: AbsenceTimes;
  clock: Clock;
  execute: (step: PolicyStep<T>) => void;
  matrix?: PolicyMatrix;
  /** The columns that apply now (asked afresh at every step). */
  columns: () => readonly ColumnTarget<T>[];
  /** Told each time a situation begins, before its actions. */
  onSituation?: (s: Situation) => void;
}

export class AgentAbsence<T = unknown> {
  private situationValue: Situation = 'disconnected';
  private readonly deadlines: Deadlines;
  readonly t0: number;
  private endedFlag = false;

  constructor(private readonly o: AgentAbsenceOptions<T>) {
    this.t0 = o.clock.now();
    this.deadlines = new Deadlines(o.clock);
  }

  get agentId(): string {
    return this.o.agentId;
  }

  get evidence(): GoneEvidence {
    return this.o.evidence;
  }

  /** Begins the absence: the `disconnected` row, and its deadlines. */
  start(): void {
    this.deadlines.set('reconnectWindow', this.o.times.reconnectWindowMs, () =>
      this.enter('windowElapsed', this.o.evidence),
    );
    this.deadlines.set('presenceTimeout', this.o.times.presenceTimeoutMs, () =>
      this.enter('presenceElapsed', this.o.evidence),
    );
    this.enter('disconnected', this.o.evidence);
  }

  get situation(): Situation {
    return this.situationValue;
  }

  get ended(): boolean {
    return this.endedFlag;
  }

  get elapsedMs(): number {
    return this.o.clock.now() - this.t0;
  }

  /** When the deadlines fall due (clock ms), for countdowns. */
  get deadlinesAt(): { reconnectWindow: number; presenceTimeout: number } {
    return {
      reconnectWindow: this.t0 + this.o.times.reconnectWindowMs,
      presenceTimeout: this.t0 + this.o.times.presenceTimeoutMs,
    };
  }

  /** The agent is back: within the window → its own row; later → the current row's `back`. */
  back(evidence: BackEvidence): Situation {
    if (this.endedFlag) throw new Error(`agent ${this.o.agentId}: absence already ended`);
    const was = this.situationValue;
    this.end();
    if (was === 'disconnected') {
      this.situationValue = 'backWithinWindow';
      this.run('backWithinWindow', 'enter', evidence);
    } else {
      this.run(was, 'back', evidence);
    }
    return this.situationValue;
  }

  /**
   * Some engagements changed part (a transfer failed: a phone call again): the current
   * row's `enter` cell of their new column runs for them.
   */
  reenter(which: (target: T | undefined) => boolean): void {
    if (this.endedFlag) return;
    this.run(this.situationValue, 'enter', this.o.evidence, which);
  }

  /** Ends without a return (shutdown): cancels the deadlines, runs nothing. */
  end(): void {
    this.endedFlag = true;
    this.deadlines.cancelAll();
  }

  private enter(situation: Situation, evidence: GoneEvidence): void {
    if (this.endedFlag) return;
    this.situationValue = situation;
    this.o.onSituation?.(situation);
    this.run(situation, 'enter', evidence);
  }

  private run(
    situation: Situation,
    moment: 'enter' | 'back',
    evidence: GoneEvidence | BackEvidence,
    which: (target: T | undefined) => boolean = () => true,
  ): void {
    for (const { column, target } of this.o.columns()) {
      if (!which(target)) continue;
      const actions = actionsFor(situation, column, moment, this.o.matrix ?? DISCONNECT_POLICY);
      if (!actions.length) continue;
      this.o.execute({
        agentId: this.o.agentId,
        situation,
        moment,
        column,
        ...(target !== undefined ? { target } : {}),
        actions,
        evidence,
        elapsedMs: this.elapsedMs,
      });
    }
  }
}
