// Dialogs by drachtio dialog id, and by the RFC 3261 §12 triple for network requests.
import { Dialog } from './dialog';

export class DialogStore {
  private readonly byId = new Map<string, Dialog>();

  add(d: Dialog): void {
    this.byId.set(d.id, d);
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
    for (const d of this.byId.values()) {
      if (d.callId === callId && d.localTag === localTag && d.remoteTag === remoteTag) return d;
    }
    return undefined;
  }

  byCallId(callId: string): Dialog | undefined {
    for (const d of this.byId.values()) if (d.callId === callId) return d;
    return undefined;
  }

  remove(d: Dialog): void {
    d.terminated = true;
    d.clearPendingAck();
    if (this.byId.get(d.id) === d) this.byId.delete(d.id);
  }

  all(): Dialog[] {
    return [...this.byId.values()];
  }

  get size(): number {
    return this.byId.size;
  }
}
