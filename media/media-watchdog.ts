// Per-leg media-loss watchdog: polls rtpengine (`query`, one per call for all its watched
// legs) through a shared QueryScheduler and emits 'lost' when no packet has come from a
// leg for lossMs, 'restored' when packets flow again. A leg that is not expected to send
// (its own SDP says recvonly or inactive) is suspended: no alarm while held.
import { EventEmitter } from 'node:events';
import createDebug from 'debug';
import { systemClock, type Clock } from '../time/clock';
import { RtpengineError } from './errors';
import { LegLossDetector, type LegLossState } from './leg-loss-detector';
import type { MediaSession } from './media-session';
import type { NgReply, NgTag } from './ng-types';
import { QueryScheduler } from './query-scheduler';

const debug = createDebug('holdfast:watchdog');

export interface WatchdogOptions {
  /** Silence that counts as loss. Default 1000 ms. */
  lossMs?: number;
  /** Time allowed for a leg's first packet after watching starts or a hold ends. Default lossMs. */
  graceMs?: number;
  /** Desired period between two queries of one call. Default 100 ms. */
  pollMs?: number;
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

export interface WatchdogEvents {
  lost: [LegEvent & { silentForMs: number }];
  restored: [LegEvent & { lostForMs: number }];
  /** rtpengine no longer knows the call (it timed out there): the call stops being watched. */
  gone: [{ callId: string; error: Error }];
}

interface WatchedCall {
  session: MediaSession;
  legs: Map<string, LegLossDetector>;
  stop: () => void;
  detach: () => void;
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
  private readonly graceMs?: number;
  /** Queries that failed (timeouts etc.), for measurements. */
  failedQueries = 0;

  constructor(opts: WatchdogOptions = {}) {
    super();
    this.clock = opts.clock ?? systemClock;
    this.lossMs = opts.lossMs ?? 1000;
    this.pollMs = opts.pollMs ?? 100;
    this.graceMs = opts.graceMs;
    this.ownScheduler = !opts.scheduler;
    this.scheduler =
      opts.scheduler ?? new QueryScheduler({ maxPerSec: opts.maxQueriesPerSec, clock: this.clock });
  }

  /** Starts watching one leg of a session; follows its hold state and its removal. */
  watch(session: MediaSession, tag: string): void {
    let call = this.calls.get(session.callId);
    if (!call) call = this.addCall(session);
    if (call.legs.has(tag)) return;
    const detector = new LegLossDetector(
      { lossMs: this.lossMs, graceMs: this.graceMs },
      this.clock.now(),
    );
    if (!session.expectsMediaFrom(tag)) detector.suspend();
    call.legs.set(tag, detector);
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

  /** A leg's state ('starting', 'flowing', 'lost', 'suspended'), if watched. */
  state(callId: string, tag: string): LegLossState | undefined {
    return this.calls.get(callId)?.legs.get(tag)?.state;
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
    const legs = new Map<string, LegLossDetector>();
    const onDirection = (tag: string) => {
      const d = legs.get(tag);
      if (!d) return;
      if (session.expectsMediaFrom(tag)) d.resume(this.clock.now());
      else d.suspend();
    };
    const onRemoved = (tag: string) => this.unwatch(callId, tag);
    const onClosed = () => this.unwatch(callId);
    session.on('direction', onDirection);
    session.on('legRemoved', onRemoved);
    session.on('closed', onClosed);
    const call: WatchedCall = {
      session,
      legs,
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

  private async poll(call: WatchedCall): Promise<void> {
    const callId = call.session.callId;
    let reply: NgReply;
    try {
      reply = await call.session.query();
    } catch (err) {
      if (this.calls.get(callId) !== call) return;
      if (err instanceof RtpengineError && err.unknownCall) {
        this.unwatch(callId);
        this.emit('gone', { callId, error: err });
      } else {
        this.failedQueries++;
        debug('query %s failed: %s', callId, (err as Error).message);
      }
      return;
    }
    if (this.calls.get(callId) !== call) return; // unwatched meanwhile
    const now = this.clock.now();
    for (const [tag, detector] of call.legs) {
      const packets = packetsFrom(reply.tags?.[tag]);
      if (packets === undefined) continue;
      const event = detector.observe(packets, now);
      if (event?.type === 'lost')
        this.emit('lost', { callId, tag, at: now, silentForMs: event.silentForMs });
      else if (event?.type === 'restored')
        this.emit('restored', { callId, tag, at: now, lostForMs: event.lostForMs });
    }
  }
}
