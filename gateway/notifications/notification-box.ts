// An agent's notifications: delivered to its subscribers (the SSE streams of its page)
// unless held while the agent is gone. Held ones are delivered on return, except those that
// no longer apply, which are expired with a reason (and the agent is told so).

export interface Notification {
  id: string;
  type: string;
  /** The call it concerns: it no longer applies once the call is someone else's. */
  callId?: string;
  data?: unknown;
  createdAt: number;
}

export type Delivery =
  | { event: 'notification'; notification: Notification }
  | { event: 'expired'; notification: Notification; reason: string };

export type Subscriber = (d: Delivery) => void;

const HISTORY = 100;

export class NotificationBox {
  private readonly outbox: Notification[] = [];
  private readonly subscribers = new Set<Subscriber>();
  private readonly expiredNotices: Delivery[] = [];
  private holdingFlag = false;
  private seq = 0;
  /** Last deliveries, newest last (for the API and tests). */
  readonly delivered: Delivery[] = [];

  constructor(
    readonly agentId: string,
    private readonly now: () => number,
  ) {}

  get holding(): boolean {
    return this.holdingFlag;
  }

  /** Waiting for delivery (held, or nobody listening yet). */
  get waiting(): readonly Notification[] {
    return this.outbox;
  }

  post(n: { type: string; callId?: string; data?: unknown }): Notification {
    const note: Notification = { id: `${this.agentId}-${++this.seq}`, createdAt: this.now(), ...n };
    this.outbox.push(note);
    this.flush();
    return note;
  }

  hold(): void {
    this.holdingFlag = true;
  }

  /** Stops holding and delivers what waits (if someone listens). */
  release(): void {
    this.holdingFlag = false;
    this.flush();
  }

  /** Drops waiting notifications for which `why` gives a reason. */
  expire(why: (n: Notification) => string | undefined): Notification[] {
    const gone: Notification[] = [];
    for (let i = this.outbox.length - 1; i >= 0; i--) {
      const reason = why(this.outbox[i]);
      if (reason === undefined) continue;
      const [n] = this.outbox.splice(i, 1);
      gone.unshift(n);
      this.expiredNotices.push({ event: 'expired', notification: n, reason });
    }
    this.flush();
    return gone;
  }

  subscribe(fn: Subscriber): () => void {
    this.subscribers.add(fn);
    this.flush();
    return () => this.subscribers.delete(fn);
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  private flush(): void {
    if (this.holdingFlag || this.subscribers.size === 0) return;
    const batch: Delivery[] = [
      ...this.expiredNotices.splice(0),
      ...this.outbox
        .splice(0)
        .map((notification): Delivery => ({ event: 'notification', notification })),
    ];
    for (const d of batch) {
      this.delivered.push(d);
      for (const s of this.subscribers) s(d);
    }
    if (this.delivered.length > HISTORY) this.delivered.splice(0, this.delivered.length - HISTORY);
  }
}
