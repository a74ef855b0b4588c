// What the gateway knows about its rtpengine: up or down, how often it restarted, and
// whether it lost its call state. The supervisor (private rtpengine) and the monitor (any
// rtpengine) report into it; the gateway reads it and listens to its events.
import { EventEmitter } from 'node:events';
import type { Clock } from '../time/clock';

export type RtpengineState = 'up' | 'down' | 'stopped';

/** Why rtpengine is down: its process exited, or it does not answer (frozen, unreachable). */
export type DownCause = 'exited' | 'unresponsive';

export interface RtpengineDownEvent {
  at: number;
  cause: DownCause;
  reason: string;
  restarts: number;
}

export interface RtpengineUpEvent {
  at: number;
  restarts: number;
  downForMs: number;
  /** pid of a launched rtpengine. */
  pid?: number;
  /** It came back without the calls it had (restarted). */
  stateLost: boolean;
}

export interface RtpengineStateLostEvent {
  at: number;
  /** 'exited': our rtpengine died (a new one is being started); 'restarted': an rtpengine
   * answering now has restarted since we last looked. */
  cause: 'exited' | 'restarted';
  /** Whether rtpengine takes requests now; if not, 'up' follows when it does. */
  answering: boolean;
  restarts: number;
}

export interface RestartFailedEvent {
  at: number;
  attempt: number;
  error: Error;
  nextInMs: number;
}

export interface RtpengineHealthEvents {
  down: [RtpengineDownEvent];
  up: [RtpengineUpEvent];
  /** Every call rtpengine had is gone: end or re-anchor them. */
  stateLost: [RtpengineStateLostEvent];
  /** A restart of the private rtpengine failed; another follows after nextInMs. */
  restartFailed: [RestartFailedEvent];
}

/** For /health: plain JSON. */
export interface RtpengineHealthSnapshot {
  state: RtpengineState;
  external: boolean;
  address: string;
  pid?: number;
  restarts: number;
  /** Time in the current state. */
  forMs: number;
  down?: { cause: DownCause; reason: string };
  lastStateLostAgoMs?: number;
}

export class RtpengineHealth extends EventEmitter<RtpengineHealthEvents> {
  private stateValue: RtpengineState = 'up';
  private since: number;
  private downInfo?: { cause: DownCause; reason: string };
  private restartCount = 0;
  private lastStateLost?: number;
  private pidValue?: number;

  constructor(
    readonly external: boolean,
    readonly address: string,
    private readonly clock: Clock,
    pid?: number,
  ) {
    super();
    this.since = clock.now();
    this.pidValue = pid;
  }

  get state(): RtpengineState {
    return this.stateValue;
  }

  get up(): boolean {
    return this.stateValue === 'up';
  }

  get restarts(): number {
    return this.restartCount;
  }

  get pid(): number | undefined {
    return this.pidValue;
  }

  /** Why it is down, while it is. */
  get downCause(): DownCause | undefined {
    return this.downInfo?.cause;
  }

  snapshot(): RtpengineHealthSnapshot {
    const now = this.clock.now();
    return {
      state: this.stateValue,
      external: this.external,
      address: this.address,
      ...(this.pidValue !== undefined && { pid: this.pidValue }),
      restarts: this.restartCount,
      forMs: Math.round(now - this.since),
      ...(this.downInfo && { down: { ...this.downInfo } }),
      ...(this.lastStateLost !== undefined && {
        lastStateLostAgoMs: Math.round(now - this.lastStateLost),
      }),
    };
  }

  // The rest is for the supervisor and the monitor.

  /** Emits 'down' on the first report; a later 'exited' only refines the cause. */
  reportDown(cause: DownCause, reason: string): void {
    if (this.stateValue === 'stopped') return;
    if (this.stateValue === 'down') {
      if (cause === 'exited') this.downInfo = { cause, reason };
      return;
    }
    this.stateValue = 'down';
    this.since = this.clock.now();
    this.downInfo = { cause, reason };
    this.emit('down', { at: this.since, cause, reason, restarts: this.restartCount });
  }

  /** Call state is gone; `restarted` counts one restart (a detected or a completed one). */
  reportStateLost(cause: RtpengineStateLostEvent['cause'], answering: boolean): void {
    if (this.stateValue === 'stopped') return;
    if (cause === 'restarted') this.restartCount++;
    this.lastStateLost = this.clock.now();
    this.emit('stateLost', {
      at: this.lastStateLost,
      cause,
      answering,
      restarts: this.restartCount,
    });
  }

  /** A new private process answers (counts a restart). */
  reportRestarted(pid: number): void {
    if (this.stateValue === 'stopped') return;
    this.restartCount++;
    this.pidValue = pid;
    this.toUp(true);
  }

  /** It answers again; `stateLost` when it restarted meanwhile. An exit ends with a restart. */
  reportUp(stateLost: boolean): void {
    if (this.stateValue !== 'down' || this.downInfo?.cause === 'exited') return;
    this.toUp(stateLost);
  }

  reportRestartFailed(attempt: number, error: Error, nextInMs: number): void {
    if (this.stateValue === 'stopped') return;
    if (this.downInfo) this.downInfo = { ...this.downInfo, reason: error.message };
    this.emit('restartFailed', { at: this.clock.now(), attempt, error, nextInMs });
  }

  reportStopped(): void {
    this.stateValue = 'stopped';
    this.since = this.clock.now();
    this.downInfo = undefined;
  }

  private toUp(stateLost: boolean): void {
    const now = this.clock.now();
    const downForMs = this.stateValue === 'down' ? now - this.since : 0;
    this.stateValue = 'up';
    this.since = now;
    this.downInfo = undefined;
    this.emit('up', {
      at: now,
      restarts: this.restartCount,
      downForMs,
      ...(this.pidValue !== undefined && { pid: this.pidValue }),
      stateLost,
    });
  }
}
