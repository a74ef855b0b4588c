// An agent's own token can post notifications while nobody listens; what the gateway holds
// for it stays bounded (notifications.* defaults: 100 notifications, 256 KiB, 1 h), the
// oldest expiring with a reason that the agent receives when it subscribes.
import t from 'tap';
import { startTestGateway, waitFor } from './fixtures/gateway-harness';
import { subscribe } from './fixtures/sse-client';

const POSTS = 300;
const BLOB = 'x'.repeat(60_000);

t.test('300 posts of 60 KB with the agent token: held bytes stay under the bound', async (t) => {
  const hf = await startTestGateway(t, [{ id: 'alice', password: 'pw-alice' }]);
  for (let i = 1; i <= POSTS; i++) {
    const res = await hf.api(
      'POST',
      '/v1/agents/alice/notifications',
      { type: 'chat', data: { i, text: BLOB } },
      'alice-token',
    );
    if (res.status !== 201) throw new Error(`post ${i}: ${res.status}`);
  }
  const box = hf.gw.notifications.box('alice');
  t.ok(box.heldBytes <= 256 * 1024, `held ${box.heldBytes} bytes`);
  const [alice] = (await hf.api('GET', '/v1/agents')).json.agents;
  t.equal(alice.notificationsWaiting, 4, 'four 60 KB notifications fit in 256 KiB');
  t.ok(box.expiredWaiting <= 100, 'expiry notices are bounded as well');

  const sse = await subscribe(t, hf, 'alice');
  await waitFor(() => sse.events.length === 104, 'the expiry notices and the last four');
  const expired = sse.events.slice(0, 100);
  t.ok(
    expired.every(
      (e) => e.event === 'expired' && e.data.reason === 'held notifications exceeded 262144 bytes',
    ),
    'the oldest expired, with the reason',
  );
  const kept = sse.events.slice(100);
  t.same(
    kept.map((e) => e.event),
    ['notification', 'notification', 'notification', 'notification'],
  );
  const data = kept.map((e) => (e.data.notification as { data?: { i: number } }).data?.i);
  t.same(data, [POSTS - 3, POSTS - 2, POSTS - 1, POSTS], 'the newest are delivered whole');
  t.equal(box.heldBytes, 0, 'nothing held once delivered');
  await hf.settled();
});

t.test('type and callId must stay short (they outlive the payload)', async (t) => {
  const hf = await startTestGateway(t, [{ id: 'alice', password: 'pw-alice' }]);
  const post = (body: unknown) =>
    hf.api('POST', '/v1/agents/alice/notifications', body, 'alice-token');
  t.match(await post({ type: 'x'.repeat(101) }), { status: 400, json: { error: 'bad_request' } });
  t.match(await post({ type: 'chat', callId: 'c'.repeat(201) }), { status: 400 });
  t.match(await post({ type: 'x'.repeat(100), callId: 'c'.repeat(200) }), { status: 201 });
  await hf.settled();
});
