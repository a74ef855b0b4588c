// One agent's absence, from the first evidence (t0) to its return: moves through the
// policy's situations on its own deadlines and, at each step, hands the matrix's actions
// to the executor, column by column. Small on purpose: the rules live in the matrix.
import type { Clock } from '../../time/clock';
import { Deadlines } from '../timers/deadlines';
import {
  actionsFor,
  COLUMNS,
  DISCONNECT_POLICY,
  type Action,
  type Column,
  type PolicyMatrix,
  type Situation,
} from './disconnect-policy';
import type { BackEvidence, GoneEvidence } from './evidence';

export interface AbsenceTimes {
  reconnectWindowMs: number;
  presenceTimeoutMs: number;
}

export interface PolicyStep {
  agentId: string;
  situation: Situation;
  moment: 'enter' | 'back';
  column: Column;
  actions: readonly Action[];
  evidence: GoneEvidence | BackEvidence;
  /** ms since t0. */
  elapsedMs: number;
}

export type PolicyExecutor = (step: PolicyStep) => void;

export class AgentAbsence {
  private situationValue: Situation = 'disconnected';
  private readonly deadlines: Deadlines;
  readonly t0: number;
  private endedFlag = false;

  constructor(
    readonly agentId: string,
    readonly evidence: GoneEvidence,
    private readonly times: AbsenceTimes,
    private readonly clock: Clock,
    private readonly execute: PolicyExecutor,
    private readonly matrix: PolicyMatrix = DISCONNECT_POLICY,
    /** Told each time a situation begins, before its actions. */
    private readonly onSituation: (s: Situation) => void = () => {},
  ) {
    this.t0 = clock.now();
    this.deadlines = new Deadlines(clock);
  }

  /** Begins the absence: the `disconnected` row, and its deadlines. */
  start(): void {
    this.deadlines.set('reconnectWindow', this.times.reconnectWindowMs, () =>
      this.enter('windowElapsed', this.evidence),
    );
    this.deadlines.set('presenceTimeout', this.times.presenceTimeoutMs, () =>
      this.enter('presenceElapsed', this.evidence),
    );
    this.enter('disconnected', this.evidence);
  }

  get situation(): Situation {
    return this.situationValue;
  }

  get ended(): boolean {
    return this.endedFlag;
  }

  get elapsedMs(): number {
    return this.clock.now() - this.t0;
  }

  /** The agent is back: within the window → its own row; later → the current row's `back`. */
  back(evidence: BackEvidence): Situation {
    if (this.endedFlag) throw new Error(`agent ${this.agentId}: absence already ended`);
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

  /** Ends without a return (shutdown): cancels the deadlines, runs nothing. */
  end(): void {
    this.endedFlag = true;
    this.deadlines.cancelAll();
  }

  private enter(situation: Situation, evidence: GoneEvidence): void {
    if (this.endedFlag) return;
    this.situationValue = situation;
    this.onSituation(situation);
    this.run(situation, 'enter', evidence);
  }

  private run(
    situation: Situation,
    moment: 'enter' | 'back',
    evidence: GoneEvidence | BackEvidence,
  ): void {
    for (const column of COLUMNS) {
      const actions = actionsFor(situation, column, moment, this.matrix);
      if (actions.length) {
        this.execute({
          agentId: this.agentId,
          situation,
          moment,
          column,
          actions,
          evidence,
          elapsedMs: this.elapsedMs,
        });
      }
    }
  }
}
