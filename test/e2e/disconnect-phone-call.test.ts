// The "Ongoing phone call" column of the disconnect policy, one test per row, end to end:
// real SIP through the embedded server, real rtpengine, audio checked where it is heard.
import t from 'tap';
import { sleep, waitFor } from './fixtures/gateway-harness';
import {
  doesNotHear,
  findsPrompt,
  heardSince,
  hears,
  hearsMusic,
  hearsSilence,
  lacksTone,
  promptMs,
} from './fixtures/hearing';
import { CUSTOMER_TONE } from './fixtures/parties';
import { connectedCall, TONES, twoAgents } from './fixtures/scenes';

const ALICE_TONE = TONES.alice;

t.test(
  'disconnected: the call stays assigned; the customer hears the disconnected prompt, then music',
  async (t) => {
    const scene = await connectedCall(t, {
      policy: { reconnectWindowMs: 20_000, presenceTimeoutMs: 40_000 },
    });
    const { call, customer } = scene;
    await hears(t, customer.ep, ALICE_TONE, 'customer hears alice before the drop');

    // The desktop drops: alice's media stops (her SIP stays up).
    const dropped = await scene.drop({ by: 'media' });
    t.equal(call.snapshot().gone, 'media-loss', 'the evidence is recorded');
    t.equal(call.agentId, 'alice', 'the call stays assigned to alice');
    t.equal(scene.gw.agents.get('alice')!.status, 'disconnected');
    await sleep(promptMs('agent-disconnected') + 2500);
    const heard = heardSince(customer.ep, dropped.at);
    const p = findsPrompt(
      t,
      heard,
      'agent-disconnected',
      'the customer hears the disconnected prompt',
    );
    findsPrompt(t, p.rest, 'wait-music', 'then the wait music', { maxRefMs: 1000 });
    lacksTone(t, heard, ALICE_TONE, 'and nothing of alice');
    t.equal(call.state, 'agentGone', 'still assigned, not rerouted');

    await scene.hangUp();
    t.equal((await scene.desktop('alice', 'connected')).status, 202);
    await scene.end();
  },
);

t.test(
  'back within the window: the same agent is reattached, mute unchanged, then two-way audio',
  async (t) => {
    const scene = await connectedCall(t, {
      policy: { reconnectWindowMs: 5000, presenceTimeoutMs: 10_000 },
    });
    const { call, customer, agent: alice } = scene;
    t.equal(await scene.mute(true), 200);
    await doesNotHear(t, customer.ep, ALICE_TONE, 'muted: the customer does not hear alice', {
      max: 0.1,
    });
    await hears(t, alice.ep, CUSTOMER_TONE, 'muted: alice still hears the customer');

    await scene.drop({ by: 'media' });
    await sleep(500);
    // Desktop back: new media objects, a re-INVITE on the same dialog (new address, as new ICE).
    const dialogBefore = alice.current;
    await alice.reconnectMedia(t);
    await waitFor(() => call.state === 'connected', 'reattached', 5000);
    t.equal(call.agentId, 'alice', 'the same agent');
    t.equal(alice.current, dialogBefore, 'on the same dialog');
    t.equal(scene.gw.agents.get('alice')!.status, 'busy');
    t.equal(call.snapshot().muted, true, 'mute is unchanged');
    await hears(t, alice.ep, CUSTOMER_TONE, 'alice hears the customer on her new media');
    await hearsSilence(t, customer.ep, 'still muted: no alice, and no more prompt or music', {
      maxRms: 500,
      notTones: [ALICE_TONE],
      maxShare: 0.1,
    });

    t.equal(await scene.mute(false), 200);
    await scene.twoWay('alice', {
      customer: 'unmuted: the customer hears alice',
      agent: 'two-way audio',
    });
    t.equal(scene.gw.coordinator.absenceOf('alice'), undefined, 'no absence left');
    await scene.end();
  },
);

t.test(
  'past the window: rerouted to another agent with two-way audio; the first leg is released',
  async (t) => {
    // bob registers once alice has the call: he is there for the reroute.
    const scene = await twoAgents(t, {
      policy: { reconnectWindowMs: 2000, presenceTimeoutMs: 20_000 },
    });
    const { call } = scene;
    const { alice, bob } = scene.agents;
    const aliceTag = call.agentTag!;

    const bobCall = bob.nextCall(15_000);
    await scene.drop({ by: 'media' });
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
    await scene.twoWay('bob');
    t.equal(
      scene.gw.agents.get('alice')!.status,
      'disconnected',
      'alice is still only disconnected (presence not over)',
    );

    await scene.end({ bringBack: ['alice'] }); // hangs up, alice's desktop back, leak check
    t.equal(scene.gw.agents.get('alice')!.status, 'available');
  },
);

t.test(
  'past the presence timeout: the agent is offline, the call waits (music) and goes to the next agent',
  async (t) => {
    const scene = await connectedCall(t, {
      agents: { alice: {}, bob: { joins: 'later' } },
      policy: { reconnectWindowMs: 1500, presenceTimeoutMs: 3000 },
    });
    const { call, customer } = scene;

    // This time the evidence is a BYE carrying a transport-failure Reason: not a hang-up.
    const dropped = await scene.drop({ by: 'bye-reason', goneWithinMs: 3000 });
    t.equal(dropped.status, 200);
    t.equal(call.snapshot().gone, 'bye-failure-reason');
    await waitFor(() => call.state === 'queued', 'rerouted (waiting for an agent)', 5000);
    await waitFor(
      () => scene.gw.agents.get('alice')!.status === 'offline',
      'alice offline past the presence timeout',
      5000,
    );
    t.equal(call.agentId, undefined, 'no longer assigned to alice');
    await hearsMusic(t, customer.ep, 'the customer hears wait music meanwhile', {
      ms: 1000,
      notTones: [ALICE_TONE],
    });

    const bob = await scene.open('bob');
    await bob.nextCall(10_000);
    await waitFor(
      () => call.state === 'connected' && call.agentId === 'bob',
      'bob has the call',
      5000,
    );
    await scene.twoWay('bob');

    await scene.end();
    t.equal(scene.gw.agents.get('alice')!.status, 'offline');
  },
);
