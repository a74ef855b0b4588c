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
