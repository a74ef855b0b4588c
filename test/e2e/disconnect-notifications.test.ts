// The "Notifications" column of the disconnect policy, one test per row, end to end: the
// agent's page reads its notifications over SSE while the omnichannel system posts them.
import t from 'tap';
import { sleep, waitFor, type TestGateway } from './fixtures/gateway-harness';
import { gatewayWithAgents } from './fixtures/scenes';
import { subscribe } from './fixtures/sse-client';
import { TestUa } from './fixtures/test-ua';

const post = (hf: TestGateway, agentId: string, body: unknown) =>
  hf.api('POST', `/v1/agents/${agentId}/notifications`, body);

t.test('disconnected: notifications are not delivered to the agent', async (t) => {
  const stage = await gatewayWithAgents(t, {
    policy: { reconnectWindowMs: 10_000, presenceTimeoutMs: 20_000 },
  });
  const sse = await subscribe(t, stage.hf, 'alice');
  const scene = await stage.customerCalls();
  const { call, hf } = scene;

  t.equal(
    (await post(hf, 'alice', { type: 'chat-message', data: { text: 'before' } })).status,
    201,
  );
  await waitFor(() => sse.events.length === 1, 'delivered while present');

  const dropped = await scene.drop({ by: 'api', goneWithinMs: 8000 });
  t.equal(dropped.status, 202);
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

  await scene.end({ bringBack: ['alice'] }); // hangs up, alice's desktop back, leak check
});

t.test(
  'back within the window: held notifications are delivered, the agent is back on its call',
  async (t) => {
    const stage = await gatewayWithAgents(t, {
      policy: { reconnectWindowMs: 5000, presenceTimeoutMs: 10_000 },
    });
    const sse = await subscribe(t, stage.hf, 'alice');
    const scene = await stage.customerCalls();
    const { call, hf, agent: alice } = scene;

    await scene.drop({ by: 'api', goneWithinMs: 8000 });
    await post(hf, 'alice', { type: 'supervisor-message', data: { text: 'held 1' } });
    await post(hf, 'alice', { type: 'call-event', callId: call.id, data: { text: 'held 2' } });
    await sleep(300);
    t.equal(sse.events.length, 0, 'held while gone');

    // The page reconnects: the gateway re-INVITEs alice on her dialog and releases the held ones.
    t.equal((await scene.desktop('alice', 'connected')).status, 202);
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
      alice.current!.received.some((m) => m.method === 'INVITE'),
      'by a re-INVITE on her dialog',
    );
    await scene.twoWay('alice', { customer: 'the customer hears alice again' });

    await post(hf, 'alice', { type: 'chat-message' });
    await waitFor(() => sse.events.length === 3, 'new ones flow at once');
    await scene.end();
  },
);

t.test(
  'back between the window and the presence timeout: delivered; one that no longer applies is expired with a reason',
  async (t) => {
    // bob registers once alice has the call: he is there for the reroute.
    const stage = await gatewayWithAgents(t, {
      agents: { alice: {}, bob: { joins: 'after-connect' } },
      policy: { reconnectWindowMs: 1500, presenceTimeoutMs: 20_000 },
    });
    const sse = await subscribe(t, stage.hf, 'alice');
    const scene = await stage.customerCalls();
    const { call, hf } = scene;

    const bobCall = scene.agents.bob.nextCall(10_000);
    await scene.drop({ by: 'api', goneWithinMs: 8000 });
    await post(hf, 'alice', { type: 'call-offer', callId: call.id });
    await post(hf, 'alice', { type: 'chat-message' });
    await bobCall;
    await waitFor(() => call.state === 'connected' && call.agentId === 'bob', 'rerouted to bob');
    await sleep(300);
    t.equal(sse.events.length, 0, 'nothing delivered while gone');

    t.equal((await scene.desktop('alice', 'connected')).status, 202);
    await waitFor(() => sse.events.length === 2, 'delivered on return');
    t.equal(sse.events[0].event, 'expired');
    t.equal(sse.events[0].data.notification.type, 'call-offer');
    t.match(sse.events[0].data.reason, /given to agent bob/);
    t.equal(sse.events[1].event, 'notification');
    t.equal(sse.events[1].data.notification.type, 'chat-message');
    t.equal(hf.gw.agents.get('alice')!.status, 'available', 'alice is available for new calls');
    t.equal(call.agentId, 'bob', 'the call stays with bob');

    await scene.end();
  },
);

t.test(
  'past the presence timeout: the agent is offline; its notifications are delivered when it returns',
  async (t) => {
    const stage = await gatewayWithAgents(t, {
      policy: { reconnectWindowMs: 1000, presenceTimeoutMs: 2000 },
    });
    const { hf } = stage;
    const sse = await subscribe(t, hf, 'alice');
    await stage.desktop('alice', 'disconnected');
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
    await stage.end();
  },
);
