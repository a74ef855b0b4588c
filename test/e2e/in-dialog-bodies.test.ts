// Regression (issue "No customer left in silence", defect 1): an agent's in-dialog INFO
// whose JSON body is `null` crashed the whole process. Every malformed in-dialog body from
// an agent — not JSON, JSON of the wrong shape, a body type we do not take — gets a 4xx
// and changes nothing: the call stays connected, unmuted, with two-way audio.
import t from 'tap';
import { startTestGateway, waitFor } from './fixtures/gateway-harness';
import { Agent, Customer, CUSTOMER_TONE, hearsTone } from './fixtures/parties';

const ALICE_TONE = 1000;

const BAD: { method: string; body: string; type?: string; status: RegExp }[] = [
  { method: 'INFO', body: 'null', type: 'application/json', status: /^400$/ },
  { method: 'INFO', body: '42', type: 'application/json', status: /^400$/ },
  { method: 'INFO', body: '"mute"', type: 'application/json', status: /^400$/ },
  { method: 'INFO', body: '[{"mute":true}]', type: 'application/json', status: /^400$/ },
  { method: 'INFO', body: '{"mute":"yes"}', type: 'application/json', status: /^400$/ },
  { method: 'INFO', body: '{"hold":1}', type: 'application/json', status: /^400$/ },
  { method: 'INFO', body: '{"desktop":"gone"}', type: 'application/json', status: /^400$/ },
  { method: 'INFO', body: '{"foo":true}', type: 'application/json', status: /^400$/ },
  { method: 'INFO', body: '{"mute":tr', type: 'application/json', status: /^400$/ },
  { method: 'INFO', body: 'not json at all', status: /^400$/ },
  {
    method: 'INFO',
    body: 'Signal=5\r\nDuration=160',
    type: 'application/dtmf-relay',
    status: /^415$/,
  },
  { method: 'NOTIFY', body: 'null', type: 'application/json', status: /^481$/ },
  { method: 'UPDATE', body: 'null', type: 'application/json', status: /^415$/ },
  { method: 'UPDATE', body: 'null', type: 'application/sdp', status: /^488$/ },
  { method: 'INVITE', body: 'null', type: 'application/json', status: /^4\d\d$/ },
  { method: 'INVITE', body: '{"mute":true}', type: 'application/sdp', status: /^488$/ },
];

t.test('malformed in-dialog bodies from an agent: 4xx each, the call unchanged', async (t) => {
  const hf = await startTestGateway(t, [{ id: 'alice', password: 'pw-alice' }]);
  const alice = await Agent.open(t, hf, 'alice', { tone: ALICE_TONE, password: 'pw-alice' });
  const customer = await Customer.call(t, hf);
  await waitFor(() => hf.gw.calls.size === 1, 'the call');
  const call = [...hf.gw.calls.values()][0];
  await waitFor(() => call.state === 'connected', 'connected');
  const dialog = alice.current!;

  for (const bad of BAD) {
    const res = await alice.ua.inDialogRequest(dialog, bad.method, bad.body, bad.type);
    t.match(
      String(res.status),
      bad.status,
      `${bad.method} ${bad.type ?? '-'} ${bad.body}: ${res.status}`,
    );
  }
  t.equal(await alice.ua.info(dialog, {}), 200, 'an empty JSON object is a no-op 200');

  t.equal(call.state, 'connected', 'still connected');
  t.notOk(call.muted, 'not muted');
  t.notOk(call.held, 'not held');
  t.equal(call.snapshot().gone, undefined, 'no disconnect');
  t.equal(hf.gw.agents.get('alice')!.status, 'busy');
  t.ok((await hearsTone(customer.ep, ALICE_TONE)) > 0.8, 'the customer still hears alice');
  t.ok((await hearsTone(alice.ep, CUSTOMER_TONE)) > 0.8, 'alice still hears the customer');
  t.equal((await hf.gw.ng.ping()) !== undefined, true, 'rtpengine is up');

  t.equal(await alice.ua.info(dialog, { mute: true }), 200, 'a good INFO still works');
  await waitFor(() => call.muted, 'muted by INFO');
  t.equal(await customer.hangUp(), 200);
  await hf.settled();
});
