// Per-leg media-loss watchdog: polls rtpengine (`query`, one per call for all its watched
// legs) through a shared QueryScheduler and reports 'lost' when no packet has come from a
// leg for lossMs, 'restored' when packets flow again, 'gone' when rtpengine no longer
// knows the call. Each watch has its own listener (watch(session, tag, {lost, restored,
// gone, stalled}) → handle.unwatch()); the same events are also emitted on the watchdog.
// 'stalled' is silence that began as rtpengine came back from a stall (see
// leg-loss-detector.ts): rtpengine's fault, not the party's — re-anchor, do not reroute.
// A leg that is not expected to send (its own SDP says recvonly or inactive) is suspended:
// no alarm while held. A query that fails, or answers later than blindAfterMs, means the
// watchdog could not see: no evidence of loss is drawn from that stretch.
// Polls are sparse while every leg flows (flowingPollMs) and timed to the moment a silence
// would reach lossMs (leg-loss-detector.ts dates the last packet from the counter's
// growth): rtpengine's cost is per query, so this is what lets one rtpengine watch
// hundreds of calls (see media/README.md, "Watchdog cost").
import { EventEmitter } from 'node:events';
import createDebug from 'debug';
import { systemClock, type Clock } from '../time/clock';
import { RtpengineError } from './errors';
import { LegLossDetector, type LegLossState, type PollPeriods } from './leg-loss-detector';
import type { MediaSession } from './media-session';
import type { NgReply, NgTag } from './ng-types';
import { QueryScheduler } from './query-scheduler';

const debug = createDebug('holdfast:watchdog');

export interface WatchdogOptions {
  /** Silence that counts as loss. Default 1000 ms. */
  lossMs?: number;
  /** Time allowed for a leg's first packet after watching starts or a hold ends. Default lossMs. */
  graceMs?: number;
  /** Period while a leg starts or after a poll that could not see. Default 100 ms. */
  pollMs?: number;
  /** Period while every leg of a call flows (silences are timed, not polled for). Default max(pollMs, lossMs / 2). */
  flowingPollMs?: number;
  /** Period while a leg flows at no steady rate (DTX), so undated. Default max(pollMs, lossMs / 8). */
  unsteadyPollMs?: number;
  /** Period while a leg is lost or stalled: how soon its return is seen. Default max(pollMs, 250). */
  lostPollMs?: number;
  /** A query answered later than this is not trusted (rtpengine stalled). Default lossMs / 2. */
  blindAfterMs?: number;
  /** Silence starting this soon after a blind stretch is 'stalled', not 'lost'. Default 1000 ms. */
  stallWindowMs?: number;
  /** A scheduler shared with other watchdogs; else one of its own with maxQueriesPerSec. */
  scheduler?: QueryScheduler;
  /** Global query budget when the watchdog makes its own scheduler. Default 1000/s. */
  maxQueriesPerSec?: number;
  clock?: Clock;
}

export interface LegEvent {
  callId: string;
  tag: string;
  /** Clock time of the poll that decided. */
  at: number;
}

export type LegLostEvent = LegEvent & { silentForMs: number };
export type LegRestoredEvent = LegEvent & { lostForMs: number };
export interface CallGoneEvent {
  callId: string;
  error: Error;
}

export interface WatchdogEvents {
  lost: [LegLostEvent];
  /** Silent since rtpengine came back from a stall: its media sockets are likely dead. */
  stalled: [LegLostEvent];
  restored: [LegRestoredEvent];
  /** rtpengine no longer knows the call (timed out there, or rtpengine restarted): the call stops being watched. */
  gone: [CallGoneEvent];
}

/** What one watch is told; every member optional. */
export interface LegListener {
  lost?(e: LegLostEvent): void;
  stalled?(e: LegLostEvent): void;
  restored?(e: LegRestoredEvent): void;
  /** The call is gone from rtpengine; this watch has ended. */
  gone?(e: CallGoneEvent & { tag: string }): void;
}

export interface WatchHandle {
  readonly callId: string;
  readonly tag: string;
  /** 'starting', 'flowing', 'lost', 'stalled', 'suspended'; undefined once unwatched. */
  readonly state: LegLossState | undefined;
  /** Stops this watch (no-op if it was replaced by a later watch of the same leg). */
  unwatch(): void;
}

interface WatchedLeg {
  detector: LegLossDetector;
  listener: LegListener;
}

interface WatchedCall {
  session: MediaSession;
  legs: Map<string, WatchedLeg>;
  /** Every tag's packet counter at the previous trusted poll (watched or not). */
  counters: Map<string, number>;
  stop: () => void;
  detach: () => void;
}

/** The tags whose counters grew since `counters` (which is brought up to date). */
function tagsThatGrew(counters: Map<string, number>, reply: NgReply): Set<string> {
  const grew = new Set<string>();
  for (const [tag, info] of Object.entries(reply.tags ?? {})) {
    const packets = packetsFrom(info) ?? 0;
    const before = counters.get(tag);
    if (before !== undefined && packets > before) grew.add(tag);
    counters.set(tag, packets);
  }
  return grew;
}

/** Packets received from a tag's endpoint, summed over its RTP streams. */
export function packetsFrom(tag: NgTag | undefined): number | undefined {
  if (!tag) return undefined;
  let n = 0;
  for (const media of tag.medias ?? []) {
    for (const stream of media.streams ?? []) {
      if (stream.flags?.includes('RTCP') && !stream.flags.includes('RTP')) continue;
      n += stream.stats?.packets ?? 0;
    }
  }
  return n;
}

export class MediaWatchdog extends EventEmitter<WatchdogEvents> {
  private readonly calls = new Map<string, WatchedCall>();
  private readonly scheduler: QueryScheduler;
  private readonly ownScheduler: boolean;
  private readonly clock: Clock;
  readonly lossMs: number;
  readonly pollMs: number;
  readonly periods: PollPeriods;
  readonly blindAfterMs: number;
  private readonly graceMs?: number;
  private readonly stallWindowMs?: number;
  /** Queries that failed (timeouts etc.), for measurements. */
  failedQueries = 0;
  /** Queries answered too late to be trusted. */
  lateQueries = 0;

  constructor(opts: WatchdogOptions = {}) {
    super();
    this.clock = opts.clock ?? systemClock;
    this.lossMs = opts.lossMs ?? 1000;
    this.pollMs = opts.pollMs ?? 100;
    this.periods = {
      fastMs: this.pollMs,
      flowingMs: opts.flowingPollMs ?? Math.max(this.pollMs, this.lossMs / 2),
      unsteadyMs: opts.unsteadyPollMs ?? Math.max(this.pollMs, this.lossMs / 8),
      lostMs: opts.lostPollMs ?? Math.max(this.pollMs, 250),
    };
    this.blindAfterMs = opts.blindAfterMs ?? this.lossMs / 2;
    this.graceMs = opts.graceMs;
    this.stallWindowMs = opts.stallWindowMs;
    this.ownScheduler = !opts.scheduler;
    this.scheduler =
      opts.scheduler ?? new QueryScheduler({ maxPerSec: opts.maxQueriesPerSec, clock: this.clock });
  }

  /**
   * Starts watching one leg of a session (follows its hold state and its removal) and tells
   * `listener` what happens to it. Watching a leg again replaces its listener.
   */
  watch(session: MediaSession, tag: string, listener: LegListener = {}): WatchHandle {
    const callId = session.callId;
    let call = this.calls.get(callId);
    if (!call) call = this.addCall(session);
    let leg = call.legs.get(tag);
    if (leg) leg = { ...leg, listener };
    else {
      const detector = new LegLossDetector(
        { lossMs: this.lossMs, graceMs: this.graceMs, stallWindowMs: this.stallWindowMs },
        this.clock.now(),
      );
      if (!session.expectsMediaFrom(tag)) detector.suspend();
      leg = { detector, listener };
      // The call may be polled sparsely: a new leg gets its first poll soon.
      this.scheduler.wake(callId, this.clock.now() + this.pollMs);
    }
    call.legs.set(tag, leg);
    const mine = leg;
    const current = () => (this.calls.get(callId)?.legs.get(tag) === mine ? mine : undefined);
    return {
      callId,
      tag,
      get state() {
        return current()?.detector.state;
      },
      unwatch: () => {
        if (current()) this.unwatch(callId, tag);
      },
    };
  }

  unwatch(callId: string, tag?: string): void {
    const call = this.calls.get(callId);
    if (!call) return;
    if (tag !== undefined) call.legs.delete(tag);
    if (tag === undefined || !call.legs.size) {
      call.stop();
      call.detach();
      this.calls.delete(callId);
    }
  }

  /** A leg's state ('starting', 'flowing', 'lost', 'stalled', 'suspended'), if watched. */
  state(callId: string, tag: string): LegLossState | undefined {
    return this.calls.get(callId)?.legs.get(tag)?.detector.state;
  }

  get watchedCalls(): number {
    return this.calls.size;
  }

  close(): void {
    for (const callId of [...this.calls.keys()]) this.unwatch(callId);
    if (this.ownScheduler) this.scheduler.close();
  }

  private addCall(session: MediaSession): WatchedCall {
    const callId = session.callId;
    const legs = new Map<string, WatchedLeg>();
    const onDirection = (tag: string) => {
      const d = legs.get(tag)?.detector;
      if (!d) return;
      if (session.expectsMediaFrom(tag)) {
        d.resume(this.clock.now());
        this.scheduler.wake(callId, this.clock.now() + this.pollMs);
      } else d.suspend();
    };
    const onRemoved = (tag: string) => this.unwatch(callId, tag);
    const onClosed = () => this.unwatch(callId);
    session.on('direction', onDirection);
    session.on('legRemoved', onRemoved);
    session.on('closed', onClosed);
    const call: WatchedCall = {
      session,
      legs,
      counters: new Map(),
      stop: () => {},
      detach: () => {
        session.off('direction', onDirection);
        session.off('legRemoved', onRemoved);
        session.off('closed', onClosed);
      },
    };
    call.stop = this.scheduler.add(callId, this.pollMs, () => this.poll(call));
    this.calls.set(callId, call);
    return call;
  }

  /** Polls one call; resolves with when it wants its next poll. */
  private async poll(call: WatchedCall): Promise<number | undefined> {
    const callId = call.session.callId;
    const sentAt = this.clock.now();
    let reply: NgReply;
    try {
      reply = await call.session.query();
    } catch (err) {
      if (this.calls.get(callId) !== call) return undefined;
      if (err instanceof RtpengineError && err.unknownCall) {
        const legs = [...call.legs];
        this.unwatch(callId);
        this.emit('gone', { callId, error: err });
        for (const [tag, { listener }] of legs)
          tell(() => listener.gone?.({ callId, tag, error: err }));
      } else {
        this.failedQueries++;
        for (const leg of call.legs.values()) leg.detector.blind();
        debug('query %s failed: %s', callId, (err as Error).message);
      }
      return this.nextPoll(call);
    }
    if (this.calls.get(callId) !== call) return undefined; // unwatched meanwhile
    const now = this.clock.now();
    if (now - sentAt > this.blindAfterMs) {
      // rtpengine (or this process) stalled: its counters may not cover that time.
      this.lateQueries++;
      for (const leg of call.legs.values()) leg.detector.blind();
      debug('query %s answered after %d ms: not trusted', callId, now - sentAt);
      return this.nextPoll(call);
    }
    const grew = tagsThatGrew(call.counters, reply);
    for (const [tag, leg] of call.legs) {
      const packets = packetsFrom(reply.tags?.[tag]);
      if (packets === undefined) continue;
      const peersFlowing = [...grew].some((other) => other !== tag);
      const event = leg.detector.observe(packets, now, peersFlowing);
      if (event?.type === 'lost') {
        const e = { callId, tag, at: now, silentForMs: event.silentForMs };
        this.emit('lost', e);
        tell(() => leg.listener.lost?.(e));
      } else if (event?.type === 'stalled') {
        const e = { callId, tag, at: now, silentForMs: event.silentForMs };
        this.emit('stalled', e);
        tell(() => leg.listener.stalled?.(e));
      } else if (event?.type === 'restored') {
        const e = { callId, tag, at: now, lostForMs: event.lostForMs };
        this.emit('restored', e);
        tell(() => leg.listener.restored?.(e));
      }
    }
    return this.nextPoll(call);
  }

  /** The soonest poll any of the call's legs asks for. */
  private nextPoll(call: WatchedCall): number {
    const now = this.clock.now();
    let next = now + this.periods.flowingMs;
    for (const leg of call.legs.values())
      next = Math.min(next, leg.detector.nextPollAt(now, this.periods));
    return next;
  }
}

/** Calls a listener; one that throws must not cost the other legs their events. */
function tell(call: () => void): void {
  try {
    call();
  } catch (err) {
    debug('watch listener threw: %s', (err as Error).message);
  }
}
