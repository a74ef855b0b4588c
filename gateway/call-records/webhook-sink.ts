// Delivers call records to a webhook: POST of the record as JSON, signed (see
// webhook-signature.ts), retried with backoff on network errors, timeouts, 408, 429 and
// 5xx, up to maxAttempts. Other 3xx/4xx answers are final (the record is dropped).
// submit() never blocks or throws: records wait in a bounded queue (when full, the oldest
// is dropped with a warning), and at most `concurrency` deliveries run at once.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Logger } from 'pino';
import { systemClock, type Clock, type Timer } from '../../time/clock';
import type { CallRecord } from './call-record';
import { backoffDelay } from './retry-backoff';
import {
  DELIVERY_HEADER,
  SIGNATURE_HEADER,
  signPayload,
  TIMESTAMP_HEADER,
} from './webhook-signature';

/** Anything else the webhook carries besides call records (conversation events…). */
export interface WebhookEvent {
  schema: string;
  callId?: string;
}

export type WebhookDropReason = 'overflow' | 'attempts' | 'rejected' | 'closed';

export interface WebhookSinkOptions {
  url: string;
  /** Shared secret of the HMAC signature. */
  secret: string;
  log: Logger;
  /** Records waiting for delivery (not counting those in flight); default 1000. */
  maxQueue?: number;
  /** Attempts per record, the first included; default 5. */
  maxAttempts?: number;
  /** Deliveries at once; default 2. */
  concurrency?: number;
  /** Per attempt, connection to end of response; default 5000. */
  requestTimeoutMs?: number;
  /** Backoff before the n-th retry: random in [d/2, d], d = min(maxMs, baseMs·2^(n-1)). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** How long close() keeps delivering what is pending; default 5000. */
  flushTimeoutMs?: number;
  clock?: Clock;
  /** Unix seconds for the signature timestamp. */
  nowS?: () => number;
  random?: () => number;
  onDelivered?: (callId: string, attempts: number) => void;
  onDropped?: (callId: string, reason: WebhookDropReason) => void;
}

export class WebhookConfigError extends Error {
  override name = 'WebhookConfigError';
}

interface Delivery {
  id: string;
  callId: string;
  body: string;
  attempts: number;
  lastError?: string;
  /** What to abort when close() gives up on it. */
  request?: http.ClientRequest;
  timer?: Timer;
}

type AttemptResult =
  | { kind: 'delivered' }
  | { kind: 'retry'; error: string; retryAfterMs?: number }
  | { kind: 'rejected'; error: string };

function positive(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v <= 0)
    throw new WebhookConfigError(`webhook ${name}: expected a positive number, got ${value}`);
  return v;
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new WebhookConfigError(
      `webhook url: ${JSON.stringify(text)} is not a URL (expected http(s)://host[:port]/path)`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new WebhookConfigError(
      `webhook url: ${url.protocol} is not supported (use http: or https:)`,
    );
  }
  return url;
}

export class WebhookSink {
  private readonly url: URL;
  /** The URL as logged: without credentials or query. */
  private readonly where: string;
  private readonly agent: http.Agent;
  private readonly opts: Required<
    Pick<
      WebhookSinkOptions,
      | 'maxQueue'
      | 'maxAttempts'
      | 'concurrency'
      | 'requestTimeoutMs'
      | 'backoffBaseMs'
      | 'backoffMaxMs'
      | 'flushTimeoutMs'
    >
  >;
  private readonly clock: Clock;
  private readonly queue: Delivery[] = [];
  private readonly active = new Set<Delivery>();
  private idleWaiters: (() => void)[] = [];
  private closing?: Promise<void>;
  readonly counts = { delivered: 0, dropped: 0 };

  constructor(private readonly o: WebhookSinkOptions) {
    this.url = parseUrl(o.url);
    this.where = `${this.url.origin}${this.url.pathname}`;
    if (!o.secret)
      throw new WebhookConfigError(
        'webhook secret: must not be empty (receivers verify the signature with it)',
      );
    this.opts = {
      maxQueue: positive('maxQueue', o.maxQueue, 1000),
      maxAttempts: positive('maxAttempts', o.maxAttempts, 5),
      concurrency: positive('concurrency', o.concurrency, 2),
      requestTimeoutMs: positive('requestTimeoutMs', o.requestTimeoutMs, 5000),
      backoffBaseMs: positive('backoffBaseMs', o.backoffBaseMs, 500),
      backoffMaxMs: positive('backoffMaxMs', o.backoffMaxMs, 30_000),
      flushTimeoutMs: positive('flushTimeoutMs', o.flushTimeoutMs, 5000),
    };
    this.clock = o.clock ?? systemClock;
    this.agent =
      this.url.protocol === 'https:'
        ? new https.Agent({ keepAlive: true })
        : new http.Agent({ keepAlive: true });
  }

  /** Queues another signed event (see submit). */
  submitEvent(event: WebhookEvent): void {
    this.submit(event);
  }

  /** Records queued or being delivered. */
  get pending(): number {
    return this.queue.length + this.active.size;
  }

  /**
   * Queues a record (or another signed event: a payload with its own `schema`) for
   * delivery; returns at once and never throws.
   */
  submit(record: CallRecord | WebhookEvent): void {
    try {
      const delivery: Delivery = {
        id: randomUUID(),
        callId: record.callId ?? '',
        body: JSON.stringify(record),
        attempts: 0,
      };
      if (this.closing) return this.drop(delivery, 'closed');
      if (this.queue.length >= this.opts.maxQueue) this.drop(this.queue.shift()!, 'overflow');
      this.queue.push(delivery);
      this.pump();
    } catch (err) {
      this.o.log.error(
        { err, callId: record?.callId },
        'call record could not be queued for the webhook',
      );
    }
  }

  /** Keeps delivering for at most flushTimeoutMs, then drops what is left (with a warning). */
  close(): Promise<void> {
    this.closing ??= this.flush();
    return this.closing;
  }

  private async flush(): Promise<void> {
    if (this.pending > 0) {
      let timer: Timer | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
        new Promise<void>(
          (resolve) => (timer = this.clock.after(this.opts.flushTimeoutMs, resolve)),
        ),
      ]);
      if (timer !== undefined) timer.cancel();
    }
    for (const d of [...this.active, ...this.queue.splice(0)]) {
      this.active.delete(d);
      if (d.timer !== undefined) d.timer.cancel();
      d.request?.destroy();
      this.drop(d, 'closed');
    }
    this.agent.destroy();
  }

  private pump(): void {
    while (this.active.size < this.opts.concurrency && this.queue.length > 0) {
      const d = this.queue.shift()!;
      this.active.add(d);
      void this.attempt(d);
    }
    if (this.pending === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private async attempt(d: Delivery): Promise<void> {
    d.attempts++;
    const result = await this.post(d);
    if (!this.active.has(d)) return; // given up by close()
    if (result.kind === 'delivered') {
      this.finish(d);
      this.counts.delivered++;
      this.o.log.debug(
        { callId: d.callId, deliveryId: d.id, attempts: d.attempts },
        'call record delivered',
      );
      this.safely(() => this.o.onDelivered?.(d.callId, d.attempts));
      return;
    }
    d.lastError = result.error;
    if (result.kind === 'rejected') return this.giveUp(d, 'rejected');
    if (d.attempts >= this.opts.maxAttempts) return this.giveUp(d, 'attempts');
    const backoff = backoffDelay(d.attempts, {
      baseMs: this.opts.backoffBaseMs,
      maxMs: this.opts.backoffMaxMs,
      random: this.o.random,
    });
    const delay = Math.min(this.opts.backoffMaxMs, Math.max(backoff, result.retryAfterMs ?? 0));
    this.o.log.debug(
      {
        callId: d.callId,
        deliveryId: d.id,
        attempt: d.attempts,
        error: result.error,
        retryInMs: delay,
      },
      'call record delivery failed; will retry',
    );
    d.timer = this.clock.after(delay, () => {
      d.timer = undefined;
      void this.attempt(d);
    });
  }

  private giveUp(d: Delivery, reason: WebhookDropReason): void {
    this.finish(d);
    this.drop(d, reason);
  }

  private finish(d: Delivery): void {
    this.active.delete(d);
    this.pump();
  }

  private drop(d: Delivery, reason: WebhookDropReason): void {
    this.counts.dropped++;
    this.o.log.warn(
      {
        callId: d.callId,
        deliveryId: d.id,
        reason,
        attempts: d.attempts,
        lastError: d.lastError,
        webhook: this.where,
      },
      'call record dropped: not delivered to the webhook',
    );
    this.safely(() => this.o.onDropped?.(d.callId, reason));
  }

  /** One POST; resolves with what to do next, never rejects. */
  private post(d: Delivery): Promise<AttemptResult> {
    return new Promise((resolve) => {
      const timestamp = Math.floor(this.o.nowS?.() ?? Date.now() / 1000);
      let settled = false;
      const settle = (r: AttemptResult) => {
        if (settled) return;
        settled = true;
        timer.cancel();
        d.request = undefined;
        resolve(r);
      };
      const transport = this.url.protocol === 'https:' ? https : http;
      const req = transport.request(this.url, {
        method: 'POST',
        agent: this.agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(d.body),
          'user-agent': 'holdfast',
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signPayload(this.o.secret, timestamp, d.body),
          [DELIVERY_HEADER]: d.id,
        },
      });
      d.request = req;
      const timer = this.clock.after(this.opts.requestTimeoutMs, () => {
        settle({ kind: 'retry', error: `no answer within ${this.opts.requestTimeoutMs} ms` });
        req.destroy();
      });
      req.on('error', (err) => settle({ kind: 'retry', error: err.message }));
      req.on('response', (res) => {
        res.resume(); // the body is not needed, but must be read for the socket to be reused
        res.on('error', (err) => settle({ kind: 'retry', error: err.message }));
        res.on('end', () => settle(classify(res.statusCode ?? 0, res.headers['retry-after'])));
      });
      req.end(d.body);
    });
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.o.log.error({ err }, 'webhook observer threw');
    }
  }
}

function classify(status: number, retryAfter: string | undefined): AttemptResult {
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  const error = `HTTP ${status}`;
  if (status === 408 || status === 429 || status >= 500) {
    const seconds = retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) * 1000 : undefined;
    return { kind: 'retry', error, retryAfterMs: seconds };
  }
  return { kind: 'rejected', error };
}
