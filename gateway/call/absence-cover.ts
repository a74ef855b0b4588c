// What the call does about its primary agent's absence, as the disconnect policy asks: mark
// it gone (the audio plan then plays what the phase calls for), take it back on its own leg
// or a new one, or give up on it and wait for another agent. The call's own helper: it
// changes the call's legs and nothing else.
import type { AgentLeg } from './agent-leg';
import type { CallState } from './call-state';
import type { DialTarget, RingOutcome } from './dial-target';
import type { BackEvidence, GoneEvidence } from './evidence';
import type { HandoverCall } from './handover';

/** What the absence handling reads and changes of its call (the Call itself). */
export interface AbsentCall extends HandoverCall {
  readonly state: CallState;
  readonly skip: Set<string>;
  priority: number;
  enqueuedAt: number;
  goneEvidence?: GoneEvidence;
  returning(evidence: BackEvidence): void;
  ring(target: DialTarget): Promise<RingOutcome>;
}

export class AbsenceCover {
  constructor(private readonly call: AbsentCall) {}

  /**
   * The policy decided the primary is gone: it is blocked, and the customer hears the
   * disconnected prompt then music (in a consult, the consulted agent hears the
   * primary-disconnected prompt; during a transfer the customer keeps its music).
   */
  async coverAbsence(leg: AgentLeg, evidence: GoneEvidence): Promise<void> {
    const call = this.call;
    if (leg !== call.primary) return;
    if (leg.state === 'gone') return call.audio.sync();
    if (leg.state !== 'up') return;
    call.goneEvidence = evidence;
    leg.markGone();
    call.refresh();
    call.emit('disconnected', leg.agentId ?? 'overflow', evidence);
    call.log.info(
      { agentId: leg.agentId, evidence },
      'agent gone: playing the disconnected prompt',
    );
    await call.audio.sync();
  }

  /** Same agent back on its existing leg (media resumed, or it re-offered): audio restored. */
  async reattach(evidence: BackEvidence): Promise<void> {
    const call = this.call;
    const leg = call.primary;
    if (!leg || leg.state !== 'gone') return;
    call.log.info({ agentId: leg.agentId, evidence }, 'agent back: reattached');
    call.returning(evidence);
    leg.markBack();
    call.goneEvidence = undefined;
    // Connected again once the audio is: prompt and music stopped, the agent heard.
    await call.audio.sync();
    call.refresh();
    if (call.state === 'connected') call.emit('reattached');
  }

  /**
   * Same agent back but its leg is unusable (new registration, or its BYE): a fresh
   * INVITE to `target`, marked as a resumption. Returns whether it answered.
   */
  async reattachOnNewLeg(target: DialTarget, evidence: BackEvidence): Promise<boolean> {
    const call = this.call;
    if (call.state !== 'agentGone') return false;
    call.log.info({ agentId: target.agentId, evidence, uri: target.uri }, 'agent back: new leg');
    call.returning(evidence);
    if (call.phase === 'transferring') {
      // Its transfer goes on; if it fails, the agent is rung on its new registration.
      call.pendingResume = () => this.reattachOnNewLeg(target, evidence);
      return true;
    }
    const outcome = await call.ring({ ...target, resume: true });
    if (outcome === 'answered') call.emit('reattached');
    return outcome === 'answered';
  }

  /** Gives up on the gone agent: its legs are released, the call waits for another agent. */
  reroute(raiseBy: number): void {
    const call = this.call;
    const leg = call.primary;
    if (call.state !== 'agentGone' || !leg) return;
    call.log.info({ agentId: leg.agentId, phase: call.phase }, 'rerouting');
    // A consult or transfer of the gone agent ends with it: the customer is the call.
    for (const other of [call.consultLeg, call.transferLeg]) {
      if (!other) continue;
      call.emit('legEnded', other, 'rerouted');
      other.release();
      call.retired.push(other);
    }
    call.consultLeg = call.transferLeg = call.pendingResume = undefined;
    call.emit('legEnded', leg, 'rerouted');
    call.emit('rerouted');
    leg.release({ Reason: 'SIP;cause=480;text="agent disconnected, call rerouted"' });
    call.retired.push(leg);
    call.primary = undefined;
    if (leg.agentId) call.skip.add(leg.agentId);
    call.priority += raiseBy;
    call.enqueuedAt = call.deps.clock.now();
    call.goneEvidence = undefined;
    call.movePhase('queued');
    call.refresh();
    void call.audio.sync();
  }
}
