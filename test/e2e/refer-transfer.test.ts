// Blind transfer asked for with REFER on the agent's own dialog (RFC 3515), from a Node agent
// UA: 202, then NOTIFYs whose message/sipfrag bodies follow the target's responses, the last
// one ending the implicit subscription; what a REFER the gateway cannot take gets; and the
// transfer API's refusals, none of which may leave anything behind.
import t from 'tap';
import { toneShare } from '../helpers/audio-compare';
import { sleep, waitFor } from './fixtures/gateway-harness';
import { CUSTOMER_TONE, hearsTone, listen } from './fixtures/parties';
import {
  answer,
  callApi,
  nothingLeft,
  notifiesIn,
  refer,
  ringOnly,
  scene,
  TONES,
} from './fixtures/handover-scenes';

const overrides = { queue: { ringTimeoutMs: 20_000 } };

t.test(
  'REFER to an agent: 202, NOTIFYs 100 → 180 → 200 (terminated), then the BYE; customer and bob talk',
  async (t) => {
    const s = await scene(t, { agents: ['alice', 'bob'], overrides });
    const { hf, call, customer } = s;
    const { alice, bob } = s.agents;
    const dialog = alice.current!;
    const ringing = ringOnly(bob);
    const res = await refer(alice, `<sip:bob@${hf.sip.udp.host}:${hf.sip.udp.port}>`);
    t.equal(res.status, 202, 'REFER accepted');
    const inv = await ringing;
    await waitFor(() => notifiesIn(dialog).length >= 2, 'Trying and Ringing told');
    const aliceBye = alice.ua.waitForBye(dialog);
    await answer(bob, inv);
    t.ok(await aliceBye, 'alice is released once the transfer is done');
    await waitFor(() => call.agentId === 'bob' && call.phase === 'talking', 'with bob');

    const notifies = notifiesIn(dialog);
    t.same(
      notifies.map((n) => n.status),
      [100, 180, 200],
      'the target’s responses, in order',
    );
    t.same(
      notifies.map((n) => n.frag.trim()),
      ['SIP/2.0 100 Trying', 'SIP/2.0 180 Ringing', 'SIP/2.0 200 OK'],
    );
    for (const n of notifies) {
      t.equal(n.event, 'refer', 'Event: refer');
      t.match(n.contentType, /^message\/sipfrag/, 'a sipfrag body');
    }
    t.match(notifies[0].subscriptionState, /^active/, 'the subscription is active meanwhile');
    t.match(notifies[2].subscriptionState, /^terminated/, 'and ends with the final one');
    const order = dialog.received.map((m) => m.method);
    t.ok(
      order.lastIndexOf('NOTIFY') < order.indexOf('BYE'),
      'the final NOTIFY comes before the BYE',
    );

    t.ok((await hearsTone(customer.ep, TONES.bob)) > 0.8, 'the customer hears bob');
    t.ok((await hearsTone(bob.ep, CUSTOMER_TONE)) > 0.8, 'bob hears the customer');
    t.equal(hf.gw.agents.get('bob')!.status, 'busy');
    await waitFor(() => hf.gw.agents.get('alice')!.status === 'available', 'alice available');
    t.equal(await customer.hangUp(), 200);
    await nothingLeft(hf);
  },
);

t.test(
  'REFER to a busy target: back to the agent (two-way), the final NOTIFY says 486',
  async (t) => {
    const s = await scene(t, { agents: ['alice', 'bob'], overrides });
    const { hf, call, customer } = s;
    const { alice, bob } = s.agents;
    const dialog = alice.current!;
    const ringing = ringOnly(bob);
    t.equal((await refer(alice, `<sip:bob@${hf.sip.udp.host}>`)).status, 202);
    const inv = await ringing;
    await waitFor(() => notifiesIn(dialog).length >= 2, 'Trying and Ringing told');
    inv.reject(486);
    await waitFor(() => notifiesIn(dialog).length >= 3, 'the final NOTIFY');
    const last = notifiesIn(dialog)[2];
    t.equal(last.status, 486, 'the final NOTIFY carries the target’s 486');
    t.equal(last.frag.trim(), 'SIP/2.0 486 Busy Here');
    t.match(last.subscriptionState, /^terminated/, 'and ends the subscription');
    await waitFor(() => call.phase === 'talking' && !call.transferLeg, 'back with alice');
    t.equal(call.agentId, 'alice');
    t.notOk(dialog.ended, 'alice keeps her dialog');
    await sleep(300);
    t.ok((await hearsTone(customer.ep, TONES.alice)) > 0.8, 'the customer hears alice again');
    t.ok((await hearsTone(alice.ep, CUSTOMER_TONE)) > 0.8, 'alice hears the customer');
    const heard = await listen(customer.ep);
    t.ok(toneShare(heard, TONES.bob) < 0.05, 'nothing of bob');
    await waitFor(() => hf.gw.agents.get('bob')!.status === 'available', 'bob available');
    t.equal(await customer.hangUp(), 200);
    await nothingLeft(hf);
  },
);

t.test('REFER the gateway cannot take: 400, 501, 491 — nothing changes', async (t) => {
  const s = await scene(t, { agents: ['alice', 'bob'], overrides });
  const { hf, call, customer } = s;
  const { alice, bob } = s.agents;
  const dialog = alice.current!;

  const noTarget = await refer(alice, undefined);
  t.equal(noTarget.status, 400, 'no Refer-To: 400');
  t.match(noTarget.get('warning') ?? '', /Refer-To/, 'with a Warning that says why');
  const attended = await refer(
    alice,
    `<sip:bob@${hf.sip.udp.host}?Replaces=abc%3Bto-tag%3D1%3Bfrom-tag%3D2>`,
  );
  t.equal(attended.status, 501, 'an attended transfer (Replaces): 501');
  t.equal(call.phase, 'talking', 'nothing started');

  // While a transfer rings, another REFER is refused (491: try later).
  const ringing = ringOnly(bob);
  t.equal((await refer(alice, `<sip:bob@${hf.sip.udp.host}>`)).status, 202);
  const inv = await ringing;
  t.equal((await refer(alice, `<sip:carol@${hf.sip.udp.host}>`)).status, 491);
  inv.reject(603);
  await waitFor(() => call.phase === 'talking' && !call.transferLeg, 'back with alice');
  await waitFor(() => notifiesIn(dialog).some((n) => n.status === 603), 'the final NOTIFY');
  t.equal(
    notifiesIn(dialog).filter((n) => /^terminated/.test(n.subscriptionState)).length,
    1,
    'one subscription, ended once',
  );
  t.ok((await hearsTone(customer.ep, TONES.alice)) > 0.8, 'the customer still has alice');
  t.equal(await customer.hangUp(), 200);
  await nothingLeft(hf);
});

t.test('the transfer API refuses bad input with 400/403/404/409; nothing leaks', async (t) => {
  const s = await scene(t, { agents: ['alice', 'bob', 'carol'], overrides });
  const { hf, call, customer } = s;
  const bob = s.agents.bob;
  const transfer = (body: unknown, token?: string) => callApi(hf, call, 'transfer', body, token);

  const unknown = await transfer({ agentId: 'nobody' });
  t.equal(unknown.status, 404, 'unknown agent: 404');
  t.equal(unknown.json.error, 'unknown_agent');
  for (const uri of ['not a uri', 'sip:', 'sip:bob@', 'http://example.com', 'sip:a b@host']) {
    const r = await transfer({ uri });
    t.equal(r.status, 400, `malformed URI ${JSON.stringify(uri)}: 400`);
    t.equal(r.json.error, 'bad_uri');
  }
  t.equal((await transfer({ uri: `sip:x@h${'o'.repeat(600)}` })).status, 400, 'an overlong URI');
  t.equal((await transfer({})).status, 400, 'neither agentId nor uri: 400');
  t.equal((await transfer({ agentId: 'bob', uri: 'sip:bob@h' })).status, 400, 'both: 400');
  t.equal((await transfer({ agentId: 7 })).status, 400, 'agentId not a string: 400');
  t.equal((await transfer('{"agentId":')).status, 400, 'malformed JSON: 400');
  const byBob = await transfer({ agentId: 'carol' }, 'bob-token');
  t.equal(byBob.status, 403, 'by another agent: 403');
  t.equal((await transfer({ agentId: 'alice' })).status, 409, 'to the agent on the call: 409');
  const nope = await hf.api('POST', '/v1/calls/nope/transfer', { agentId: 'bob' }, 'alice-token');
  t.equal(nope.status, 404, 'unknown call: 404');
  t.equal(call.phase, 'talking', 'nothing started');
  t.equal(hf.gw.stats().engagements, 1, 'only alice is engaged');

  const ringing = ringOnly(bob);
  t.equal((await transfer({ agentId: 'bob' })).status, 202);
  const inv = await ringing;
  const again = await transfer({ agentId: 'carol' });
  t.equal(again.status, 409, 'while already transferring: 409');
  t.equal(again.json.error, 'conflict');
  t.equal((await callApi(hf, call, 'consult', { agentId: 'carol' })).status, 409, 'no consult');
  t.equal((await transfer({ agentId: 'bob' })).status, 409, 'to the ringing agent: 409');
  t.equal(hf.gw.agents.get('carol')!.status, 'available', 'carol never rang');
  t.equal(hf.gw.stats().engagements, 2, 'alice and the ringing bob only');

  inv.reject(486);
  await waitFor(() => call.phase === 'talking' && !call.transferLeg, 'back with alice');
  await waitFor(() => hf.gw.agents.get('bob')!.status === 'available', 'bob available');
  t.equal(hf.gw.stats().engagements, 1, 'bob is no longer engaged');
  t.equal(await customer.hangUp(), 200);
  await nothingLeft(hf);
  for (const id of ['alice', 'bob', 'carol'])
    t.equal(hf.gw.agents.get(id)!.status, 'available', `${id} available`);
});
