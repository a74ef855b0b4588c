// A dead instance's calls, on the survivor that took them over. Their dialogs and pending
// INVITEs live on in the shared SIP server, which forwards nothing of them any more
// (in-dialog requests get 481), but takes responses, CANCELs and in-dialog requests for
// them from any connected app: so a survivor can end them. Calls still waiting (queued,
// ringing, agent gone) are ended at once: the customer's INVITE answered 503 if it had no
// final response yet, agents' INVITEs cancelled, BYE to each dialog, the rtpengine session
// deleted. Connected calls are carried on here as this instance's own when their owner
// wrote their model (call-adoption.ts); the others are left talking (their media flows
// through rtpengine without anyone's help) and watched there: once a side has been silent
// for `silenceMs` (hung up: its BYE got 481), they are ended the same way and their agent
// is free again.
import type { Logger } from 'pino';
import type { Clock } from '../../time/clock';
import type { SipByStackId } from './sip-by-stack-id';
import type { CallRecord, StateStore } from './state-store';
import type { Call } from '../call/call';
import { lastPacketMs } from './last-packet';
import { endOnCustomerSilence } from './silent-hang-up';

/** What this file needs of drachtio-srf and rtpengine. */
export interface OrphanDeps {
  store: StateStore;
  /** The dead instance's dialogs and transactions, by the SIP server's ids. */
  sip: SipByStackId;
  /** rtpengine `query` (rejects when it does not know the call) and `delete`. */
  query(mediaCallId: string): Promise<Record<string, unknown>>;
  deleteMedia(mediaCallId: string): Promise<void>;
  /**
   * Carries a connected call on here as one of this instance's (call-adoption.ts); throws
   * when its record has no model to carry on (then it is only watched).
   */
  carryOn?(c: CallRecord): Call;
  /** The agent of an ended connected call is free again (in the store and here). */
  freeAgent(agentId: string): Promise<void>;
  clock: Clock;
  log: Logger;
  pollMs: number;
  silenceMs: number;
  note(what: { callId: string; from: string; state: string; outcome: string }): void;
}

export class OrphanCalls {
  private readonly watched = new Map<string, { cancel(): void }>();
  /** Calls carried on here as this instance's own (they end with it). */
  private readonly carried = new Set<string>();
  private closed = false;

  constructor(private readonly d: OrphanDeps) {}

  /** The calls a takeover handed over (queued ones included, as records). */
  async adopt(from: string, calls: CallRecord[]): Promise<void> {
    for (const c of calls) {
      if (c.state === 'connected') {
        if (!this.carryOn(from, c)) this.watch(from, c);
      } else await this.end(from, c, `ended at takeover (was ${c.state})`);
    }
  }

  /** true when the call is now this instance's, supervised like its own. */
  private carryOn(from: string, c: CallRecord): boolean {
    const { d } = this;
    if (!d.carryOn || !c.resume) return false;
    let call: Call;
    try {
      call = d.carryOn(c);
    } catch (err) {
      d.log.warn({ callId: c.callId, err: (err as Error).message }, 'could not carry a call on');
      return false;
    }
    d.log.info({ callId: c.callId, from }, 'connected call of a dead instance: carried on here');
    d.note({ callId: c.callId, from, state: c.state, outcome: 'carried on here' });
    this.carried.add(c.callId);
    endOnCustomerSilence(call, d);
    call.once('ended', (reason) => {
      this.carried.delete(c.callId);
      d.note({ callId: c.callId, from, state: c.state, outcome: `ended here: ${reason}` });
    });
    return true;
  }

  get size(): number {
    return this.watched.size + this.carried.size;
  }

  close(): void {
    this.closed = true;
    for (const w of this.watched.values()) w.cancel();
    this.watched.clear();
  }

  private watch(from: string, c: CallRecord): void {
    this.d.log.info({ callId: c.callId, from }, 'connected call of a dead instance: media only');
    this.d.note({ callId: c.callId, from, state: c.state, outcome: 'talking on, unsupervised' });
    const poll = () => {
      this.watched.set(
        c.callId,
        this.d.clock.after(this.d.pollMs, () => {
          this.watched.delete(c.callId);
          void this.check(from, c).then((over) => !over && !this.closed && poll());
        }),
      );
    };
    poll();
  }

  /** true once the call is over (ended here, or gone from rtpengine). */
  private async check(from: string, c: CallRecord): Promise<boolean> {
    if (!c.mediaCallId) {
      await this.end(from, c, 'ended: no media to watch');
      return true;
    }
    let reply: Record<string, unknown>;
    try {
      reply = await this.d.query(c.mediaCallId);
    } catch {
      await this.end(from, c, 'ended: rtpengine no longer has it');
      return true;
    }
    const silentFor = Date.now() - lastPacketMs(reply, c.mediaTags);
    if (silentFor < this.d.silenceMs) return false;
    await this.end(from, c, `ended after a side was silent ${Math.round(silentFor)} ms`);
    return true;
  }

  private async end(from: string, c: CallRecord, outcome: string): Promise<void> {
    const { d } = this;
    // The embedded SIP server has answered a dead app's requests itself (503): a refusal
    // here means that; drachtio-server leaves them to us.
    const quietly = (what: string) => (err: Error) => d.log.debug({ err: err.message }, what);
    if (c.customerTxnId) await d.sip.reject(c.customerTxnId).catch(quietly('orphan 503'));
    for (const id of c.agentTxnIds ?? []) await d.sip.cancel(id).catch(quietly('orphan CANCEL'));
    for (const id of c.dialogIds ?? []) await d.sip.bye(id).catch(quietly('orphan BYE'));
    if (c.mediaCallId) await d.deleteMedia(c.mediaCallId).catch(quietly('orphan media delete'));
    if (c.state === 'connected' && c.agentId)
      await d
        .freeAgent(c.agentId)
        .catch((err: Error) =>
          d.log.warn({ err: err.message, agentId: c.agentId }, 'could not free an agent'),
        );
    await d.store.endCall(c.callId).catch(() => undefined);
    d.log.info({ callId: c.callId, from, outcome }, 'call of a dead instance');
    d.note({ callId: c.callId, from, state: c.state, outcome });
  }
}
