// The "Notifications" column of the disconnect policy, one test per row, end to end: the
// agent's page reads its notifications over SSE while the omnichannel system posts them.
import t from 'tap';
import { startTestGateway, sleep, waitFor, type TestGateway } from './fixtures/gateway-harness';
import { Agent, Customer, CUSTOMER_TONE, hearsTone } from './fixtures/parties';
import { subscribe } from './fixtures/sse-client';
import { TestUa } from './fixtures/test-ua';

const ALICE_TONE = 1000;
const BOB_TONE = 1600;

async function connectedCall(hf: TestGateway, agentId: string) {
  await waitFor(
    () => [...hf.gw.calls.values()].some((c) => c.state === 'connected' && c.agentId === agentId),
    `a call connected to ${agentId}`,
  );
  return [...hf.gw.calls.values()][0];
}

const post = (hf: TestGateway, agentId: string, body: unknown) =>
  hf.api('POST', `/v1/agents/${agentId}/notifications`, body);
const desktop = (hf: TestGateway, agentId: string, state: string) =>
  hf.api('POST', `/v1/agents/${agentId}/desktop`, { state }, `${agentId}-token`);

t.test('disconnected: notifications are not delivered to the agent', async (t) => {
  const hf = await startTestGateway(t, [{ id: 'alice', password: 'pw-alice' }], {
    policy: { reconnectWindowMs: 10_000, presenceTimeoutMs: 20_000 },
  });
  await Agent.open(t, hf, 'alice', { tone: ALICE_TONE, password: 'pw-alice' });
  const sse = await subscribe(t, hf, 'alice');
  const customer = await Customer.call(t, hf);
  const call = await connectedCall(hf, 'alice');

  t.equal(
    (await post(hf, 'alice', { type: 'chat-message', data: { text: 'before' } })).status,
    201,
  );
  await waitFor(() => sse.events.length === 1, 'delivered while present');

  t.equal((await desktop(hf, 'alice', 'disconnected')).status, 202);
  await waitFor(() => call.state === 'agentGone', 'the call knows');
  t.equal(call.snapshot().gone, 'explicit-signal');
  const held = await post(hf, 'alice', { type: 'chat-message', data: { text: 'while gone' } });
  t.equal(held.status, 201);
  t.equal(held.json.held, true, 'the API says it is held');
  await sleep(600);
  t.equal(sse.events.length, 1, 'nothing more reached the agent');
  const agents = await hf.api('GET', '/v1/agents');
  const alice = agents.json.agents.find((a: { id: string }) => a.id === 'alice');
  t.match(alice, {
    status: 'disconnected',
    notificationsHeld: true,
    notificationsWaiting: 1,
    absence: 'disconnected',
  });

  t.equal(await customer.hangUp(), 200);
  await desktop(hf, 'alice', 'connected');
  await hf.settled();
});

t.test(
  'back within the window: held notifications are delivered, the agent is back on its call',
  async (t) => {
    const hf = await startTestGateway(t, [{ id: 'alice', password: 'pw-alice' }], {
      policy: { reconnectWindowMs: 5000, presenceTimeoutMs: 10_000 },
    });
    const aliceAgent = await Agent.open(t, hf, 'alice', { tone: ALICE_TONE, password: 'pw-alice' });
    const sse = await subscribe(t, hf, 'alice');
    const customer = await Customer.call(t, hf);
    const call = await connectedCall(hf, 'alice');

    await desktop(hf, 'alice', 'disconnected');
    await post(hf, 'alice', { type: 'supervisor-message', data: { text: 'held 1' } });
    await post(hf, 'alice', { type: 'call-event', callId: call.id, data: { text: 'held 2' } });
    await sleep(300);
    t.equal(sse.events.length, 0, 'held while gone');

    // The page reconnects: the gateway re-INVITEs alice on her dialog and releases the held ones.
    t.equal((await desktop(hf, 'alice', 'connected')).status, 202);
    await waitFor(() => sse.events.length === 2, 'held notifications delivered');
    t.same(
      sse.events.map((e) => [e.event, e.data.notification.type]),
      [
        ['notification', 'supervisor-message'],
        ['notification', 'call-event'],
      ],
      'in order, none expired (the call is still hers)',
    );
    await waitFor(() => call.state === 'connected' && call.agentId === 'alice', 'reattached');
    t.ok(
      aliceAgent.current!.received.some((m) => m.method === 'INVITE'),
      'by a re-INVITE on her dialog',
    );
    t.ok((await hearsTone(customer.ep, ALICE_TONE)) > 0.8, 'the customer hears alice again');
    t.ok((await hearsTone(aliceAgent.ep, CUSTOMER_TONE)) > 0.8, 'alice hears the customer');

    await post(hf, 'alice', { type: 'chat-message' });
    await waitFor(() => sse.events.length === 3, 'new ones flow at once');
    t.equal(await customer.hangUp(), 200);
    await hf.settled();
  },
);

t.test(
  'back between the window and the presence timeout: delivered; one that no longer applies is expired with a reason',
  async (t) => {
    const hf = await startTestGateway(
      t,
      [
        { id: 'alice', password: 'pw-alice' },
        { id: 'bob', password: 'pw-bob' },
      ],
      { policy: { reconnectWindowMs: 1500, presenceTimeoutMs: 20_000 } },
    );
    await Agent.open(t, hf, 'alice', { tone: ALICE_TONE, password: 'pw-alice' });
    const sse = await subscribe(t, hf, 'alice');
    const customer = await Customer.call(t, hf);
    const call = await connectedCall(hf, 'alice');
    const bob = await Agent.open(t, hf, 'bob', { tone: BOB_TONE, password: 'pw-bob' });
    await waitFor(() => hf.gw.agents.get('bob')!.status === 'available', 'bob available');

    await desktop(hf, 'alice', 'disconnected');
    await post(hf, 'alice', { type: 'call-offer', callId: call.id });
    await post(hf, 'alice', { type: 'chat-message' });
    await bob.nextCall(10_000);
    await waitFor(() => call.state === 'connected' && call.agentId === 'bob', 'rerouted to bob');
    await sleep(300);
    t.equal(sse.events.length, 0, 'nothing delivered while gone');

    t.equal((await desktop(hf, 'alice', 'connected')).status, 202);
    await waitFor(() => sse.events.length === 2, 'delivered on return');
    t.equal(sse.events[0].event, 'expired');
    t.equal(sse.events[0].data.notification.type, 'call-offer');
    t.match(sse.events[0].data.reason, /given to agent bob/);
    t.equal(sse.events[1].event, 'notification');
    t.equal(sse.events[1].data.notification.type, 'chat-message');
    t.equal(hf.gw.agents.get('alice')!.status, 'available', 'alice is available for new calls');
    t.equal(call.agentId, 'bob', 'the call stays with bob');

    t.equal(await customer.hangUp(), 200);
    await hf.settled();
  },
);

t.test(
  'past the presence timeout: the agent is offline; its notifications are delivered when it returns',
  async (t) => {
    const hf = await startTestGateway(t, [{ id: 'alice', password: 'pw-alice' }], {
      policy: { reconnectWindowMs: 1000, presenceTimeoutMs: 2000 },
    });
    await Agent.open(t, hf, 'alice', { tone: ALICE_TONE, password: 'pw-alice' });
    const sse = await subscribe(t, hf, 'alice');
    await desktop(hf, 'alice', 'disconnected');
    await post(hf, 'alice', { type: 'chat-message', data: { n: 1 } });
    await waitFor(
      () => hf.gw.agents.get('alice')!.status === 'offline',
      'offline past the presence timeout',
      5000,
    );
    await post(hf, 'alice', { type: 'chat-message', data: { n: 2 } });
    await sleep(300);
    t.equal(sse.events.length, 0, 'kept, not delivered, while offline');

    // The desktop comes back with a new SIP transport: a new REGISTER is the return.
    const again = await TestUa.open('udp', hf.sip.udp, 'alice');
    t.teardown(() => again.close());
    t.equal(await again.register('pw-alice'), 200);
    await waitFor(() => sse.events.length === 2, 'delivered on return');
    t.same(
      sse.events.map((e) => e.event),
      ['notification', 'notification'],
    );
    t.equal(hf.gw.agents.get('alice')!.status, 'available');
    await hf.settled();
  },
);
