// Consults and blind transfers through the agent API, end to end: real SIP through the
// embedded server, real rtpengine, who hears whom checked on decoded RTP.
import path from 'node:path';
import t from 'tap';
import { locate, toneShare } from '../helpers/audio-compare';
import { readWav } from '../helpers/audio-wav';
import {
  sleep,
  startTestGateway,
  waitFor,
  type Teardownable,
  type TestGateway,
} from './fixtures/gateway-harness';
import { Agent, Customer, CUSTOMER_TONE, hearsTone, listen } from './fixtures/parties';

const ALICE = 1000;
const BOB = 1600;
const MUSIC = readWav(path.join(__dirname, '../../prompts/wait-music.wav')).samples;

async function scene(t: Teardownable) {
  const hf = await startTestGateway(t, [
    { id: 'alice', password: 'pw-alice' },
    { id: 'bob', password: 'pw-bob' },
  ]);
  const alice = await Agent.open(t, hf, 'alice', { tone: ALICE, password: 'pw-alice' });
  const customer = await Customer.call(t, hf);
  await waitFor(() => [...hf.gw.calls.values()][0]?.state === 'connected', 'connected to alice');
  const call = [...hf.gw.calls.values()][0];
  const bob = await Agent.open(t, hf, 'bob', { tone: BOB, password: 'pw-bob' });
  await waitFor(() => hf.gw.agents.get('bob')!.status === 'available', 'bob available');
  return { hf, alice, bob, customer, call };
}

async function hearsMusic(ep: Parameters<typeof listen>[0]): Promise<number> {
  const heard = await listen(ep, 1500);
  return locate(heard, MUSIC, 1000).score;
}

function api(hf: TestGateway, path: string, body?: unknown, token = 'alice-token') {
  return hf.api('POST', path, body, token);
}

t.test('consult, then complete: the customer ends with the consulted agent', async (t) => {
  const { hf, alice, bob, customer, call } = await scene(t);
  const bobAnswers = bob.nextCall();
  const r = await api(hf, `/v1/calls/${call.id}/consult`, { agentId: 'bob' });
  t.equal(r.status, 202, 'consult accepted');
  await bobAnswers;
  await waitFor(() => call.consultLeg?.state === 'up', 'bob answered the consult');
  t.equal(call.phase, 'consulting');
  customer.ep.clear();
  t.ok((await hearsMusic(customer.ep)) > 0.8, 'the customer on hold hears wait music');
  const onHold = await listen(customer.ep);
  t.ok(toneShare(onHold, ALICE) < 0.05 && toneShare(onHold, BOB) < 0.05, 'and neither agent');
  t.ok((await hearsTone(alice.ep, BOB)) > 0.8, 'alice hears bob');
  t.ok((await hearsTone(bob.ep, ALICE)) > 0.8, 'bob hears alice');
  const aliceHears = await listen(alice.ep);
  t.ok(toneShare(aliceHears, CUSTOMER_TONE) < 0.05, 'alice does not hear the customer');
  const bobHears = await listen(bob.ep);
  t.ok(toneShare(bobHears, CUSTOMER_TONE) < 0.05, 'bob does not hear the customer');

  t.equal((await api(hf, `/v1/calls/${call.id}/consult`, { agentId: 'bob' })).status, 409);
  const aliceBye = alice.ua.waitForBye(alice.current!);
  t.equal((await api(hf, `/v1/calls/${call.id}/consult/complete`)).status, 200);
  t.ok(await aliceBye, 'alice is released');
  t.equal(call.agentId, 'bob');
  t.equal(call.phase, 'talking');
  t.ok((await hearsTone(customer.ep, BOB)) > 0.8, 'the customer hears bob');
  t.ok((await hearsTone(bob.ep, CUSTOMER_TONE)) > 0.8, 'bob hears the customer');
  await waitFor(() => hf.gw.agents.get('alice')!.status === 'available', 'alice available');
  t.equal(hf.gw.agents.get('bob')!.status, 'busy');
  t.equal(await customer.hangUp(), 200);
  await hf.settled();
  t.equal(hf.gw.stats().engagements, 0, 'no engagement left');
});

t.test('consult, then cancel: back to the customer; bob released', async (t) => {
  const { hf, alice, bob, customer, call } = await scene(t);
  const bobAnswers = bob.nextCall();
  t.equal((await api(hf, `/v1/calls/${call.id}/consult`, { agentId: 'bob' })).status, 202);
  await bobAnswers;
  await waitFor(() => call.consultLeg?.state === 'up', 'bob answered the consult');
  const bobBye = bob.ua.waitForBye(bob.current!);
  t.equal((await api(hf, `/v1/calls/${call.id}/consult/cancel`)).status, 200);
  t.ok(await bobBye, 'bob is released');
  t.equal(call.phase, 'talking');
  await sleep(300);
  t.ok((await hearsTone(customer.ep, ALICE)) > 0.8, 'the customer hears alice again');
  t.ok((await hearsTone(alice.ep, CUSTOMER_TONE)) > 0.8, 'alice hears the customer again');
  const heard = await listen(customer.ep);
  t.ok(toneShare(heard, BOB) < 0.05, 'and nothing of bob');
  await waitFor(() => hf.gw.agents.get('bob')!.status === 'available', 'bob available');
  t.equal(await customer.hangUp(), 200);
  await hf.settled();
});

t.test('blind transfer by API: the target answers, the agent is released', async (t) => {
  const { hf, alice, bob, customer, call } = await scene(t);
  const bobAnswers = bob.nextCall();
  const aliceBye = alice.ua.waitForBye(alice.current!);
  t.equal((await api(hf, `/v1/calls/${call.id}/transfer`, { agentId: 'bob' })).status, 202);
  await bobAnswers;
  t.ok(await aliceBye, 'alice is released');
  await waitFor(() => call.agentId === 'bob' && call.phase === 'talking', 'with bob');
  t.ok((await hearsTone(customer.ep, BOB)) > 0.8, 'the customer hears bob');
  t.ok((await hearsTone(bob.ep, CUSTOMER_TONE)) > 0.8, 'bob hears the customer');
  t.equal(await customer.hangUp(), 200);
  await hf.settled();
});

t.test('blind transfer fails (busy): the call returns to the agent', async (t) => {
  const { hf, alice, bob, customer, call } = await scene(t);
  bob.autoAnswer = false;
  const busy = bob.ua.nextInvite().then((inv) => inv.reject(486));
  t.equal((await api(hf, `/v1/calls/${call.id}/transfer`, { agentId: 'bob' })).status, 202);
  await busy;
  await waitFor(() => call.phase === 'talking' && call.transferLeg === undefined, 'back');
  t.equal(call.agentId, 'alice');
  await sleep(300);
  t.ok((await hearsTone(customer.ep, ALICE)) > 0.8, 'the customer hears alice again');
  t.ok((await hearsTone(alice.ep, CUSTOMER_TONE)) > 0.8, 'alice hears the customer');
  t.equal(await customer.hangUp(), 200);
  await hf.settled();
});

t.test('bad requests: 404, 403, 400, 409', async (t) => {
  const { hf, customer, call } = await scene(t);
  t.equal((await api(hf, `/v1/calls/nope/consult`, { agentId: 'bob' })).status, 404);
  t.equal(
    (await api(hf, `/v1/calls/${call.id}/consult`, { agentId: 'bob' }, 'bob-token')).status,
    403,
  );
  t.equal((await api(hf, `/v1/calls/${call.id}/consult`, { agentId: 'carol' })).status, 404);
  t.equal((await api(hf, `/v1/calls/${call.id}/consult`, { uri: 'not a uri' })).status, 400);
  t.equal((await api(hf, `/v1/calls/${call.id}/transfer`, {})).status, 400);
  t.equal((await api(hf, `/v1/calls/${call.id}/consult/complete`)).status, 409);
  t.equal((await api(hf, `/v1/calls/${call.id}/consult/cancel`)).status, 409);
  t.equal(call.phase, 'talking', 'nothing changed');
  t.equal(await customer.hangUp(), 200);
  await hf.settled();
});
