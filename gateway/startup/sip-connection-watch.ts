// The gateway's side of a lost drachtio connection (docs/fault-semantics.md). drachtio-srf
// reconnects by itself; this file makes the loss visible and decides the calls' fate:
// - while the connection is down /ready fails (readiness asks `up`) and the loss, every
//   reconnect attempt and the return are logged;
// - the calls that were up when it dropped keep their media (rtpengine forwards it without
//   us), so their parties go on talking while the SIP server is away;
// - once it is back those calls end: the SIP server no longer passes their in-dialog
//   requests to us (it answers 481: their dialogs belonged to the closed connection, or to
//   the server process that died), so we could never learn of a hang-up or a re-INVITE. A
//   BYE goes to each leg the server still knows, the media is deleted, and each call's
//   record says why ('signalling-lost').
import type { Logger } from 'pino';
import type { SrfInstance } from '../sip-types/srf-types';

/** What the watch needs of a call: ended with a reason and a Reason header. */
export interface LosableCall {
  id: string;
  close(reason: 'signalling-lost', final: { reason: string }): Promise<void>;
}

export interface SipConnectionWatchDeps {
  srf: SrfInstance;
  log: Logger;
  /** The calls up now. */
  calls: () => Iterable<LosableCall>;
  /** Called when the connection drops (the route probe must run again). */
  onLost?: () => void;
  now?: () => number;
}

export const SIGNALLING_LOST_REASON = 'Q.850;cause=38;text="SIP server connection lost"';

export class SipConnectionWatch {
  private connected = false;
  private stopped = false;
  private lostAt: number | undefined;
  /** The calls up when the connection dropped, ended once it is back. */
  private stranded = new Set<LosableCall>();
  private readonly now: () => number;
  private readonly onClose = () => this.lost();
  private readonly onConnect = (err: Error | undefined) => {
    if (!err) this.back();
  };
  private readonly onReconnecting = (e: { delay?: number; attempt?: number }) => {
    // Start-up's attempts are connectSrf's to report; these are after a loss.
    if (!this.stopped && this.lostAt !== undefined)
      this.deps.log.info(
        { attempt: e?.attempt, delayMs: e?.delay },
        'SIP server connection: reconnecting',
      );
  };

  constructor(private readonly deps: SipConnectionWatchDeps) {
    this.now = deps.now ?? Date.now;
    // drachtio-srf emits 'close' per socket (never 'disconnect'), then 'reconnecting'.
    const srf = deps.srf as unknown as NodeJS.EventEmitter;
    srf.on('close', this.onClose);
    srf.on('connect', this.onConnect);
    srf.on('reconnecting', this.onReconnecting);
  }

  get up(): boolean {
    return this.connected;
  }

  /** How many calls wait for the connection to come back to be ended. */
  get strandedCalls(): number {
    return this.stranded.size;
  }

  /** Stops watching (shutdown: the gateway closes the connection itself). */
  close(): void {
    this.stopped = true;
    const srf = this.deps.srf as unknown as NodeJS.EventEmitter;
    srf.off('close', this.onClose);
    srf.off('connect', this.onConnect);
    srf.off('reconnecting', this.onReconnecting);
    this.stranded.clear();
  }

  private lost(): void {
    if (this.stopped || !this.connected) return;
    this.connected = false;
    this.lostAt = this.now();
    for (const call of this.deps.calls()) this.stranded.add(call);
    this.deps.onLost?.();
    this.deps.log.error(
      { callsUp: this.stranded.size },
      'SIP server connection lost: not ready, new calls refused until it is back; ' +
        'calls up keep their media and end once it is back',
    );
  }

  private back(): void {
    if (this.stopped) return;
    this.connected = true;
    if (this.lostAt === undefined) return; // the first connection
    const downForMs = this.now() - this.lostAt;
    this.lostAt = undefined;
    const calls = [...this.stranded];
    this.stranded.clear();
    this.deps.log.warn(
      { downForMs, endingCalls: calls.length },
      'SIP server connection back; ending the calls it no longer routes to us',
    );
    for (const call of calls)
      void call
        .close('signalling-lost', { reason: SIGNALLING_LOST_REASON })
        .catch((err: Error) =>
          this.deps.log.error({ callId: call.id, err: err.message }, 'ending a stranded call'),
        );
  }
}
