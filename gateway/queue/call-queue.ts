// Calls waiting for an agent, ordered by priority (higher first; rerouted calls are raised)
// then by how long they have waited.

export interface QueueEntry {
  callId: string;
  priority: number;
  /** When the call started waiting (scheduler ms); a rerouted call keeps its first time. */
  enqueuedAt: number;
}

export class CallQueue {
  private entries: (QueueEntry & { seq: number })[] = [];
  private seq = 0;

  add(entry: QueueEntry): void {
    if (this.has(entry.callId)) throw new Error(`call ${entry.callId} is already queued`);
    this.entries.push({ ...entry, seq: this.seq++ });
    this.entries.sort(
      (a, b) => b.priority - a.priority || a.enqueuedAt - b.enqueuedAt || a.seq - b.seq,
    );
  }

  has(callId: string): boolean {
    return this.entries.some((e) => e.callId === callId);
  }

  remove(callId: string): boolean {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => e.callId !== callId);
    return this.entries.length !== before;
  }

  /** The calls in the order they will be served. */
  list(): QueueEntry[] {
    return this.entries.map(({ callId, priority, enqueuedAt }) => ({
      callId,
      priority,
      enqueuedAt,
    }));
  }

  get size(): number {
    return this.entries.length;
  }
}
