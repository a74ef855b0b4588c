// The agent API's guard rails (tokens, JSON errors) and agent registration: digest, and the
// media profile that follows the transport (WebSocket → webrtc, UDP → rtp).
import t from 'tap';
import { startTestGateway } from './fixtures/gateway-harness';
import { TestUa } from './fixtures/test-ua';

t.test('tokens: agent sees itself, admin sees all; clear JSON errors', async (t) => {
  const hf = await startTestGateway(t, [
    { id: 'alice', password: 'pw-a' },
    { id: 'bob', password: 'pw-b' },
  ]);
  t.match(await hf.api('GET', '/v1/agents', undefined, 'nope'), {
    status: 401,
    json: { error: 'unauthenticated' },
  });
  const own = await hf.api('GET', '/v1/agents', undefined, 'alice-token');
  t.equal(own.status, 200);
  t.same(
    own.json.agents.map((a: { id: string }) => a.id),
    ['alice'],
    'an agent sees only itself',
  );
  const all = await hf.api('GET', '/v1/agents');
  t.same(
    all.json.agents.map((a: { id: string }) => a.id),
    ['alice', 'bob'],
    'admin sees all',
  );
  t.match(
    await hf.api('POST', '/v1/agents/bob/desktop', { state: 'disconnected' }, 'alice-token'),
    { status: 403, json: { error: 'forbidden' } },
  );
  t.match(await hf.api('POST', '/v1/agents/zed/desktop', { state: 'disconnected' }), {
    status: 404,
    json: { error: 'unknown_agent' },
  });
  t.match(await hf.api('POST', '/v1/agents/alice/desktop', { state: 'asleep' }, 'alice-token'), {
    status: 400,
    json: { error: 'bad_request' },
  });
  t.match(await hf.api('POST', '/v1/agents/alice/desktop', '{not json', 'alice-token'), {
    status: 400,
    json: { error: 'bad_json' },
  });
  t.match(await hf.api('POST', '/v1/agents/alice/notifications', { callId: 3 }), { status: 400 });
  t.match(await hf.api('GET', '/v1/nothing'), { status: 404, json: { error: 'not_found' } });
  t.match(await hf.api('DELETE', '/v1/calls'), { status: 405 });
  t.match(await hf.api('POST', '/v1/calls/nope/mute', { muted: true }), {
    status: 404,
    json: { error: 'unknown_call' },
  });
  t.same((await hf.api('GET', '/v1/calls', undefined, 'bob-token')).json, { calls: [] });
  await hf.settled();
});

t.test(
  'REGISTER: digest required; over WebSocket the agent gets the webrtc profile, over UDP rtp',
  async (t) => {
    const hf = await startTestGateway(t, [
      { id: 'alice', password: 'pw-a' },
      { id: 'bob', password: 'pw-b' },
    ]);
    const wrong = await TestUa.open('udp', hf.sip.udp, 'alice');
    t.teardown(() => wrong.close());
    t.equal(await wrong.register('not-the-password'), 401, 'a wrong password is refused');
    t.equal(await wrong.register(undefined), 401, 'no credentials → challenge');
    t.equal(hf.gw.agents.get('alice')!.status, 'offline');

    t.ok(hf.sip.ws, 'the SIP server listens on WebSocket');
    const ws = await TestUa.open('ws', hf.sip.ws!, 'alice');
    t.teardown(() => ws.close());
    t.equal(await ws.register('pw-a'), 200);
    t.match(hf.gw.agents.get('alice')!.snapshot(), {
      status: 'available',
      contact: { profile: 'webrtc', transport: 'ws' },
    });

    const udp = await TestUa.open('udp', hf.sip.udp, 'bob');
    t.teardown(() => udp.close());
    t.equal(await udp.register('pw-b'), 200);
    t.match(hf.gw.agents.get('bob')!.snapshot(), {
      status: 'available',
      contact: { profile: 'rtp', transport: 'udp' },
    });

    t.equal(await udp.register('pw-b', 0), 200, 'unregister');
    t.equal(hf.gw.agents.get('bob')!.status, 'offline');
    await hf.settled();
  },
);
