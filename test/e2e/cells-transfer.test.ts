// The "Transfer" column of the disconnect policy, end to end: the agent (alice) started a blind
// transfer of its customer to bob and its desktop drops while bob's phone rings. One test per
// row (and one for the target answering), real SIP through the embedded server, real
// rtpengine, what each party hears decoded from its RTP. Bob rings until the test makes him
// answer or reject, so when the transfer fails is the test's choice.
import { performance } from 'node:perf_hooks';
import t, { type Test } from 'tap';
import { rms, toneShare } from '../helpers/audio-compare';
import { sleep, waitFor } from './fixtures/gateway-harness';
import { Agent, CUSTOMER_TONE, hearsTone, listen } from './fixtures/parties';
import {
  answer,
  callApi,
  desktop,
  heardSince,
  nothingLeft,
  ringOnly,
  scene,
  scoreOf,
  SOUNDS,
  TONES,
  webhookRecords,
  type Scene,
} from './fixtures/handover-scenes';

/** Alice asks for a blind transfer to bob, whose phone rings (and goes on ringing). */
async function transferRinging(t: Test, s: Scene) {
  const bob = s.agents.bob;
  const ringing = ringOnly(bob);
  const r = await callApi(s.hf, s.call, 'transfer', { agentId: 'bob' });
  t.equal(r.status, 202, 'the transfer is accepted');
  const inv = await ringing;
  await waitFor(() => s.call.phase === 'transferring', 'transferring');
  t.equal(s.hf.gw.agents.get('bob')!.status, 'ringing', 'bob rings');
  return inv;
}

const absence = (s: Scene, id = 'alice') => s.hf.gw.coordinator.absenceOf(id)?.situation;

t.test(
  'disconnected: the transfer goes on; the customer keeps its music, no prompt, nothing of alice',
  async (t) => {
    const s = await scene(t, {
      agents: ['alice', 'bob'],
      overrides: {
        policy: { reconnectWindowMs: 20_000, presenceTimeoutMs: 40_000 },
        queue: { ringTimeoutMs: 30_000 },
      },
    });
    const { hf, call, customer } = s;
    const alice = s.agents.alice;
    await transferRinging(t, s);

    // The desktop drops: alice's media stops, her SIP stays.
    const dropAt = performance.now();
    alice.ep.pause();
    await waitFor(() => call.state === 'agentGone', 'the drop is detected', 6000);
    t.equal(call.snapshot().gone, 'media-loss', 'the evidence is media loss');
    t.equal(hf.gw.agents.get('alice')!.status, 'disconnected', 'alice is disconnected');
    t.equal(absence(s), 'disconnected');
    await sleep(3500);
    t.equal(call.phase, 'transferring', 'the transfer goes on');
    t.ok(call.transferLeg && !call.transferLeg.released, "bob's INVITE is still ringing");
    t.equal(hf.gw.agents.get('bob')!.status, 'ringing');
    const heard = heardSince(customer.ep, dropAt);
    const music = scoreOf(customer.ep, dropAt, SOUNDS.music);
    const prompt = scoreOf(customer.ep, dropAt, SOUNDS.agentDisconnected);
    t.ok(music > 0.8, `the customer hears the wait music (correlation ${music.toFixed(3)})`);
    t.ok(prompt < 0.5, `not the disconnected prompt (correlation ${prompt.toFixed(3)})`);
    t.ok(toneShare(heard, TONES.alice) < 0.05, 'and nothing of alice');

    // The customer gives up: bob's ringing is cancelled, alice's leg released.
    const aliceBye = alice.ua.waitForBye(alice.current!);
    t.equal(await customer.hangUp(), 200);
    t.ok(await aliceBye, "alice's leg is released");
    await waitFor(() => hf.gw.agents.get('bob')!.status === 'available', 'bob available again');
    t.equal((await desktop(hf, 'alice', 'connected')).status, 202);
    await nothingLeft(hf);
    t.equal(hf.gw.agents.get('alice')!.status, 'available');
  },
);

t.test(
  "the target answers while the agent is gone: customer and bob talk both ways; alice's leg is released",
  async (t) => {
    const s = await scene(t, {
      agents: ['alice', 'bob'],
      webhook: true,
      overrides: {
        policy: { reconnectWindowMs: 20_000, presenceTimeoutMs: 40_000 },
        queue: { ringTimeoutMs: 30_000 },
      },
    });
    const { hf, call, customer } = s;
    const { alice, bob } = s.agents;
    const inv = await transferRinging(t, s);

    // This time the page says so in-dialog.
    t.equal(await alice.ua.info(alice.current!, { desktop: 'disconnected' }), 200);
    await waitFor(() => call.state === 'agentGone', 'the drop is noted', 5000);
    t.equal(call.snapshot().gone, 'explicit-signal');
    await sleep(500);
    t.equal(call.phase, 'transferring', 'still transferring');

    const aliceTag = call.agentTag!;
    const aliceBye = alice.ua.waitForBye(alice.current!);
    await answer(bob, inv);
    await waitFor(
      () => call.state === 'connected' && call.agentId === 'bob' && call.phase === 'talking',
      'the customer is with bob',
    );
    t.ok(await aliceBye, "alice's leg is released (BYE)");
    t.notOk(call.session.legTags.includes(aliceTag), "alice's media is gone from rtpengine");
    t.ok((await hearsTone(customer.ep, TONES.bob)) > 0.8, 'the customer hears bob');
    t.ok((await hearsTone(bob.ep, CUSTOMER_TONE)) > 0.8, 'bob hears the customer');
    const heard = await listen(customer.ep);
    t.ok(toneShare(heard, TONES.alice) < 0.05, 'nothing of alice');
    t.equal(hf.gw.engagements.of('alice').length, 0, 'alice is on no call any more');
    t.equal(hf.gw.agents.get('bob')!.status, 'busy');
    t.equal(hf.gw.agents.get('alice')!.status, 'disconnected', 'alice is still away');
    t.equal(call.snapshot().gone, undefined, "the call no longer shows alice's absence");

    t.equal(await customer.hangUp(), 200);
    t.equal((await desktop(hf, 'alice', 'connected')).status, 202);
    await nothingLeft(hf);
    t.equal(hf.gw.agents.get('alice')!.status, 'available', 'alice, back, takes calls again');
    await waitFor(() => webhookRecords(s.hook!).length === 1, 'the call record');
    const [episode] = webhookRecords(s.hook!)[0].disconnects as { cells: string[] }[];
    t.same(
      episode.cells,
      ['disconnected/transfer: continueTransfer'],
      "only the transfer cell ran: alice's part ended with the transfer, no phone-call cell",
    );
  },
);

t.test(
  'regression: the agent who got the call by transfer drops → its phone-call column runs (prompt, then back)',
  async (t) => {
    const s = await scene(t, {
      agents: ['alice', 'bob'],
      overrides: { policy: { reconnectWindowMs: 20_000, presenceTimeoutMs: 40_000 } },
    });
    const { hf, call, customer } = s;
    const bob = s.agents.bob;
    const inv = await transferRinging(t, s);
    await answer(bob, inv);
    await waitFor(() => call.agentId === 'bob' && call.state === 'connected', 'with bob');
    await waitFor(() => hf.gw.engagements.of('alice').length === 0, 'alice released');

    const dropAt = performance.now();
    t.equal((await desktop(hf, 'bob', 'disconnected')).status, 202);
    await waitFor(() => call.state === 'agentGone', "bob's drop is noted", 5000);
    t.equal(call.agentId, 'bob', 'the call stays assigned to bob');
    await sleep(3000);
    const prompt = scoreOf(customer.ep, dropAt, SOUNDS.agentDisconnected);
    t.ok(prompt > 0.8, `the customer hears the disconnected prompt (${prompt.toFixed(3)})`);
    t.ok(toneShare(heardSince(customer.ep, dropAt), TONES.bob) < 0.05, 'nothing of bob');

    await bob.reconnectMedia(t);
    await waitFor(() => call.state === 'connected', 'bob is reattached');
    t.equal(hf.gw.agents.get('bob')!.status, 'busy', 'bob is busy on the call');
    t.ok((await hearsTone(customer.ep, TONES.bob)) > 0.8, 'the customer hears bob');
    t.ok((await hearsTone(bob.ep, CUSTOMER_TONE)) > 0.8, 'bob hears the customer');
    t.equal(await customer.hangUp(), 200);
    await nothingLeft(hf);
  },
);

t.test(
  'back within the window: the transfer fails (486) and the call returns to alice, still muted',
  async (t) => {
    const s = await scene(t, {
      agents: ['alice', 'bob'],
      overrides: {
        policy: { reconnectWindowMs: 20_000, presenceTimeoutMs: 40_000 },
        queue: { ringTimeoutMs: 30_000 },
      },
    });
    const { hf, call, customer } = s;
    const alice = s.agents.alice;
    t.equal((await callApi(hf, call, 'mute', { muted: true })).status, 200);
    t.ok((await hearsTone(customer.ep, TONES.alice)) < 0.1, 'muted: the customer hears no alice');
    const inv = await transferRinging(t, s);

    const dropAt = performance.now();
    t.equal((await desktop(hf, 'alice', 'disconnected')).status, 202);
    await waitFor(() => call.state === 'agentGone', 'the drop is noted');
    await sleep(500);

    // Bob is busy, now.
    const failAt = performance.now();
    inv.reject(486);
    await waitFor(
      () => call.phase === 'talking' && call.transferLeg === undefined,
      'the transfer failed',
    );
    t.equal(call.state, 'agentGone', 'the call is alice’s again, alice still away');
    t.equal(call.agentId, 'alice');
    await waitFor(() => hf.gw.agents.get('bob')!.status === 'available', 'bob available');
    // A phone call again in the disconnected row: the customer is told alice will be back.
    await sleep(3000);
    const prompt = scoreOf(customer.ep, failAt, SOUNDS.agentDisconnected);
    t.ok(prompt > 0.8, `the customer hears the disconnected prompt (${prompt.toFixed(3)})`);
    t.ok(toneShare(heardSince(customer.ep, failAt), TONES.bob) < 0.05, 'nothing of bob');

    // The desktop is back: new media objects, re-offered on the same dialog.
    const dialog = alice.current;
    await alice.reconnectMedia(t);
    await waitFor(() => call.state === 'connected', 'alice reattached', 5000);
    t.ok(performance.now() - dropAt < 20_000, 'within the window');
    t.equal(hf.gw.coordinator.absenceOf('alice'), undefined, 'the absence is over');
    t.equal(alice.current, dialog, 'on the same dialog');
    t.equal(call.agentId, 'alice');
    t.equal(hf.gw.agents.get('alice')!.status, 'busy');
    t.equal(call.snapshot().muted, true, 'mute as before');
    t.ok((await hearsTone(alice.ep, CUSTOMER_TONE)) > 0.8, 'alice hears the customer');
    const muted = await listen(customer.ep);
    t.ok(
      toneShare(muted, TONES.alice) < 0.1 && rms(muted) < 500,
      'still muted: the customer hears neither alice nor prompt or music',
    );
    t.equal((await callApi(hf, call, 'mute', { muted: false })).status, 200);
    t.ok((await hearsTone(customer.ep, TONES.alice)) > 0.8, 'unmuted: the customer hears alice');
    t.ok((await hearsTone(alice.ep, CUSTOMER_TONE)) > 0.8, 'both ways');

    t.equal(await customer.hangUp(), 200);
    await nothingLeft(hf);
  },
);

t.test(
  'back within the window while the target still rings, then it fails: back to alice, still on hold',
  async (t) => {
    const s = await scene(t, {
      agents: ['alice', 'bob'],
      overrides: {
        policy: { reconnectWindowMs: 20_000, presenceTimeoutMs: 40_000 },
        queue: { ringTimeoutMs: 30_000 },
      },
    });
    const { hf, call, customer } = s;
    const alice = s.agents.alice;
    t.equal((await callApi(hf, call, 'hold', { held: true })).status, 200);
    const inv = await transferRinging(t, s);

    t.equal((await desktop(hf, 'alice', 'disconnected')).status, 202);
    await waitFor(() => call.state === 'agentGone', 'the drop is noted');
    await sleep(500);
    t.equal((await desktop(hf, 'alice', 'connected')).status, 202);
    await waitFor(() => call.state === 'connected', 'alice is back on her leg');
    t.equal(call.phase, 'transferring', 'her transfer still rings');
    t.equal(hf.gw.coordinator.absenceOf('alice'), undefined, 'the absence is over');

    const failAt = performance.now();
    inv.reject(486);
    await waitFor(
      () => call.phase === 'talking' && call.transferLeg === undefined,
      'the transfer failed',
    );
    t.equal(call.agentId, 'alice', 'the call returns to alice');
    t.equal(call.snapshot().held, true, 'hold as before');
    await sleep(2500);
    const music = scoreOf(customer.ep, failAt, SOUNDS.music);
    t.ok(music > 0.8, `held: the customer hears the music (${music.toFixed(3)})`);
    const prompt = scoreOf(customer.ep, failAt, SOUNDS.agentDisconnected);
    t.ok(prompt < 0.5, `no disconnected prompt (${prompt.toFixed(3)})`);
    const aliceHears = await listen(alice.ep);
    t.ok(toneShare(aliceHears, CUSTOMER_TONE) < 0.05, 'held: alice does not hear the customer');

    t.equal((await callApi(hf, call, 'hold', { held: false })).status, 200);
    t.ok((await hearsTone(customer.ep, TONES.alice)) > 0.8, 'resumed: the customer hears alice');
    t.ok((await hearsTone(alice.ep, CUSTOMER_TONE)) > 0.8, 'alice hears the customer');

    t.equal(await customer.hangUp(), 200);
    await nothingLeft(hf);
  },
);

t.test(
  'window elapsed: the transfer rings on past the window, then fails; alice not back → rerouted to carol',
  async (t) => {
    const s = await scene(t, {
      agents: ['alice', 'bob', 'carol'],
      overrides: {
        policy: { reconnectWindowMs: 2000, presenceTimeoutMs: 30_000 },
        queue: { ringTimeoutMs: 30_000 },
      },
    });
    const { hf, call, customer } = s;
    const { alice, carol } = s.agents;
    const inv = await transferRinging(t, s);

    alice.ep.pause();
    await waitFor(() => call.state === 'agentGone', 'the drop is detected', 6000);
    await waitFor(() => absence(s) === 'windowElapsed', 'the window elapses', 6000);
    await sleep(500);
    t.equal(call.phase, 'transferring', 'past the window the transfer still rings');
    t.equal(call.agentId, 'alice', 'and the call is still alice’s');

    const carolCall = carol.nextCall(15_000);
    const aliceBye = alice.ua.waitForBye(alice.current!);
    inv.reject(486);
    await carolCall;
    await waitFor(
      () => call.state === 'connected' && call.agentId === 'carol',
      'rerouted to carol',
      8000,
    );
    const bye = await aliceBye;
    t.match(bye.get('reason') ?? '', /rerouted/, "alice's leg is released with a Reason");
    t.ok(call.priority > 0, 'the rerouted call was raised in priority');
    t.ok((await hearsTone(customer.ep, TONES.carol)) > 0.8, 'the customer hears carol');
    t.ok((await hearsTone(carol.ep, CUSTOMER_TONE)) > 0.8, 'carol hears the customer');
    t.equal(hf.gw.agents.get('alice')!.status, 'disconnected', 'alice only disconnected');

    t.equal(await customer.hangUp(), 200);
    t.equal((await desktop(hf, 'alice', 'connected')).status, 202);
    await nothingLeft(hf);
  },
);

t.test(
  'presence elapsed: the transfer still rings → cancelled and rerouted to carol; alice offline',
  async (t) => {
    const s = await scene(t, {
      agents: ['alice', 'bob', 'carol'],
      overrides: {
        policy: { reconnectWindowMs: 1500, presenceTimeoutMs: 3500 },
        queue: { ringTimeoutMs: 30_000 },
      },
    });
    const { hf, call, customer } = s;
    const { alice, carol } = s.agents;
    await transferRinging(t, s);

    // This time a BYE whose Reason marks a transport failure: evidence, not a hang-up.
    const bye = await alice.ua.bye(alice.current!, [
      ['Reason', 'Q.850;cause=41;text="transport failure"'],
    ]);
    t.equal(bye, 200);
    await waitFor(() => call.state === 'agentGone', 'the drop is noted');
    t.equal(call.snapshot().gone, 'bye-failure-reason');
    await waitFor(() => absence(s) === 'windowElapsed', 'the window elapses', 5000);
    t.equal(call.phase, 'transferring', 'still transferring past the window');

    const carolCall = carol.nextCall(15_000);
    await waitFor(() => absence(s) === 'presenceElapsed', 'the presence timeout', 5000);
    t.equal(hf.gw.agents.get('alice')!.status, 'offline', 'alice is offline');
    await carolCall;
    await waitFor(
      () => call.state === 'connected' && call.agentId === 'carol',
      'rerouted to carol',
      8000,
    );
    t.equal(call.transferLeg, undefined, "bob's ringing was cancelled");
    await waitFor(() => hf.gw.agents.get('bob')!.status === 'available', 'bob available again');
    t.ok((await hearsTone(customer.ep, TONES.carol)) > 0.8, 'the customer hears carol');
    t.ok((await hearsTone(carol.ep, CUSTOMER_TONE)) > 0.8, 'carol hears the customer');

    t.equal(await customer.hangUp(), 200);
    // Alice comes back long after: available, nothing of the call.
    t.equal((await desktop(hf, 'alice', 'connected')).status, 202);
    await nothingLeft(hf);
    t.equal(hf.gw.agents.get('alice')!.status, 'available');
  },
);

t.test(
  'back within the window on a new registration while the transfer rings; it fails → alice is INVITEd anew, still muted',
  async (t) => {
    const s = await scene(t, {
      agents: ['alice', 'bob'],
      overrides: {
        policy: { reconnectWindowMs: 20_000, presenceTimeoutMs: 40_000 },
        queue: { ringTimeoutMs: 30_000 },
      },
    });
    const { hf, call, customer } = s;
    const alice = s.agents.alice;
    t.equal((await callApi(hf, call, 'mute', { muted: true })).status, 200);
    const inv = await transferRinging(t, s);

    // Her desktop goes with its SIP: a BYE with a failure Reason, her dialog is gone.
    const bye = [['Reason', 'Q.850;cause=41;text="transport failure"']] as [string, string][];
    t.equal(await alice.ua.bye(alice.current!, bye), 200);
    await waitFor(() => call.state === 'agentGone', 'the drop is noted');
    // Back on a new desktop: a new registration while bob still rings.
    const again = await Agent.open(t, hf, 'alice', { tone: TONES.alice, password: 'pw-alice' });
    await waitFor(() => hf.gw.coordinator.absenceOf('alice') === undefined, 'alice back');
    t.equal(call.phase, 'transferring', 'her transfer goes on');

    const resumed = again.nextCall();
    inv.reject(486);
    const { invite } = await resumed;
    t.equal(invite.get('x-holdfast-resume'), call.id, 'INVITEd as a resumption of the call');
    await waitFor(() => call.state === 'connected' && call.agentId === 'alice', 'alice is back');
    t.equal(call.snapshot().muted, true, 'mute as before');
    t.ok((await hearsTone(again.ep, CUSTOMER_TONE)) > 0.8, 'alice hears the customer');
    t.ok((await hearsTone(customer.ep, TONES.alice)) < 0.1, 'muted: the customer hears no alice');
    t.equal((await callApi(hf, call, 'mute', { muted: false })).status, 200);
    t.ok((await hearsTone(customer.ep, TONES.alice)) > 0.8, 'unmuted: the customer hears alice');

    t.equal(await customer.hangUp(), 200);
    await nothingLeft(hf);
  },
);

t.test(
  'regression: a transfer answered after its agent came back on a new registration leaves no resumption behind',
  async (t) => {
    const s = await scene(t, {
      agents: ['alice', 'bob', 'carol'],
      overrides: {
        policy: { reconnectWindowMs: 20_000, presenceTimeoutMs: 40_000 },
        queue: { ringTimeoutMs: 30_000 },
      },
    });
    const { hf, call, customer } = s;
    const { alice, bob, carol } = s.agents;
    const inv = await transferRinging(t, s);
    const bye = [['Reason', 'Q.850;cause=41;text="transport failure"']] as [string, string][];
    t.equal(await alice.ua.bye(alice.current!, bye), 200);
    await waitFor(() => call.state === 'agentGone', 'the drop is noted');
    const again = await Agent.open(t, hf, 'alice', { tone: TONES.alice, password: 'pw-alice' });
    await waitFor(() => hf.gw.coordinator.absenceOf('alice') === undefined, 'alice back');

    // Bob takes the call: alice's return has nothing left to do.
    await answer(bob, inv);
    await waitFor(() => call.agentId === 'bob' && call.state === 'connected', 'with bob');
    await waitFor(() => hf.gw.agents.get('alice')!.status === 'available', 'alice available');

    // Bob transfers to carol and drops while she rings; she is busy.
    const carolRings = ringOnly(carol);
    const r = await callApi(hf, call, 'transfer', { agentId: 'carol' }, 'bob-token');
    t.equal(r.status, 202);
    const carolInv = await carolRings;
    t.equal((await desktop(hf, 'bob', 'disconnected')).status, 202);
    await waitFor(() => call.state === 'agentGone', "bob's drop is noted");
    let aliceRung = false;
    again.autoAnswer = false;
    again.ua.once('invite', (i) => {
      aliceRung = true;
      i.reject(486);
    });
    carolInv.reject(486);
    await waitFor(() => call.phase === 'talking', 'the transfer failed');
    await sleep(1500);
    t.notOk(aliceRung, 'alice is not INVITEd for a return she made to another transfer');
    t.equal(call.agentId, 'bob', 'the call waits for bob');
    t.equal(call.state, 'agentGone');

    t.equal((await desktop(hf, 'bob', 'connected')).status, 202);
    await waitFor(() => call.state === 'connected', 'bob is back');
    t.ok((await hearsTone(customer.ep, TONES.bob)) > 0.8, 'the customer hears bob');
    t.equal(await customer.hangUp(), 200);
    await nothingLeft(hf);
    t.equal(alice.dialogs.length, 1, "alice's first UA had only the first call");
  },
);
