import { createHmac } from 'node:crypto';
import t from 'tap';
import { backoffDelay } from '../../gateway/call-records/retry-backoff';
import type { CallRecord } from '../../gateway/call-records/call-record';
import { CallRecordBuilder } from '../../gateway/call-records/call-record-builder';
import { verifyPayload } from '../../gateway/call-records/webhook-signature';
import {
  WebhookConfigError,
  WebhookSink,
  type WebhookDropReason,
  type WebhookSinkOptions,
} from '../../gateway/call-records/webhook-sink';
import { capturedLogger } from './fixtures/log-capture';
import { closedPort, startReceiver } from './fixtures/webhook-receiver';

const SECRET = 'shh-webhook-secret';

function record(callId: string): CallRecord {
  const b = new CallRecordBuilder({ callId, customer: { from: 'sip:+33100@sbc' } });
  b.legOffered('a1');
  b.legAnswered('a1');
  return b.end('customer-hangup');
}

function sink(url: string, extra: Partial<WebhookSinkOptions> = {}) {
  const { log, capture } = capturedLogger('debug');
  const dropped: [string, WebhookDropReason][] = [];
  const delivered: [string, number][] = [];
  const s = new WebhookSink({
    url,
    secret: SECRET,
    log,
    backoffBaseMs: 5,
    backoffMaxMs: 20,
    requestTimeoutMs: 1000,
    flushTimeoutMs: 1000,
    onDropped: (id, reason) => dropped.push([id, reason]),
    onDelivered: (id, attempts) => delivered.push([id, attempts]),
    ...extra,
  });
  return { s, capture, dropped, delivered };
}

t.test(
  'the record arrives as JSON and its signature verifies with the documented scheme',
  async (t) => {
    const rx = await startReceiver();
    const { s, delivered, capture } = sink(rx.url);
    s.submit(record('c1'));
    await rx.waitFor(1);
    await s.close();
    await rx.close();
    const [r] = rx.received;
    t.equal(r.headers['content-type'], 'application/json');
    t.equal(JSON.parse(r.body).callId, 'c1');
    const ts = String(r.headers['x-holdfast-timestamp']);
    t.ok(Math.abs(Number(ts) - Date.now() / 1000) < 5, 'timestamp is unix seconds, now');
    // The scheme written out by hand, as a receiver would: HMAC-SHA256 over "<ts>.<body>".
    const expected =
      'sha256=' + createHmac('sha256', SECRET).update(`${ts}.${r.body}`).digest('hex');
    t.equal(r.headers['x-holdfast-signature'], expected);
    t.same(verifyPayload(SECRET, r.body, { signature: expected, timestamp: ts }), { ok: true });
    t.match(String(r.headers['x-holdfast-delivery']), /^[0-9a-f-]{36}$/);
    t.same(delivered, [['c1', 1]]);
    t.notOk(capture.raw.join('').includes(SECRET), 'the secret is never logged');
  },
);

t.test(
  'verification rejects a tampered body, a wrong secret and a replayed timestamp',
  async (t) => {
    const ts = 1_700_000_000;
    const body = '{"callId":"c1"}';
    const signature =
      'sha256=' + createHmac('sha256', SECRET).update(`${ts}.${body}`).digest('hex');
    const at = { nowS: ts + 10 };
    t.same(verifyPayload(SECRET, body, { signature, timestamp: String(ts) }, at), { ok: true });
    t.match(verifyPayload(SECRET, body + ' ', { signature, timestamp: String(ts) }, at), {
      ok: false,
      reason: 'signature mismatch',
    });
    t.match(verifyPayload('other', body, { signature, timestamp: String(ts) }, at), { ok: false });
    t.match(
      verifyPayload(SECRET, body, { signature, timestamp: String(ts + 1) }, at),
      { ok: false },
      'timestamp is signed',
    );
    t.match(verifyPayload(SECRET, body, { signature, timestamp: String(ts) }, { nowS: ts + 301 }), {
      ok: false,
      reason: 'timestamp outside tolerance',
    });
    t.match(verifyPayload(SECRET, body, { signature: undefined, timestamp: String(ts) }), {
      ok: false,
    });
  },
);

t.test(
  '500 twice then 200: delivered on the third attempt, signed afresh, same delivery id',
  async (t) => {
    const rx = await startReceiver((n) => (n <= 2 ? 500 : 200));
    const { s, delivered, dropped } = sink(rx.url);
    s.submit(record('c2'));
    await rx.waitFor(3);
    await s.close();
    await rx.close();
    t.equal(rx.received.length, 3);
    t.same(delivered, [['c2', 3]]);
    t.same(dropped, []);
    t.equal(new Set(rx.received.map((r) => r.headers['x-holdfast-delivery'])).size, 1);
    for (const r of rx.received) {
      const v = verifyPayload(SECRET, r.body, {
        signature: String(r.headers['x-holdfast-signature']),
        timestamp: String(r.headers['x-holdfast-timestamp']),
      });
      t.same(v, { ok: true });
    }
  },
);

t.test(
  'a webhook that is down: submit is quick and quiet, the record is retried then dropped',
  async (t) => {
    const port = await closedPort();
    const { s, capture, dropped } = sink(`http://127.0.0.1:${port}/x`, { maxAttempts: 3 });
    const started = process.hrtime.bigint();
    t.doesNotThrow(() => s.submit(record('c3')));
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    t.ok(elapsedMs < 50, `submit returned in ${elapsedMs.toFixed(1)} ms`);
    t.equal(s.pending, 1);
    for (let i = 0; i < 200 && dropped.length === 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    t.same(dropped, [['c3', 'attempts']]);
    const retries = capture.withMsg('call record delivery failed; will retry');
    t.equal(retries.length, 2, 'two retries after the first attempt');
    t.match(retries[0].error, /ECONNREFUSED/);
    const [warning] = capture.withMsg('call record dropped: not delivered to the webhook');
    t.match(warning, {
      level: 40,
      callId: 'c3',
      reason: 'attempts',
      attempts: 3,
      lastError: /ECONNREFUSED/,
    });
    t.equal(s.pending, 0);
    await s.close();
  },
);

t.test('4xx is final, 429 and 408 are retried', async (t) => {
  const statuses: Record<string, number[]> = { c4: [400], c5: [429, 200], c6: [408, 200] };
  const rx = await startReceiver((_n, r) => statuses[JSON.parse(r.body).callId].shift() ?? 500);
  const { s, dropped, delivered } = sink(rx.url, { concurrency: 1 });
  for (const id of ['c4', 'c5', 'c6']) s.submit(record(id));
  await rx.waitFor(5);
  await s.close();
  await rx.close();
  t.same(dropped, [['c4', 'rejected']]);
  t.same(delivered, [
    ['c5', 2],
    ['c6', 2],
  ]);
});

t.test('a full queue drops the oldest waiting record with a warning', async (t) => {
  const rx = await startReceiver((n) => (n === 1 ? 'hang' : 200));
  const { s, dropped, delivered, capture } = sink(rx.url, {
    concurrency: 1,
    maxQueue: 2,
    requestTimeoutMs: 100,
    maxAttempts: 2,
  });
  s.submit(record('first')); // in flight: the receiver hangs, the attempt times out and is retried
  await rx.waitFor(1);
  for (const id of ['q1', 'q2', 'q3']) s.submit(record(id));
  t.same(dropped, [['q1', 'overflow']]);
  t.equal(
    capture.withMsg('call record dropped: not delivered to the webhook')[0].reason,
    'overflow',
  );
  t.equal(s.pending, 3);
  await rx.waitFor(4);
  await s.close();
  await rx.close();
  t.same(
    delivered.map(([id]) => id),
    ['first', 'q2', 'q3'],
  );
  t.equal(s.counts.dropped, 1);
  t.equal(s.counts.delivered, 3);
});

t.test(
  'close() flushes for a bounded time, then drops what is left; submit after close drops',
  async (t) => {
    const rx = await startReceiver(() => 'hang');
    const { s, dropped } = sink(rx.url, { flushTimeoutMs: 100, requestTimeoutMs: 10_000 });
    s.submit(record('slow'));
    await rx.waitFor(1);
    const started = Date.now();
    await s.close();
    const took = Date.now() - started;
    t.ok(took >= 90 && took < 1000, `close took ${took} ms`);
    t.same(dropped, [['slow', 'closed']]);
    s.submit(record('late'));
    t.same(dropped.at(-1), ['late', 'closed']);
    t.equal(s.close(), s.close(), 'close is idempotent');
    await rx.close();
  },
);

t.test('bad configuration is a clear error', async (t) => {
  const { log } = capturedLogger();
  t.throws(() => new WebhookSink({ url: 'not a url', secret: 's', log }), WebhookConfigError);
  t.throws(() => new WebhookSink({ url: 'ftp://h/x', secret: 's', log }), /ftp: is not supported/);
  t.throws(
    () => new WebhookSink({ url: 'http://h/x', secret: '', log }),
    /secret: must not be empty/,
  );
  t.throws(
    () => new WebhookSink({ url: 'http://h/x', secret: 's', log, maxAttempts: 0 }),
    /maxAttempts: expected a positive number/,
  );
});

t.test('backoff doubles up to the maximum, with jitter in the upper half', async (t) => {
  const at = (retry: number, r: number) =>
    backoffDelay(retry, { baseMs: 100, maxMs: 1000, random: () => r });
  t.same(
    [1, 2, 3, 4, 5, 6].map((n) => at(n, 0.999999)),
    [100, 200, 400, 800, 1000, 1000],
  );
  t.same(
    [1, 2, 3].map((n) => at(n, 0)),
    [50, 100, 200],
  );
});
