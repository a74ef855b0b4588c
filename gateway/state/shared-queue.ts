// This gateway's waiting calls, kept as the router has always kept them, with every change
// also written to the shared queue (with the agents each call must not be offered again),
// where claims pair calls and agents across instances.
import type { Logger } from 'pino';
import type { Call } from '../call/call';
import { CallQueue, type QueueEntry } from '../queue/call-queue';
import type { StateStore } from './state-store';

export class SharedQueue extends CallQueue {
  constructor(
    private readonly store: StateStore,
    private readonly calls: ReadonlyMap<string, Call>,
    private readonly log: Logger,
  ) {
    super();
  }

  override add(entry: QueueEntry): void {
    super.add(entry);
    const skip = [...(this.calls.get(entry.callId)?.skip ?? [])];
    this.store.enqueue({ ...entry, skip }).catch((err: Error) => this.failed(entry.callId, err));
  }

  override remove(callId: string): boolean {
    const removed = super.remove(callId);
    if (removed) this.store.dequeue(callId).catch((err: Error) => this.failed(callId, err));
    return removed;
  }

  /** A claim already took the call out of the shared queue. */
  claimed(callId: string): boolean {
    return super.remove(callId);
  }

  private failed(callId: string, err: Error): void {
    this.log.error({ callId, err: err.message }, 'could not write the shared queue');
  }
}
