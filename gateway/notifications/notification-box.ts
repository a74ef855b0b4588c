// An agent's notifications: delivered to its subscribers (the SSE streams of its page)
// unless held while the agent is gone. Held ones are delivered on return, except those that
// no longer apply, which are expired with a reason (and the agent is told so).
//
// What waits is bounded (count, bytes, age: NotificationLimits), whether it waits because
// the agent is gone or because nobody listens yet: past a bound the oldest expire, by the
// same path as stale ones. An expiry notice keeps the notification's id, type and callId
// but not its data, and those notices are bounded in number too.
import type { NotificationLimits } from '../config/config-types';
import { DEFAULTS } from '../config/defaults';

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

interface Held {
  notification: Notification;
  /** Its JSON size: what it costs to keep. */
  bytes: number;
}

/** What remains of a notification once it expired: enough to name it, not its payload. */
function tombstone(n: Notification): Notification {
  return {
    id: n.id,
    type: n.type,
    ...(n.callId !== undefined ? { callId: n.callId } : {}),
    createdAt: n.createdAt,
  };
}

export class NotificationBox {
  private readonly outbox: Held[] = [];
  private readonly subscribers = new Set<Subscriber>();
  private readonly expiredNotices: Delivery[] = [];
  private heldBytesTotal = 0;
  private droppedNoticesTotal = 0;
  private holdingFlag = false;
  private seq = 0;
  /** Last deliveries, newest last, without payloads (for the API and tests). */
  readonly delivered: Delivery[] = [];

  constructor(
    readonly agentId: string,
    private readonly now: () => number,
    private readonly limits: NotificationLimits = DEFAULTS.notifications,
  ) {}

  get holding(): boolean {
    return this.holdingFlag;
  }

  /** Waiting for delivery (held, or nobody listening yet), oldest first. */
  get waiting(): readonly Notification[] {
    return this.outbox.map((h) => h.notification);
  }

  /** Bytes (JSON) of the notifications waiting. */
  get heldBytes(): number {
    return this.heldBytesTotal;
  }

  /** Expiry notices waiting to be delivered. */
  get expiredWaiting(): number {
    return this.expiredNotices.length;
  }

  /** Expiry notices given up because too many piled up while nobody listened. */
  get droppedNotices(): number {
    return this.droppedNoticesTotal;
  }

  post(n: { type: string; callId?: string; data?: unknown }): Notification {
    const notification: Notification = {
      id: `${this.agentId}-${++this.seq}`,
      createdAt: this.now(),
      ...n,
    };
    const bytes = Buffer.byteLength(JSON.stringify(notification));
    this.outbox.push({ notification, bytes });
    this.heldBytesTotal += bytes;
    this.flush();
    this.enforceLimits();
    return notification;
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
    for (let i = 0; i < this.outbox.length;) {
      const reason = why(this.outbox[i].notification);
      if (reason === undefined) i++;
      else gone.push(this.expireAt(i, reason));
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

  /** The oldest go first: the newest are the likeliest to still matter on return. */
  private enforceLimits(): void {
    const { maxHeld, maxHeldBytes } = this.limits;
    this.expireTooOld();
    while (this.outbox.length > maxHeld)
      this.expireAt(0, `more than ${maxHeld} notifications were held`);
    while (this.heldBytesTotal > maxHeldBytes)
      this.expireAt(0, `held notifications exceeded ${maxHeldBytes} bytes`);
  }

  private expireTooOld(): void {
    const { maxAgeMs } = this.limits;
    const now = this.now();
    while (this.outbox.length && now - this.outbox[0].notification.createdAt > maxAgeMs)
      this.expireAt(0, `held for more than ${Math.round(maxAgeMs / 1000)} s`);
  }

  private expireAt(index: number, reason: string): Notification {
    const [held] = this.outbox.splice(index, 1);
    this.heldBytesTotal -= held.bytes;
    const notification = tombstone(held.notification);
    this.expiredNotices.push({ event: 'expired', notification, reason });
    const excess = this.expiredNotices.length - this.limits.maxHeld;
    if (excess > 0) {
      this.expiredNotices.splice(0, excess);
      this.droppedNoticesTotal += excess;
    }
    return notification;
  }

  private flush(): void {
    if (this.holdingFlag || this.subscribers.size === 0) return;
    this.expireTooOld();
    const batch: Delivery[] = [
      ...this.expiredNotices.splice(0),
      ...this.outbox
        .splice(0)
        .map(({ notification }): Delivery => ({ event: 'notification', notification })),
    ];
    this.heldBytesTotal = 0;
    for (const d of batch) {
      this.delivered.push({ ...d, notification: tombstone(d.notification) });
      for (const s of this.subscribers) s(d);
    }
    if (this.delivered.length > HISTORY) this.delivered.splice(0, this.delivered.length - HISTORY);
  }
}
