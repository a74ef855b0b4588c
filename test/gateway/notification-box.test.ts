import t from 'tap';
import { NotificationBox, type Delivery } from '../../gateway/notifications/notification-box';

t.test('held while gone, delivered on release, stale ones expired with a reason', async (t) => {
  const box = new NotificationBox('alice', () => 7);
  const got: Delivery[] = [];
  box.subscribe((d) => got.push(d));
  box.post({ type: 'chat' });
  t.equal(got.length, 1, 'delivered at once while present');
  box.hold();
  box.post({ type: 'offer', callId: 'c1' });
  box.post({ type: 'chat' });
  t.equal(got.length, 1, 'nothing while held');
  t.equal(box.waiting.length, 2);
  const gone = box.expire((n) => (n.callId === 'c1' ? 'call c1 was given to bob' : undefined));
  t.equal(gone.length, 1);
  t.equal(got.length, 1, 'expiry notices are held too');
  box.release();
  t.same(
    got.slice(1).map((d) => d.event),
    ['expired', 'notification'],
  );
  t.match(got[1], {
    event: 'expired',
    reason: 'call c1 was given to bob',
    notification: { callId: 'c1' },
  });
});

t.test('nothing is lost when nobody listens', async (t) => {
  const box = new NotificationBox('bob', () => 0);
  box.post({ type: 'a' });
  const got: Delivery[] = [];
  const off = box.subscribe((d) => got.push(d));
  t.equal(got.length, 1);
  off();
  t.equal(box.subscriberCount, 0);
});

const limits = { maxHeld: 3, maxHeldBytes: 100_000, maxAgeMs: 60_000 };

t.test(
  'count bound: past maxHeld the oldest expire, with a reason and without payload',
  async (t) => {
    const box = new NotificationBox('alice', () => 0, limits);
    for (let i = 1; i <= 5; i++) box.post({ type: 'chat', data: { i } });
    t.same(
      box.waiting.map((n) => (n.data as { i: number }).i),
      [3, 4, 5],
      'the newest are kept',
    );
    t.equal(box.expiredWaiting, 2);
    const got: Delivery[] = [];
    box.subscribe((d) => got.push(d));
    t.same(
      got.map((d) => `${d.event}:${d.notification.id}`),
      [
        'expired:alice-1',
        'expired:alice-2',
        'notification:alice-3',
        'notification:alice-4',
        'notification:alice-5',
      ],
    );
    t.match(got[0], { event: 'expired', reason: 'more than 3 notifications were held' });
    t.equal(got[0].notification.data, undefined, 'an expiry notice carries no payload');
    t.same(got[2].notification.data, { i: 3 }, 'a delivered one does');
    t.equal(box.heldBytes, 0, 'nothing held once delivered');
  },
);

t.test('byte bound: big notifications push the oldest out; the total stays under it', async (t) => {
  const box = new NotificationBox('alice', () => 0, {
    ...limits,
    maxHeld: 1000,
    maxHeldBytes: 250_000,
  });
  const blob = 'x'.repeat(60_000);
  let peak = 0;
  for (let i = 0; i < 1500; i++) {
    box.post({ type: 'chat', data: blob });
    peak = Math.max(peak, box.heldBytes);
  }
  t.ok(peak <= 250_000, `never over the bound (peak ${peak} bytes)`);
  t.equal(box.waiting.length, 4, 'four 60 KB notifications fit in 250 KB');
  t.equal(box.expiredWaiting, 1000, 'expiry notices are bounded too (maxHeld)');
  t.equal(box.droppedNotices, 496, 'the rest are counted');
  const got: Delivery[] = [];
  box.subscribe((d) => got.push(d));
  t.equal(got.length, 1004);
  t.match(got[0], { event: 'expired', reason: 'held notifications exceeded 250000 bytes' });
  t.equal(got[0].notification.id, 'alice-497', 'the oldest surviving notices first');
  t.equal(got[1003].notification.id, 'alice-1500');
});

t.test(
  'one notification over the byte bound: delivered if someone listens, else expired',
  async (t) => {
    const box = new NotificationBox('alice', () => 0, { ...limits, maxHeldBytes: 1000 });
    const got: Delivery[] = [];
    const off = box.subscribe((d) => got.push(d));
    box.post({ type: 'big', data: 'y'.repeat(5000) });
    t.match(got, [{ event: 'notification' }], 'present: delivered at once');
    off();
    box.post({ type: 'big', data: 'y'.repeat(5000) });
    t.equal(box.waiting.length, 0);
    t.equal(box.expiredWaiting, 1);
  },
);

t.test('age bound: a held notification older than maxAgeMs expires', async (t) => {
  let now = 0;
  const box = new NotificationBox('alice', () => now, limits);
  box.hold();
  box.post({ type: 'old' });
  now = 30_000;
  box.post({ type: 'newer' });
  now = 60_001;
  box.post({ type: 'newest' });
  t.same(
    box.waiting.map((n) => n.type),
    ['newer', 'newest'],
    'expired on the next post',
  );
  now = 95_000;
  const got: Delivery[] = [];
  box.subscribe((d) => got.push(d));
  box.release();
  t.same(
    got.map((d) => `${d.event}:${d.notification.type}`),
    ['expired:old', 'expired:newer', 'notification:newest'],
    'and on delivery',
  );
  t.match(got[0], { reason: 'held for more than 60 s' });
});

t.test('the delivery history keeps no payloads', async (t) => {
  const box = new NotificationBox('alice', () => 0, limits);
  box.subscribe(() => undefined);
  for (let i = 0; i < 150; i++) box.post({ type: 'chat', data: 'z'.repeat(10_000) });
  t.equal(box.delivered.length, 100);
  t.ok(box.delivered.every((d) => d.notification.data === undefined));
});
