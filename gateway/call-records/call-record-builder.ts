// Collects what happens to one call, fed by the call model's events, and produces its
// CallRecord when the call ends. Pure bookkeeping with an injected wall clock; it never
// throws on events that arrive late or out of order (they are ignored), because it runs
// inside call handling.
import type { PolicyCellApplied } from '../call/call-events';
import type { LegRole } from '../call/leg-state';
import { callOutcome } from './call-outcome';
import {
  CALL_RECORD_SCHEMA,
  type CallEndReason,
  type CallRecord,
  type CustomerInfo,
  type DisconnectEpisode,
  type DisconnectEvidence,
  type EpisodeOutcome,
  type LegRecord,
  type ReturnEvidence,
} from './call-record';

interface OpenEpisode {
  cells?: string[];
  agentId: string;
  evidence: DisconnectEvidence;
  t0: number;
  promptAt?: number;
  returnEvidence?: ReturnEvidence;
  returnedAt?: number;
}

interface OpenLeg {
  agentId: string;
  role?: LegRole;
  resumption: boolean;
  offeredAt: number;
  answeredAt?: number;
  endedAt?: number;
  endReason?: string;
}

export interface CallRecordBuilderOptions {
  callId: string;
  customer: CustomerInfo;
  /** Wall-clock milliseconds since the epoch; Date.now by default. */
  now?: () => number;
}

const iso = (ms: number) => new Date(ms).toISOString();

export class CallRecordBuilder {
  readonly callId: string;
  private readonly now: () => number;
  private readonly customer: CustomerInfo;
  private readonly startedAt: number;
  private answeredAt?: number;
  private overflow?: { at: number; target?: string };
  private readonly legs: OpenLeg[] = [];
  private readonly episodes: DisconnectEpisode[] = [];
  /** The episode of the call's own agent (the call entered agentGone). */
  private episode?: OpenEpisode;
  /** Episodes of agents with another part in the call (consulted, transferor), by agent. */
  private readonly parts = new Map<string, OpenEpisode>();
  private record?: CallRecord;

  constructor(opts: CallRecordBuilderOptions) {
    this.callId = opts.callId;
    this.customer = { ...opts.customer };
    this.now = opts.now ?? Date.now;
    this.startedAt = this.now();
  }

  get ended(): boolean {
    return this.record !== undefined;
  }

  /** The agent whose disconnect is being handled, if any. */
  get disconnectedAgent(): string | undefined {
    return this.episode?.agentId;
  }

  legOffered(agentId: string, opts: { resumption?: boolean; role?: LegRole } = {}): void {
    if (this.record) return;
    this.legs.push({
      agentId,
      ...(opts.role ? { role: opts.role } : {}),
      resumption: opts.resumption ?? false,
      offeredAt: this.now(),
    });
  }

  legAnswered(agentId: string): void {
    const leg = this.openLeg(agentId);
    if (!leg || leg.answeredAt !== undefined) return;
    leg.answeredAt = this.now();
    this.answeredAt ??= leg.answeredAt;
  }

  legEnded(agentId: string, reason: string): void {
    const leg = this.openLeg(agentId);
    if (!leg) return;
    leg.endedAt = this.now();
    leg.endReason = reason;
    const part = this.parts.get(agentId);
    if (part) this.closePart(part, 'released');
  }

  /**
   * Evidence that the connected agent is gone. Opens an episode (t0 = now) and returns
   * true; further evidence for the same episode is ignored and returns false.
   */
  agentGone(agentId: string, evidence: DisconnectEvidence): boolean {
    if (this.record || this.episode) return false;
    // Its cell may have been told first: that episode becomes the call's own.
    const told = this.parts.get(agentId);
    this.parts.delete(agentId);
    this.episode = told ?? { agentId, evidence, t0: this.now() };
    return true;
  }

  /** The disconnected prompt started; returns detection-to-prompt in ms (first time only). */
  promptStarted(): number | undefined {
    const ep = this.episode;
    if (!ep || ep.promptAt !== undefined) return undefined;
    ep.promptAt = this.now();
    return ep.promptAt - ep.t0;
  }

  /** Evidence that the gone agent is back (the first one counts). */
  agentReturned(evidence: ReturnEvidence): void {
    const ep = this.episode;
    if (!ep || ep.returnedAt !== undefined) return;
    ep.returnEvidence = evidence;
    ep.returnedAt = this.now();
  }

  /** Audio flows again between the returned agent and the customer. Closes the episode. */
  reattached(): DisconnectEpisode | undefined {
    return this.closeEpisode('reattached');
  }

  /** The call was given up on its agent and rerouted. Closes the episode. */
  rerouted(): DisconnectEpisode | undefined {
    return this.closeEpisode('rerouted');
  }

  /**
   * A policy cell ran on the call for a gone agent: kept with that agent's episode. An agent
   * with another part than the call's own (a consulted agent) gets an episode of its own,
   * opened by its first cell and closed ('released') when its leg has ended.
   */
  policyApplied(cell: PolicyCellApplied): void {
    if (this.record) return;
    const text = `${cell.situation}/${cell.column}: ${cell.actions.join(', ')}`;
    if (this.episode?.agentId === cell.agentId) {
      (this.episode.cells ??= []).push(text);
      return;
    }
    let part = this.parts.get(cell.agentId);
    if (!part) {
      if (cell.situation !== 'disconnected') return;
      part = { agentId: cell.agentId, evidence: cell.evidence, t0: this.now() };
      this.parts.set(cell.agentId, part);
    }
    (part.cells ??= []).push(text);
    if (!this.openLeg(cell.agentId)) this.closePart(part, 'released');
  }

  overflowed(target?: string): void {
    if (this.record || this.overflow) return;
    this.overflow = { at: this.now(), target };
  }

  /** Ends the record (idempotent: a second call returns the first record). */
  end(reason: CallEndReason): CallRecord {
    if (this.record) return this.record;
    const endedAt = this.now();
    const customerLeft = reason === 'customer-hangup' || reason === 'customer-cancel';
    const closing = customerLeft ? 'customer-left' : 'call-ended';
    this.closeEpisode(closing);
    for (const part of [...this.parts.values()]) this.closePart(part, closing);
    for (const leg of this.legs) {
      if (leg.endedAt !== undefined) continue;
      leg.endedAt = endedAt;
      leg.endReason = reason;
    }
    this.record = {
      schema: CALL_RECORD_SCHEMA,
      callId: this.callId,
      customer: this.customer,
      startedAt: iso(this.startedAt),
      ...(this.answeredAt !== undefined && {
        answeredAt: iso(this.answeredAt),
        queueWaitMs: this.answeredAt - this.startedAt,
      }),
      endedAt: iso(endedAt),
      durationMs: endedAt - this.startedAt,
      legs: this.legs.map(legRecord),
      disconnects: this.episodes,
      ...(this.overflow && {
        overflow: {
          at: iso(this.overflow.at),
          ...(this.overflow.target && { target: this.overflow.target }),
        },
      }),
      outcome: callOutcome({
        endReason: reason,
        answered: this.answeredAt !== undefined,
        overflowed: this.overflow !== undefined,
      }),
      endReason: reason,
    };
    return this.record;
  }

  private openLeg(agentId: string): OpenLeg | undefined {
    if (this.record) return undefined;
    for (let i = this.legs.length - 1; i >= 0; i--) {
      const leg = this.legs[i];
      if (leg.agentId === agentId) return leg.endedAt === undefined ? leg : undefined;
    }
    return undefined;
  }

  private closeEpisode(outcome: EpisodeOutcome): DisconnectEpisode | undefined {
    const ep = this.episode;
    if (!ep || this.record) return undefined;
    this.episode = undefined;
    return this.closed(ep, outcome);
  }

  private closePart(part: OpenEpisode, outcome: EpisodeOutcome): void {
    this.parts.delete(part.agentId);
    this.closed(part, outcome);
  }

  private closed(ep: OpenEpisode, outcome: EpisodeOutcome): DisconnectEpisode {
    const now = this.now();
    const closed: DisconnectEpisode = {
      agentId: ep.agentId,
      evidence: ep.evidence,
      t0: iso(ep.t0),
      ...(ep.promptAt !== undefined && {
        promptAt: iso(ep.promptAt),
        detectionToPromptMs: ep.promptAt - ep.t0,
      }),
      ...(ep.returnedAt !== undefined && {
        returnEvidence: ep.returnEvidence,
        returnedAt: iso(ep.returnedAt),
      }),
      ...(outcome === 'reattached' &&
        ep.returnedAt !== undefined && { reconnectToAudioMs: now - ep.returnedAt }),
      durationMs: now - ep.t0,
      outcome,
      ...(ep.cells ? { cells: ep.cells } : {}),
    };
    this.episodes.push(closed);
    return closed;
  }
}

function legRecord(leg: OpenLeg): LegRecord {
  return {
    agentId: leg.agentId,
    ...(leg.role ? { role: leg.role } : {}),
    resumption: leg.resumption,
    offeredAt: iso(leg.offeredAt),
    ...(leg.answeredAt !== undefined && { answeredAt: iso(leg.answeredAt) }),
    ...(leg.endedAt !== undefined && { endedAt: iso(leg.endedAt) }),
    ...(leg.endReason !== undefined && { endReason: leg.endReason }),
  };
}
