// Dialogs by drachtio dialog id, and by Call-ID for the RFC 3261 §12 triple of network
// requests (an index, so that matching costs nothing however many calls are up).
import { Dialog } from './dialog';

export class DialogStore {
  private readonly byId = new Map<string, Dialog>();
  private readonly byCall = new Map<string, Dialog[]>();

  add(d: Dialog): void {
    const old = this.byId.get(d.id);
    if (old) this.unindex(old);
    this.byId.set(d.id, d);
    const list = this.byCall.get(d.callId);
    if (list) list.push(d);
    else this.byCall.set(d.callId, [d]);
  }

  get(id: string): Dialog | undefined {
    return this.byId.get(id);
  }

  /** Dialog of a network request: Call-ID, our tag (in To), their tag (in From). */
  match(
    callId: string,
    localTag: string | undefined,
    remoteTag: string | undefined,
  ): Dialog | undefined {
    return this.byCall
      .get(callId)
      ?.find((d) => d.localTag === localTag && d.remoteTag === remoteTag);
  }

  byCallId(callId: string): Dialog | undefined {
    return this.byCall.get(callId)?.[0];
  }

  remove(d: Dialog): void {
    d.terminated = true;
    d.clearPendingAck();
    if (this.byId.get(d.id) === d) {
      this.byId.delete(d.id);
      this.unindex(d);
    }
  }

  all(): Dialog[] {
    return [...this.byId.values()];
  }

  get size(): number {
    return this.byId.size;
  }

  private unindex(d: Dialog): void {
    const list = this.byCall.get(d.callId);
    if (!list) return;
    const rest = list.filter((x) => x !== d);
    if (rest.length) this.byCall.set(d.callId, rest);
    else this.byCall.delete(d.callId);
  }
}
