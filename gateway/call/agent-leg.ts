// Why past ~350 lines: the leg's SIP dialog, media tag, watch and keep-alive share one
// lifecycle and release(); the INVITE itself already lives in agent-dial.ts.
// One agent (or the overflow destination) on a call: the INVITE towards it, then its dialog,
// its tag in the call's rtpengine session, the watch on its media and its keep-alive.
// What it observes about its party (media lost or back, transport gone, a re-INVITE after a
// desktop reconnect, the page's explicit signal) it reports as evidence; what that means for
// the call is decided above it (the disconnect policy). release() is idempotent.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { audioOf, parseSdp, UnsupportedSdpError, type Direction } from '../../media';
import type { SipDialog, SipRequest, SipResponse } from '../sip-types/srf-types';
import { Deadlines } from '../timers/deadlines';
import { sdpOf } from '../sip-types/sdp-body';
import { AgentDial } from './agent-dial';
import type { AgentLegDeps, AgentLegEvents, AgentLegRole, AgentLegSpec } from './agent-leg-types';
import { guard } from './call-guard';
import type { LegEvidence } from './evidence';
import { parseAgentInfo } from './in-dialog-body';
import { answerOtherRequests, LEG_ALLOW, warningText } from './in-dialog-extras';
import { Keepalive } from './keepalive';
import { watchLeg } from './leg-watch';
import { LegLifecycle, type LegState } from './leg-state';

export type { AgentLegDeps, AgentLegEvents, AgentLegRole, AgentLegSpec } from './agent-leg-types';

export class AgentLeg extends EventEmitter<AgentLegEvents> {
  private readonly life: LegLifecycle;
  private readonly deadlines: Deadlines;
  private readonly log: Logger;
  private dial?: AgentDial;
  private dialogValue?: SipDialog;
  private dialogEnded = false;
  private keepalive?: Keepalive;
  private stopWatching?: () => void;
  /** This agent holds its peer (the customer hears music) / mutes itself. */
  held = false;
  muted = false;
  /** The customer hears this leg's early media (it is the customer's peer in rtpengine). */
  earlyBridged = false;
  /** The final status of a failed INVITE (408 when it rang out), for a transferor's NOTIFY. */
  failureStatus?: number;
  /** Its part in the call now (a consulted agent becomes the primary on completion). */
  private roleValue: AgentLegRole;
  /** Our own re-INVITE on this dialog awaits its answer (RFC 3261 §14.2: glare → 491). */
  private reinviting = false;

  constructor(
    readonly spec: AgentLegSpec,
    private readonly deps: AgentLegDeps,
  ) {
    super();
    this.life = new LegLifecycle(`leg ${spec.tag}`, (to, from) => this.emit('state', to, from));
    this.deadlines = new Deadlines(deps.clock);
    this.log = deps.log.child({ agentId: spec.agentId, leg: spec.tag });
    this.roleValue = spec.role;
  }

  get tag(): string {
    return this.spec.tag;
  }

  get role(): AgentLegRole {
    return this.roleValue;
  }

  /** The call gives this leg another part (written by the call alone). */
  assume(role: AgentLegRole): void {
    this.roleValue = role;
  }

  /** A re-INVITE of ours on this leg's dialog: returns the agent's SDP answer. */
  async modify(offer: string): Promise<string> {
    const dialog = this.dialog;
    if (!dialog) throw new Error(`leg ${this.tag}: no dialog to re-INVITE`);
    this.reinviting = true;
    try {
      return await dialog.modify(offer);
    } finally {
      this.reinviting = false;
    }
  }

  get agentId(): string | undefined {
    return this.spec.agentId;
  }

  get state(): LegState {
    return this.life.state;
  }

  get released(): boolean {
    return this.life.released;
  }

  /** The answered dialog, while the agent still has it. */
  get dialog(): SipDialog | undefined {
    return this.dialogEnded ? undefined : this.dialogValue;
  }

  /**
   * Sends the INVITE with `offer`; resolves with the dialog when answered, undefined when it
   * failed, was declined, timed out or was cancelled. The caller completes the media and
   * then calls connected().
   */
  async invite(
    offer: string,
    headers: Record<string, string>,
    timeoutMs?: number,
  ): Promise<SipDialog | undefined> {
    const dial = new AgentDial(
      this.deps.srf,
      this.spec.uri,
      offer,
      headers,
      (res) => this.onProvisional(res),
      () => this.emit('inviteSent'),
    );
    this.dial = dial;
    let rangOut = false;
    if (timeoutMs)
      this.deadlines.set('ring', timeoutMs, () => {
        rangOut = true;
        dial.cancel();
      });
    try {
      const dialog = await dial.answered;
      if (this.life.released) {
        destroyQuietly(dialog);
        return undefined;
      }
      this.dialogValue = dialog;
      return dialog;
    } catch (err) {
      this.log.info({ err: (err as Error).message }, 'agent leg not answered');
      this.failureStatus = rangOut ? 408 : ((err as { status?: number }).status ?? 500);
      return undefined;
    } finally {
      this.deadlines.cancel('ring');
      this.dial = undefined;
    }
  }

  /** The SIP server's id of the INVITE while it rings (a survivor can CANCEL it). */
  get ringingTxnId(): string | undefined {
    return this.dial?.txnId;
  }

  /** Stops ringing (the agent dropped, or the call moved on). */
  cancel(): void {
    this.dial?.cancel();
  }

  /** The agent's dialog as another instance made it (a survivor's takeover): up on it. */
  adopt(dialog: SipDialog): void {
    this.dialogValue = dialog;
    this.connected();
  }

  /** Answered and anchored: two-way from now on; in-dialog requests, keep-alive, media watch. */
  connected(): void {
    const dialog = this.dialogValue;
    if (!dialog || this.life.released) return;
    this.life.move('up');
    this.earlyBridged = false;
    const on = this.guarded;
    dialog.on(
      'destroy',
      on('BYE', (req: SipRequest) => this.onBye(req)),
    );
    dialog.on(
      'modify',
      on('re-INVITE', (req: SipRequest, res: SipResponse) => this.onReinvite(req, res)),
    );
    dialog.on(
      'info',
      on('INFO', (req: SipRequest, res: SipResponse) => this.onInfo(req, res)),
    );
    dialog.on(
      'options',
      on('OPTIONS', (_req: SipRequest, res: SipResponse) => res.send(200)),
    );
    answerOtherRequests(dialog, this.deps.session, this.tag, on);
    dialog.on(
      'refer',
      on('REFER', (req: SipRequest, res: SipResponse) => {
        if (this.listenerCount('referred')) this.emit('referred', req, res);
        else res.send(405, { headers: { Allow: LEG_ALLOW } });
      }),
    );
    this.keepalive = new Keepalive(
      dialog,
      this.deps.clock,
      this.deps.keepaliveMs,
      on('keep-alive', (status: number | undefined) => this.onKeepaliveFailed(status)),
    );
    this.watch();
    // Its BYE may have come before we listened (while the media was being completed).
    if ((dialog as unknown as { connected?: boolean }).connected === false)
      setImmediate(() => this.onBye(undefined));
  }

  /** A NOTIFY on this leg's dialog (the progress of a transfer it asked for, RFC 3515). */
  async notify(headers: Record<string, string>, body: string): Promise<void> {
    const dialog = this.dialog;
    if (!dialog) return;
    await dialog.request({ method: 'NOTIFY', headers, body } as unknown as SipRequest);
  }

  /** The policy decided the agent is gone: the call waits for it. */
  markGone(): void {
    this.life.move('gone');
  }

  /** The agent is back on this leg. */
  markBack(): void {
    this.life.move('up');
  }

  /** Ends this leg: cancels ringing, BYE (unless the agent already left), no more watching. */
  release(headers: Record<string, string> = {}): void {
    if (this.life.released) return;
    this.life.move('released');
    this.deadlines.cancelAll();
    this.dial?.cancel();
    this.keepalive?.stop();
    this.unwatch();
    const dialog = this.dialog;
    this.dialogEnded = true;
    if (dialog) destroyQuietly(dialog, headers);
  }

  /** `fn` as a handler whose failure ends this call only (see call-guard.ts). */
  private readonly guarded = <A extends unknown[]>(
    what: string,
    fn: (...args: A) => void | Promise<void>,
  ) => guard({ log: this.log, fail: (err) => this.deps.fail(err) }, `${what} on ${this.tag}`, fn);

  private onProvisional(res: SipResponse): void {
    if (this.life.released) return;
    if (res.status === 183 && res.body?.trim()) this.emit('earlyMedia', res.body);
    else this.emit('progress', res.status);
  }

  private watch(): void {
    if (this.stopWatching) return;
    this.stopWatching = watchLeg(this.deps.watchdog, this.deps.session, this.tag, {
      lost: this.guarded('media loss', (e: { silentForMs: number }) => {
        if (this.state !== 'up') return;
        this.log.info({ silentForMs: e.silentForMs }, 'agent media lost');
        this.report({ kind: 'gone', evidence: 'media-loss' });
      }),
      restored: this.guarded('media back', () => {
        if (this.state === 'gone') this.report({ kind: 'back', evidence: 'media-resumed' });
      }),
      dead: this.guarded('media dead', (why: 'stalled' | 'gone') => {
        this.log.warn({ why }, 'rtpengine no longer carries this leg');
        this.emit('mediaDead', why);
      }),
    });
  }

  private unwatch(): void {
    this.stopWatching?.();
    this.stopWatching = undefined;
  }

  private report(evidence: LegEvidence): void {
    this.emit('evidence', evidence);
  }

  private onBye(req: SipRequest | undefined): void {
    if (this.life.released || this.dialogEnded) return;
    this.dialogEnded = true;
    this.keepalive?.stop();
    const reason = req?.get('Reason') ?? '';
    const failure =
      reason &&
      this.deps.failureReasons.some((r) => reason.toLowerCase().includes(r.toLowerCase()));
    if (failure && (this.state === 'up' || this.state === 'gone')) {
      this.log.info({ reason }, 'agent BYE carries a failure reason: a disconnect, not a hang-up');
      this.unwatch();
      if (this.state === 'up') this.report({ kind: 'gone', evidence: 'bye-failure-reason' });
      return;
    }
    // A BYE without a failure reason is a deliberate hang-up, even from a gone agent.
    this.emit('hungUp');
  }

  private onKeepaliveFailed(status: number | undefined): void {
    if (this.state !== 'up') return;
    this.log.info({ status }, 'agent keep-alive failed');
    const dialog = this.dialog;
    this.dialogEnded = true;
    if (dialog) destroyQuietly(dialog);
    this.report({
      kind: 'gone',
      evidence: status === 503 ? 'transport-closed' : 'keepalive-failed',
    });
  }

  private async onReinvite(req: SipRequest, res: SipResponse): Promise<void> {
    // Two offers crossing on one dialog: the one who receives a re-INVITE while its own is
    // pending answers 491 and both retry later (RFC 3261 §14.2).
    if (this.reinviting) return void res.send(491);
    const offer = sdpOf(req);
    if (!offer && req.body?.trim())
      return void res.send(415, { headers: { Accept: 'application/sdp' } });
    // No SDP: a session refresh; the offer in our 200 is the session as it is.
    if (!offer) return void res.send(200, { body: this.dialog?.local.sdp });
    let sdp: string;
    try {
      sdp = await this.deps.session.renegotiate(this.tag, offer);
    } catch (err) {
      if (err instanceof UnsupportedSdpError)
        return void res.send(488, { headers: { Warning: `399 holdfast "${warningText(err)}"` } });
      // Its new partner has not answered yet (a consult or transfer ringing): try later.
      if (this.deps.session.leg(this.tag)?.pendingPeer) return void res.send(491);
      this.log.warn({ err: (err as Error).message }, 're-INVITE from the agent failed');
      res.send(500);
      return;
    }
    res.send(200, { body: sdp });
    if (this.state === 'gone') {
      // A desktop reconnect re-offers with new ICE/DTLS; it is not a hold change.
      this.report({ kind: 'back', evidence: 're-invite' });
      return;
    }
    if (this.state !== 'up') return;
    const dir = directionOf(offer);
    const wantsHold = dir === 'sendonly' || dir === 'inactive';
    if (wantsHold !== this.held) {
      this.log.info({ held: wantsHold }, 'hold changed by the agent');
      this.emit('holdRequested', wantsHold);
    }
  }

  private onInfo(req: SipRequest, res: SipResponse): void {
    const verdict = parseAgentInfo(req.body, req.get('Content-Type') || undefined);
    if (!verdict.ok) {
      res.send(verdict.status, {
        headers: {
          Warning: `399 holdfast "${warningText(verdict.reason)}"`,
          ...(verdict.status === 415 ? { Accept: 'application/json' } : {}),
        },
      });
      return;
    }
    res.send(200);
    const { mute, hold, desktop } = verdict.info;
    if (mute !== undefined) this.emit('muteRequested', mute);
    if (hold !== undefined) this.emit('holdRequested', hold);
    if (desktop === 'disconnected' && this.state === 'up')
      this.report({ kind: 'gone', evidence: 'explicit-signal' });
    if (desktop === 'connected' && this.state === 'gone')
      this.report({ kind: 'back', evidence: 'explicit-signal' });
  }
}

function directionOf(sdp: string): Direction | undefined {
  try {
    return audioOf(parseSdp(sdp))?.direction;
  } catch {
    return undefined;
  }
}

function destroyQuietly(dialog: SipDialog, headers: Record<string, string> = {}): void {
  try {
    dialog.destroy({ headers }, () => {});
  } catch {
    // The dialog may already be gone on the server side; nothing left to release.
  }
}
