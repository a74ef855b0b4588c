// The policy's "Active consult, primary agent disconnected" column, one test per row, end
// to end: real SIP over loopback sockets, real rtpengine, audio decoded from RTP. alice is
// the primary, bob the agent she consults, carol a third agent for the reroute.
import { performance } from 'node:perf_hooks';
import t from 'tap';
import { joinSamples, locate, toneShare } from '../helpers/audio-compare';
import { sleep, waitFor } from './fixtures/gateway-harness';
import { CUSTOMER_TONE, hearsTone, listen } from './fixtures/parties';
import {
  AGENT_GONE,
  cellsRunOn,
  consultAudio,
  consultInProgress,
  hearsOnlyMusic,
  inviteCounter,
  longestGapMs,
  musicScore,
  musicThroughout,
  nothingLeft,
  PRIMARY_GONE,
  recordOf,
  statusOf,
  TONE,
} from './fixtures/consult-cells';

const PROMPT_MS = PRIMARY_GONE.length / 8;

t.test(
  'disconnected: bob hears the primary-disconnected prompt then music; the customer keeps its hold music',
  async (t) => {
    const s = await consultInProgress(t, {
      policy: { reconnectWindowMs: 20_000, presenceTimeoutMs: 40_000 },
      records: true,
    });
    const { hf, call, bob, customer } = s;
    const alice = s.alice!;
    const cells = cellsRunOn(call);
    await consultAudio(t, s, 'before the drop');

    // alice's desktop drops: her media stops, her SIP stays up.
    const dropAt = performance.now();
    alice.ep.pause();
    await waitFor(() => call.state === 'agentGone', 'the drop detected', 5000);
    t.equal(call.snapshot().gone, 'media-loss', 'the evidence is media loss');
    t.equal(call.phase, 'consulting', 'the consult goes on');
    t.equal(call.agentId, 'alice', 'the call stays with alice');
    t.equal(statusOf(hf, 'alice'), 'disconnected');
    t.equal(statusOf(hf, 'bob'), 'busy', 'bob stays on the consult');

    await sleep(PROMPT_MS + 3000);
    const bobHeard = joinSamples(bob.ep.packets().filter((p) => p.arrivalMs > dropAt));
    const p = locate(bobHeard, PRIMARY_GONE, 6000);
    t.ok(p.score > 0.8, `bob hears the primary-disconnected prompt (${p.score.toFixed(3)})`);
    const after = bobHeard.subarray(Math.max(0, p.offset + PRIMARY_GONE.length));
    t.ok(musicScore(after) > 0.8, `then the wait music (${musicScore(after).toFixed(3)})`);
    t.ok(toneShare(bobHeard, CUSTOMER_TONE) < 0.05, 'and nothing of the customer');

    const customerHeard = joinSamples(customer.ep.packets().filter((x) => x.arrivalMs > dropAt));
    musicThroughout(t, customerHeard, 'the customer hears its hold music throughout');
    t.ok(longestGapMs(customer.ep, dropAt) < 300, 'without a break');
    t.ok(toneShare(customerHeard, TONE.bob) < 0.05, 'and nothing of bob');
    const toCustomer = locate(customerHeard, PRIMARY_GONE, 6000).score;
    t.ok(toCustomer < 0.5, `nor the prompt meant for bob (${toCustomer.toFixed(3)})`);
    const phonePrompt = locate(customerHeard, AGENT_GONE, 4000).score;
    t.ok(phonePrompt < 0.5, `nor the phone-call prompt (${phonePrompt.toFixed(3)})`);
    await hearsOnlyMusic(t, customer.ep, [TONE.bob], 'still, the customer');
    t.equal(call.state, 'agentGone', 'still waiting for alice, not rerouted');
    t.same(cells, ['disconnected/consultPrimary: tellSecondaryPrimaryGone'], 'the cell that ran');

    t.equal(await customer.hangUp(), 200);
    t.ok(await bob.ua.waitForBye(bob.current!), "bob's consult ends with the call");
    await nothingLeft(t, s, ['alice']); // her desktop back after the call
    t.equal(statusOf(hf, 'alice'), 'available');

    const record = await recordOf(s.inbox!, call.id);
    t.match(record.legs, [
      { agentId: 'alice', role: 'primary', endReason: 'customer-hangup' },
      { agentId: 'bob', role: 'consult', endReason: 'customer-hangup' },
    ]);
    t.equal(record.legs.length, 2, 'two legs');
    t.match(record.disconnects, [
      {
        agentId: 'alice',
        evidence: 'media-loss',
        outcome: 'customer-left',
        cells: ['disconnected/consultPrimary: tellSecondaryPrimaryGone'],
      },
    ]);
    t.ok(record.disconnects[0].promptAt, "the prompt's start is in the record");
  },
);

t.test(
  'back within the window: the consult resumes unchanged — alice and bob two-way, the customer held',
  async (t) => {
    const s = await consultInProgress(t, {
      policy: { reconnectWindowMs: 8000, presenceTimeoutMs: 16_000 },
      records: true,
    });
    const { hf, call, bob, customer } = s;
    const alice = s.alice!;
    const consultTag = call.consultLeg!.tag;
    const aliceDialog = alice.current;
    const cells = cellsRunOn(call);
    const bobInvites = inviteCounter(bob);

    // The page reports the drop (in-dialog INFO) as its media stops.
    alice.ep.pause();
    t.equal(await alice.ua.info(alice.current!, { desktop: 'disconnected' }), 200);
    await waitFor(() => call.state === 'agentGone', 'the drop detected', 5000);
    t.equal(call.snapshot().gone, 'explicit-signal');
    const promptFor = await listen(bob.ep, 1500);
    const started = locate(promptFor, PRIMARY_GONE, 6000).score;
    t.ok(started > 0.8, `bob hears the primary-disconnected prompt (${started.toFixed(3)})`);

    // Desktop back: new media objects re-offered on the same dialog.
    await alice.reconnectMedia(t);
    await waitFor(() => call.state === 'connected', 'alice reattached', 5000);
    t.equal(call.phase, 'consulting', 'still consulting');
    t.equal(call.agentId, 'alice');
    t.equal(alice.current, aliceDialog, 'alice on her same dialog');
    t.equal(call.consultLeg?.tag, consultTag, 'bob on his same leg');
    t.equal(statusOf(hf, 'alice'), 'busy');
    t.equal(hf.gw.coordinator.absenceOf('alice'), undefined, 'no absence left');
    await consultAudio(t, s, 'after the return');
    const bobNow = await listen(bob.ep, 1500);
    t.ok(locate(bobNow, PRIMARY_GONE, 6000).score < 0.5, 'bob no longer hears the prompt');
    t.ok(musicScore(bobNow) < 0.5, 'nor music');
    t.equal(bobInvites(), 0, 'bob was never re-INVITEd');
    t.same(cells, [
      'disconnected/consultPrimary: tellSecondaryPrimaryGone',
      'backWithinWindow/consultPrimary: reattachAgent',
    ]);

    // The consult works as before: completing it hands the customer to bob.
    const aliceBye = alice.ua.waitForBye(alice.current!);
    t.equal(
      (await hf.api('POST', `/v1/calls/${call.id}/consult/complete`, {}, 'alice-token')).status,
      200,
    );
    t.ok(await aliceBye, 'alice leaves on completion');
    t.ok((await hearsTone(customer.ep, TONE.bob)) > 0.8, 'the customer hears bob');
    t.ok((await hearsTone(bob.ep, CUSTOMER_TONE)) > 0.8, 'bob hears the customer');

    t.equal(await customer.hangUp(), 200);
    await nothingLeft(t, s);
    const record = await recordOf(s.inbox!, call.id);
    t.match(record.legs, [
      { agentId: 'alice', role: 'primary', endReason: 'consult-completed' },
      { agentId: 'bob', role: 'consult', endReason: 'customer-hangup' },
    ]);
    t.match(record.disconnects, [
      {
        agentId: 'alice',
        evidence: 'explicit-signal',
        returnEvidence: 're-invite',
        outcome: 'reattached',
        cells: [
          'disconnected/consultPrimary: tellSecondaryPrimaryGone',
          'backWithinWindow/consultPrimary: reattachAgent',
        ],
      },
    ]);
  },
);

t.test(
  'past the window: the consult ends (bob released), the call goes to carol; the customer held until then',
  async (t) => {
    const s = await consultInProgress(t, {
      policy: { reconnectWindowMs: 4000, presenceTimeoutMs: 30_000 },
      carol: true,
      records: true,
    });
    const { hf, call, bob, customer } = s;
    const alice = s.alice!;
    const carol = s.carol!;
    const tags = { alice: call.primary!.tag, bob: call.consultLeg!.tag };
    const cells = cellsRunOn(call);

    const bobBye = bob.ua.waitForBye(bob.current!, 15_000);
    const aliceBye = alice.ua.waitForBye(alice.current!, 15_000);
    // When carol's 200 goes out: the customer cannot hear her before that.
    const carolAnswers = carol.nextCall(20_000).then(() => performance.now());
    const dropAt = performance.now();
    alice.ep.pause();
    t.equal(
      (await hf.api('POST', '/v1/agents/alice/desktop', { state: 'disconnected' })).status,
      202,
    );
    await waitFor(() => call.state === 'agentGone', 'the drop detected', 5000);
    t.equal(call.snapshot().gone, 'explicit-signal');

    t.ok(await bobBye, 'bob is released past the window (BYE)');
    t.ok(await aliceBye, "alice's leg is released too");
    const bobHeard = joinSamples(bob.ep.packets().filter((p) => p.arrivalMs > dropAt));
    const p = locate(bobHeard, PRIMARY_GONE, 2500).score;
    t.ok(p > 0.8, `until then bob heard the primary-disconnected prompt (${p.toFixed(3)})`);
    const answeredAt = await carolAnswers;
    await waitFor(() => call.state === 'connected' && call.agentId === 'carol', 'with carol');
    t.equal(call.phase, 'talking');
    t.ok(call.priority > 0, 'the rerouted call was raised in priority');
    const legs = call.session.legTags;
    t.notOk(legs.includes(tags.alice) || legs.includes(tags.bob), 'their media legs are gone');

    const waited = customer.ep
      .packets()
      .filter((x) => x.arrivalMs > dropAt && x.arrivalMs < answeredAt);
    const heard = joinSamples(waited);
    musicThroughout(t, heard, 'the customer held with music until carol answered');
    t.ok(toneShare(heard, TONE.bob) < 0.05, 'and heard nothing of bob');
    t.ok(locate(heard, PRIMARY_GONE, 3000).score < 0.5, 'nor his prompt');
    t.ok((await hearsTone(customer.ep, TONE.carol)) > 0.8, 'the customer hears carol');
    const carolHears = await hearsTone(carol.ep, CUSTOMER_TONE);
    t.ok(carolHears > 0.8, `carol hears the customer (share ${carolHears.toFixed(2)})`);
    t.equal(statusOf(hf, 'bob'), 'available', 'bob is free again');
    t.equal(statusOf(hf, 'alice'), 'disconnected', 'alice only disconnected (presence not over)');
    t.same(cells, [
      'disconnected/consultPrimary: tellSecondaryPrimaryGone',
      'windowElapsed/consultPrimary: rerouteCall',
    ]);

    t.equal(await customer.hangUp(), 200);
    await nothingLeft(t, s, ['alice']);
    t.equal(statusOf(hf, 'alice'), 'available', 'alice available once back');
    const record = await recordOf(s.inbox!, call.id);
    t.match(record.legs, [
      { agentId: 'alice', role: 'primary', endReason: 'rerouted' },
      { agentId: 'bob', role: 'consult', endReason: 'rerouted' },
      { agentId: 'carol', role: 'primary', endReason: 'customer-hangup' },
    ]);
    t.equal(record.legs.length, 3, 'three legs');
    t.match(record.disconnects, [
      {
        agentId: 'alice',
        evidence: 'explicit-signal',
        outcome: 'rerouted',
        cells: [
          'disconnected/consultPrimary: tellSecondaryPrimaryGone',
          'windowElapsed/consultPrimary: rerouteCall',
        ],
      },
    ]);
  },
);

t.test(
  'past the presence timeout: nothing more happens to the rerouted call; alice goes offline',
  async (t) => {
    const s = await consultInProgress(t, {
      policy: { reconnectWindowMs: 1500, presenceTimeoutMs: 5000 },
      carol: true,
      records: true,
    });
    const { hf, call, bob, customer } = s;
    const alice = s.alice!;
    const carol = s.carol!;
    const cells = cellsRunOn(call);

    const carolAnswers = carol.nextCall(15_000);
    const bobBye = bob.ua.waitForBye(bob.current!, 15_000);
    // This time the evidence is a BYE carrying a transport-failure Reason: not a hang-up.
    t.equal(
      await alice.ua.bye(alice.current!, [['Reason', 'Q.850;cause=41;text="transport failure"']]),
      200,
    );
    await waitFor(() => call.state === 'agentGone', 'the drop detected', 5000);
    t.equal(call.snapshot().gone, 'bye-failure-reason');
    t.ok(await bobBye, 'bob released at the window');
    await carolAnswers;
    await waitFor(() => call.state === 'connected' && call.agentId === 'carol', 'with carol');
    const legsAtReroute = call.snapshot().legs;
    const invites = [inviteCounter(alice), inviteCounter(bob), inviteCounter(carol)];

    await waitFor(() => statusOf(hf, 'alice') === 'offline', 'alice offline', 10_000);
    await sleep(1500);
    t.equal(call.state, 'connected', 'the call carries on');
    t.equal(call.agentId, 'carol', 'with carol');
    t.equal(call.phase, 'talking');
    t.same(call.snapshot().legs, legsAtReroute, 'the same legs');
    t.same(
      invites.map((n) => n()),
      [0, 0, 0],
      'no INVITE to anyone past the reroute',
    );
    t.ok((await hearsTone(customer.ep, TONE.carol)) > 0.8, 'the customer hears carol');
    const carolHears = await hearsTone(carol.ep, CUSTOMER_TONE);
    t.ok(carolHears > 0.8, `carol hears the customer (share ${carolHears.toFixed(2)})`);
    t.same(
      cells,
      [
        'disconnected/consultPrimary: tellSecondaryPrimaryGone',
        'windowElapsed/consultPrimary: rerouteCall',
      ],
      'no cell of the presence row ran on the call',
    );

    t.equal(await customer.hangUp(), 200);
    await nothingLeft(t, s);
    t.equal(statusOf(hf, 'alice'), 'offline', 'alice stays offline');
    const record = await recordOf(s.inbox!, call.id);
    t.match(record.legs, [
      { agentId: 'alice', role: 'primary', endReason: 'rerouted' },
      { agentId: 'bob', role: 'consult', endReason: 'rerouted' },
      { agentId: 'carol', role: 'primary', endReason: 'customer-hangup' },
    ]);
    t.match(record.disconnects, [
      {
        agentId: 'alice',
        evidence: 'bye-failure-reason',
        outcome: 'rerouted',
        cells: [
          'disconnected/consultPrimary: tellSecondaryPrimaryGone',
          'windowElapsed/consultPrimary: rerouteCall',
        ],
      },
    ]);
  },
);
