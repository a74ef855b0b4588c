// Consult and transfer: the target field and four buttons, calling
// POST /v1/calls/{id}/consult {"agentId"|"uri"}, /consult/complete, /consult/cancel and
// /transfer. Which buttons work follows the call's phase on the gateway (talking: consult
// or transfer; consulting: complete or cancel). A gateway without these routes answers
// 404 not_found: the buttons then stay disabled and say so.
import { ApiError, type AgentApi, type CallSnapshot, type HandoverTarget } from './agent-api';

export interface HandoverControlsOptions {
  api(): AgentApi | undefined;
  callId(): string | undefined;
  /** The call as the gateway answered. */
  onSnapshot(s: CallSnapshot): void;
  log(text: string): void;
}

function el<T extends HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`the page has no #${id}`);
  return e as T;
}

/** "bob" → an agent; "sip:…" / "sips:…" → a URI. */
export function parseTarget(text: string): HandoverTarget | undefined {
  const t = text.trim();
  if (!t) return undefined;
  return /^sips?:/i.test(t) ? { uri: t } : { agentId: t };
}

export class HandoverControls {
  private readonly target = el<HTMLInputElement>('transfer-target');
  private readonly consult = el<HTMLButtonElement>('consult');
  private readonly complete = el<HTMLButtonElement>('consult-complete');
  private readonly cancel = el<HTMLButtonElement>('consult-cancel');
  private readonly transfer = el<HTMLButtonElement>('transfer');
  private readonly status = el('handover-state');
  private unavailable = false;
  private busy = false;
  private last: { connected: boolean; snap?: CallSnapshot } = { connected: false };

  constructor(private readonly o: HandoverControlsOptions) {
    this.consult.onclick = () => void this.act('consult');
    this.complete.onclick = () => void this.act('complete');
    this.cancel.onclick = () => void this.act('cancel');
    this.transfer.onclick = () => void this.act('transfer');
    this.target.oninput = () => this.render(this.last.connected, this.last.snap);
  }

  /** Enables what the call's phase allows; `snap` is the gateway's latest view of the call. */
  render(connected: boolean, snap?: CallSnapshot): void {
    this.last = { connected, snap };
    const phase = snap?.phase ?? 'talking';
    const other = snap?.legs?.find((l) => l.role === 'consult' || l.role === 'transfer');
    this.status.textContent =
      phase === 'consulting'
        ? `consulting ${other?.agentId ?? 'a party'} (${other?.state ?? '…'})`
        : phase === 'transferring'
          ? `transferring to ${other?.agentId ?? 'a party'} (${other?.state ?? '…'})`
          : '';
    const ready = connected && !this.unavailable && !this.busy;
    const hasTarget = !!parseTarget(this.target.value);
    this.target.disabled = !ready || phase !== 'talking';
    this.consult.disabled = !ready || phase !== 'talking' || !hasTarget;
    this.transfer.disabled = !ready || phase !== 'talking' || !hasTarget;
    this.complete.disabled = !ready || phase !== 'consulting';
    this.cancel.disabled = !ready || phase !== 'consulting';
    const why = this.unavailable ? 'not offered by this gateway' : '';
    for (const b of [this.consult, this.complete, this.cancel, this.transfer]) b.title = why;
  }

  private async act(what: 'consult' | 'complete' | 'cancel' | 'transfer'): Promise<void> {
    const api = this.o.api();
    const callId = this.o.callId();
    const target = parseTarget(this.target.value);
    if (!api || !callId) return;
    this.busy = true;
    this.render(this.last.connected, this.last.snap);
    try {
      const snap =
        what === 'consult' && target
          ? await api.consult(callId, target)
          : what === 'transfer' && target
            ? await api.transfer(callId, target)
            : what === 'complete'
              ? await api.completeConsult(callId)
              : await api.cancelConsult(callId);
      this.o.log(`${what}: the call is ${snap.phase ?? snap.state}`);
      this.last.snap = snap;
      this.o.onSnapshot(snap);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404 && err.code === 'not_found')
        this.unavailable = true;
      this.o.log(`${what} failed: ${(err as Error).message}`);
    } finally {
      this.busy = false;
      this.render(this.last.connected, this.last.snap);
    }
  }
}
