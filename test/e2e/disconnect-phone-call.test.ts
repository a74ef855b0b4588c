// The "Ongoing phone call" column of the disconnect policy, one test per row, end to end:
// real SIP through the embedded server, real rtpengine, audio checked where it is heard.
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import t from 'tap';
import { joinSamples, locate, rms, toneShare } from '../helpers/audio-compare';
import { readWav } from '../helpers/audio-wav';
import { sleep, startTestGateway, waitFor, type TestGateway } from './fixtures/gateway-harness';
import { Agent, Customer, CUSTOMER_TONE, hearsTone, listen } from './fixtures/parties';

const ALICE_TONE = 1000;
const BOB_TONE = 1600;
const PROMPTS = path.join(__dirname, '../../prompts');

function onlyCall(hf: TestGateway) {
  const calls = [...hf.gw.calls.values()];
  if (calls.length !== 1) throw new Error(`expected one call, found ${calls.length}`);
  return calls[0];
}

async function connected(hf: TestGateway, agentId: string) {
  await waitFor(
    () =>
      hf.gw.calls.size === 1 &&
      onlyCall(hf).state === 'connected' &&
      onlyCall(hf).agentId === agentId,
    `call connected to ${agentId}`,
  );
  return onlyCall(hf);
}

t.test(
  'disconnected: the call stays assigned; the customer hears the disconnected prompt, then music',
  async (t) => {
    const hf = await startTestGateway(t, [{ id: 'alice', password: 'pw-alice' }], {
      policy: { reconnectWindowMs: 20_000, presenceTimeoutMs: 40_000 },
    });
    const alice = await Agent.open(t, hf, 'alice', { tone: ALICE_TONE, password: 'pw-alice' });
    const customer = await Customer.call(t, hf);
    const call = await connected(hf, 'alice');
    t.ok((await hearsTone(customer.ep, ALICE_TONE)) > 0.8, 'customer hears alice before the drop');

    // The desktop drops: alice's media stops (her SIP stays up).
    customer.ep.clear();
    const dropAt = performance.now();
    alice.ep.pause();
    await waitFor(() => call.state === 'agentGone', 'disconnect detected', 5000);
    t.equal(call.snapshot().gone, 'media-loss', 'the evidence is recorded');
    t.equal(call.agentId, 'alice', 'the call stays assigned to alice');
    t.equal(hf.gw.agents.get('alice')!.status, 'disconnected');
    const prompt = readWav(path.join(PROMPTS, 'agent-disconnected.wav')).samples;
    const music = readWav(path.join(PROMPTS, 'wait-music.wav')).samples;
    await sleep(prompt.length / 8 + 2500);
    const packets = customer.ep.packets().filter((p) => p.arrivalMs > dropAt);
    const heard = joinSamples(packets);
    const p = locate(heard, prompt, 5000);
    t.ok(
      p.score > 0.8,
      `the customer hears the disconnected prompt (correlation ${p.score.toFixed(3)})`,
    );
    const after = heard.subarray(Math.max(0, p.offset + prompt.length));
    const m = locate(after, music, 1000);
    t.ok(m.score > 0.8, `then the wait music (correlation ${m.score.toFixed(3)})`);
    t.ok(toneShare(heard, ALICE_TONE) < 0.05, 'and nothing of alice');
    t.equal(call.state, 'agentGone', 'still assigned, not rerouted');

    t.equal(await customer.hangUp(), 200);
    const back = await hf.api(
      'POST',
      '/v1/agents/alice/desktop',
      { state: 'connected' },
      'alice-token',
    );
    t.equal(back.status, 202);
    await hf.settled();
  },
);

t.test(
  'back within the window: the same agent is reattached, mute unchanged, then two-way audio',
  async (t) => {
    const hf = await startTestGateway(t, [{ id: 'alice', password: 'pw-alice' }], {
      policy: { reconnectWindowMs: 5000, presenceTimeoutMs: 10_000 },
    });
    const alice = await Agent.open(t, hf, 'alice', { tone: ALICE_TONE, password: 'pw-alice' });
    const customer = await Customer.call(t, hf);
    const call = await connected(hf, 'alice');
    const mute = await hf.api('POST', `/v1/calls/${call.id}/mute`, { muted: true }, 'alice-token');
    t.equal(mute.status, 200);
    t.ok(
      (await hearsTone(customer.ep, ALICE_TONE)) < 0.1,
      'muted: the customer does not hear alice',
    );
    t.ok((await hearsTone(alice.ep, CUSTOMER_TONE)) > 0.8, 'muted: alice still hears the customer');

    alice.ep.pause();
    await waitFor(() => call.state === 'agentGone', 'disconnect detected', 5000);
    await sleep(500);
    // Desktop back: new media objects, a re-INVITE on the same dialog (new address, as new ICE).
    const dialogBefore = alice.current;
    await alice.reconnectMedia(t);
    await waitFor(() => call.state === 'connected', 'reattached', 5000);
    t.equal(call.agentId, 'alice', 'the same agent');
    t.equal(alice.current, dialogBefore, 'on the same dialog');
    t.equal(hf.gw.agents.get('alice')!.status, 'busy');
    t.equal(call.snapshot().muted, true, 'mute is unchanged');
    t.ok(
      (await hearsTone(alice.ep, CUSTOMER_TONE)) > 0.8,
      'alice hears the customer on her new media',
    );
    const whileMuted = await listen(customer.ep);
    t.ok(
      toneShare(whileMuted, ALICE_TONE) < 0.1 && rms(whileMuted) < 500,
      'still muted: no alice, and no more prompt or music',
    );

    t.equal(
      (await hf.api('POST', `/v1/calls/${call.id}/mute`, { muted: false }, 'alice-token')).status,
      200,
    );
    t.ok((await hearsTone(customer.ep, ALICE_TONE)) > 0.8, 'unmuted: the customer hears alice');
    t.ok((await hearsTone(alice.ep, CUSTOMER_TONE)) > 0.8, 'two-way audio');
    t.equal(hf.gw.coordinator.absenceOf('alice'), undefined, 'no absence left');

    t.equal(await customer.hangUp(), 200);
    await hf.settled();
  },
);

t.test(
  'past the window: rerouted to another agent with two-way audio; the first leg is released',
  async (t) => {
    const hf = await startTestGateway(
      t,
      [
        { id: 'alice', password: 'pw-alice' },
        { id: 'bob', password: 'pw-bob' },
      ],
      { policy: { reconnectWindowMs: 2000, presenceTimeoutMs: 20_000 } },
    );
    const alice = await Agent.open(t, hf, 'alice', { tone: ALICE_TONE, password: 'pw-alice' });
    const customer = await Customer.call(t, hf);
    const call = await connected(hf, 'alice');
    const aliceTag = call.agentTag!;
    const bob = await Agent.open(t, hf, 'bob', { tone: BOB_TONE, password: 'pw-bob' });
    await waitFor(() => hf.gw.agents.get('bob')!.status === 'available', 'bob available');

    const bobCall = bob.nextCall(15_000);
    alice.ep.pause();
    await waitFor(() => call.state === 'agentGone', 'disconnect detected', 5000);
    const aliceBye = alice.ua.waitForBye(alice.current!, 10_000);
    await bobCall;
    await waitFor(
      () => call.state === 'connected' && call.agentId === 'bob',
      'rerouted to bob',
      5000,
    );
    t.ok(await aliceBye, "alice's leg is released (BYE)");
    t.notOk(call.session.legTags.includes(aliceTag), "alice's media leg is gone from rtpengine");
    t.ok(call.priority > 0, 'the rerouted call was raised in priority');
    t.ok((await hearsTone(customer.ep, BOB_TONE)) > 0.8, 'the customer hears bob');
    t.ok((await hearsTone(bob.ep, CUSTOMER_TONE)) > 0.8, 'bob hears the customer');
    t.equal(
      hf.gw.agents.get('alice')!.status,
      'disconnected',
      'alice is still only disconnected (presence not over)',
    );

    t.equal(await customer.hangUp(), 200);
    await hf.api('POST', '/v1/agents/alice/desktop', { state: 'connected' });
    await hf.settled();
    t.equal(hf.gw.agents.get('alice')!.status, 'available');
  },
);

t.test(
  'past the presence timeout: the agent is offline, the call waits (music) and goes to the next agent',
  async (t) => {
    const hf = await startTestGateway(
      t,
      [
        { id: 'alice', password: 'pw-alice' },
        { id: 'bob', password: 'pw-bob' },
      ],
      { policy: { reconnectWindowMs: 1500, presenceTimeoutMs: 3000 } },
    );
    const alice = await Agent.open(t, hf, 'alice', { tone: ALICE_TONE, password: 'pw-alice' });
    const customer = await Customer.call(t, hf);
    const call = await connected(hf, 'alice');

    // This time the evidence is a BYE carrying a transport-failure Reason: not a hang-up.
    t.equal(
      await alice.ua.bye(alice.current!, [['Reason', 'Q.850;cause=41;text="transport failure"']]),
      200,
    );
    await waitFor(() => call.state === 'agentGone', 'disconnect detected', 3000);
    t.equal(call.snapshot().gone, 'bye-failure-reason');
    await waitFor(() => call.state === 'queued', 'rerouted (waiting for an agent)', 5000);
    await waitFor(
      () => hf.gw.agents.get('alice')!.status === 'offline',
      'alice offline past the presence timeout',
      5000,
    );
    t.equal(call.agentId, undefined, 'no longer assigned to alice');
    const waiting = await listen(customer.ep, 1000);
    t.ok(
      rms(waiting) > 300 && toneShare(waiting, ALICE_TONE) < 0.05,
      'the customer hears wait music meanwhile',
    );

    const bob = await Agent.open(t, hf, 'bob', { tone: BOB_TONE, password: 'pw-bob' });
    await bob.nextCall(10_000);
    await waitFor(
      () => call.state === 'connected' && call.agentId === 'bob',
      'bob has the call',
      5000,
    );
    t.ok((await hearsTone(customer.ep, BOB_TONE)) > 0.8, 'the customer hears bob');
    t.ok((await hearsTone(bob.ep, CUSTOMER_TONE)) > 0.8, 'bob hears the customer');

    t.equal(await customer.hangUp(), 200);
    await hf.settled();
    t.equal(hf.gw.agents.get('alice')!.status, 'offline');
  },
);
