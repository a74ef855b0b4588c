// The policy's "Active consult, secondary agent disconnected" column, one test per row, end
// to end: real SIP over loopback sockets, real rtpengine, audio decoded from RTP. alice is
// the primary, bob the agent she consults and who drops. Past the first row bob's part in
// the call is over: his return must change nothing for the call, only his own status.
import type { Test } from 'tap';
import t from 'tap';
import { toneShare } from '../helpers/audio-compare';
import { TestUa } from './fixtures/test-ua';
import { sleep, waitFor, type TestGateway } from './fixtures/gateway-harness';
import { CUSTOMER_TONE, listen, type Agent } from './fixtures/parties';
import {
  cellsRunOn,
  consultAudio,
  consultInProgress,
  hearsOnlyMusic,
  inviteCounter,
  nothingLeft,
  recordOf,
  statusOf,
  TONE,
  type ConsultScene,
} from './fixtures/consult-cells';

const RELEASED = ['disconnected/consultSecondary: releaseSecondary'];

/** bob's leg ended and his engagement closed; alice holds the customer, who hears music. */
async function consultEndedForBob(t: Test, s: ConsultScene, evidence: string): Promise<void> {
  const { hf, call, customer } = s;
  await waitFor(
    () => hf.gw.engagements.of('bob').length === 0 && call.phase === 'talking',
    "bob's consult over",
    8000,
  );
  t.equal(call.consultLeg, undefined, "bob's consult leg ended");
  t.equal(hf.gw.engagements.of('bob').length, 0, "bob's engagement is closed");
  t.equal(statusOf(hf, 'bob'), 'disconnected', 'bob is disconnected');
  t.equal(hf.gw.coordinator.absenceOf('bob')?.evidence, evidence, `the evidence is ${evidence}`);
  t.equal(call.phase, 'talking', 'alice and the customer carry on');
  t.equal(call.agentId, 'alice');
  t.equal(call.state, 'connected');
  t.equal(call.held, true, 'the customer on hold');
  t.same(
    call.snapshot().legs.map((l) => l.role),
    ['customer', 'primary'],
    'only the customer and alice are left',
  );
  t.equal(statusOf(hf, 'alice'), 'busy');
  await hearsOnlyMusic(t, customer.ep, [TONE.alice, TONE.bob], 'the customer on hold');
  const aliceHears = toneShare(await listen(s.alice!.ep), CUSTOMER_TONE);
  t.ok(aliceHears < 0.05, `alice does not hear the held customer (share ${aliceHears.toFixed(3)})`);
}

/** alice takes the customer off hold (API): two-way audio. */
async function aliceResumes(t: Test, s: ConsultScene): Promise<void> {
  const { hf, call } = s;
  const r = await hf.api('POST', `/v1/calls/${call.id}/hold`, { held: false }, 'alice-token');
  t.equal(r.status, 200, 'alice resumes the customer');
  t.equal(call.held, false);
  await twoWay(t, s, 'alice resumed');
}

async function twoWay(t: Test, s: ConsultScene, when: string): Promise<void> {
  const customerHears = await listen(s.customer.ep);
  const aliceHears = toneShare(await listen(s.alice!.ep), CUSTOMER_TONE);
  const share = toneShare(customerHears, TONE.alice);
  t.ok(share > 0.8, `${when}: the customer hears alice (share ${share.toFixed(2)})`);
  t.ok(toneShare(customerHears, TONE.bob) < 0.05, `${when}: and nothing of bob`);
  t.ok(aliceHears > 0.8, `${when}: alice hears the customer (share ${aliceHears.toFixed(2)})`);
}

/**
 * bob registers again from a new transport (his desktop's page reloaded). Returns a count
 * of the INVITEs to him from then on, on his old UA and his new one.
 */
async function bobRegistersAgain(t: Test, hf: TestGateway, bob: Agent): Promise<() => number> {
  const ua = await TestUa.open('udp', hf.sip.udp, 'bob');
  t.teardown(() => ua.close());
  const old = inviteCounter(bob);
  let n = 0;
  ua.on('invite', () => n++);
  t.equal(await ua.register('pw-bob'), 200, 'bob registers again');
  return () => old() + n;
}

t.test(
  'disconnected: bob is released (BYE); the customer stays on hold until alice resumes it',
  async (t) => {
    const s = await consultInProgress(t, {
      policy: { reconnectWindowMs: 20_000, presenceTimeoutMs: 40_000 },
      records: true,
    });
    const { hf, call, bob, customer } = s;
    const cells = cellsRunOn(call);
    await consultAudio(t, s, 'before the drop');

    const bobBye = bob.ua.waitForBye(bob.current!, 8000);
    bob.ep.pause();
    t.ok(await bobBye, "bob's leg ends with the gateway's BYE");
    await consultEndedForBob(t, s, 'media-loss');
    await sleep(1500);
    await hearsOnlyMusic(t, customer.ep, [TONE.alice], 'still, the customer');
    await aliceResumes(t, s);
    t.same(cells, RELEASED, 'the one cell that ran on the call');

    t.equal(await customer.hangUp(), 200);
    await nothingLeft(t, s, ['bob']);
    t.equal(statusOf(hf, 'bob'), 'available');
    const record = await recordOf(s.inbox!, call.id);
    t.match(record.legs, [
      { agentId: 'alice', role: 'primary', endReason: 'customer-hangup' },
      { agentId: 'bob', role: 'consult', endReason: 'secondary-disconnected' },
    ]);
    t.equal(record.legs.length, 2, 'two legs');
    t.match(
      record.disconnects,
      [{ agentId: 'bob', evidence: 'media-loss', outcome: 'released', cells: RELEASED }],
      "bob's drop as a disconnect episode, with its cell",
    );
    t.equal(record.disconnects.length, 1, 'one episode');
  },
);

t.test(
  "back within the window: bob's return changes nothing for the call; bob is available",
  async (t) => {
    const s = await consultInProgress(t, {
      policy: { reconnectWindowMs: 6000, presenceTimeoutMs: 12_000 },
    });
    const { hf, call, bob, customer } = s;
    const cells = cellsRunOn(call);

    const bobBye = bob.ua.waitForBye(bob.current!, 8000);
    // The page reports the drop (in-dialog INFO); his media stops.
    t.equal(await bob.ua.info(bob.current!, { desktop: 'disconnected' }), 200);
    bob.ep.pause();
    t.ok(await bobBye, "bob's leg ends with the gateway's BYE");
    await consultEndedForBob(t, s, 'explicit-signal');
    const legs = call.snapshot().legs;

    const invites = await bobRegistersAgain(t, hf, bob);
    await waitFor(() => statusOf(hf, 'bob') === 'available', 'bob available', 5000);
    t.equal(hf.gw.coordinator.absenceOf('bob'), undefined, "bob's absence is over");
    await sleep(1500);
    t.equal(invites(), 0, 'no INVITE to bob');
    t.same(call.snapshot().legs, legs, 'the call has the same legs');
    t.equal(call.held, true, 'the customer still on hold');
    await hearsOnlyMusic(t, customer.ep, [TONE.alice, TONE.bob], 'the customer');
    await aliceResumes(t, s);
    t.same(cells, RELEASED, 'no cell ran on the call for his return');

    t.equal(await customer.hangUp(), 200);
    await nothingLeft(t, s);
  },
);

t.test(
  "past the window: bob's return changes nothing for the call; bob is available",
  async (t) => {
    const s = await consultInProgress(t, {
      policy: { reconnectWindowMs: 2000, presenceTimeoutMs: 20_000 },
    });
    const { hf, call, bob, customer } = s;
    const cells = cellsRunOn(call);
    const invites = inviteCounter(bob);

    // This time bob's BYE carries a transport-failure Reason: a drop, not a hang-up.
    t.equal(
      await bob.ua.bye(bob.current!, [['Reason', 'Q.850;cause=41;text="transport failure"']]),
      200,
    );
    await consultEndedForBob(t, s, 'bye-failure-reason');
    await aliceResumes(t, s);
    const legs = call.snapshot().legs;

    await waitFor(
      () => hf.gw.coordinator.absenceOf('bob')?.situation === 'windowElapsed',
      'the window elapsed for bob',
      8000,
    );
    t.equal(statusOf(hf, 'bob'), 'disconnected', 'bob still disconnected');
    t.equal((await hf.api('POST', '/v1/agents/bob/desktop', { state: 'connected' })).status, 202);
    t.equal(statusOf(hf, 'bob'), 'available', 'bob is available on his return');
    await sleep(1500);
    t.equal(invites(), 0, 'no INVITE to bob');
    t.same(call.snapshot().legs, legs, 'the call has the same legs');
    t.equal(call.held, false, 'alice and the customer still talking');
    await twoWay(t, s, 'after his return');
    t.same(cells, RELEASED, 'no cell ran on the call past the first');

    t.equal(await customer.hangUp(), 200);
    await nothingLeft(t, s);
  },
);

t.test(
  'past the presence timeout: bob is offline, the call unchanged; back, he is available',
  async (t) => {
    const s = await consultInProgress(t, {
      policy: { reconnectWindowMs: 1000, presenceTimeoutMs: 2500 },
    });
    const { hf, call, bob, customer } = s;
    const cells = cellsRunOn(call);

    const bobBye = bob.ua.waitForBye(bob.current!, 8000);
    bob.ep.pause();
    t.equal(
      (await hf.api('POST', '/v1/agents/bob/desktop', { state: 'disconnected' })).status,
      202,
    );
    t.ok(await bobBye, "bob's leg ends with the gateway's BYE");
    await consultEndedForBob(t, s, 'explicit-signal');
    const legs = call.snapshot().legs;

    await waitFor(() => statusOf(hf, 'bob') === 'offline', 'bob offline', 8000);
    t.equal(hf.gw.coordinator.absenceOf('bob')?.situation, 'presenceElapsed');
    t.same(call.snapshot().legs, legs, 'the call has the same legs');
    t.equal(call.held, true, 'the customer still on hold');
    await hearsOnlyMusic(t, customer.ep, [TONE.alice, TONE.bob], 'the customer');
    await aliceResumes(t, s);

    const invites = await bobRegistersAgain(t, hf, bob);
    await waitFor(() => statusOf(hf, 'bob') === 'available', 'bob available on his return', 5000);
    await sleep(1500);
    t.equal(invites(), 0, 'no INVITE to bob');
    t.same(call.snapshot().legs, legs, 'the call has the same legs');
    await twoWay(t, s, 'after his return');
    t.same(cells, RELEASED, 'no cell ran on the call past the first');

    t.equal(await customer.hangUp(), 200);
    await nothingLeft(t, s);
  },
);
