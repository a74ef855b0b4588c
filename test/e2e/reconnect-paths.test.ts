// The other ways an agent leaves and comes back: hold from its own re-INVITE, a new
// registration after which the gateway INVITEs it back as a resumption (hold restored),
// and a WebSocket agent whose transport closes (failed in-dialog keep-alive).
import t from 'tap';
import { waitFor } from './fixtures/gateway-harness';
import { doesNotHear, hearsMusic } from './fixtures/hearing';
import { CUSTOMER_TONE } from './fixtures/parties';
import { connectedCall, droppedCall, TONES } from './fixtures/scenes';

const ALICE_TONE = TONES.alice;

t.test(
  'hold from the agent re-INVITE; after a drop, a new REGISTER brings the agent back by INVITE, still on hold',
  async (t) => {
    const scene = await connectedCall(t, {
      policy: { reconnectWindowMs: 8000, presenceTimeoutMs: 16_000 },
    });
    const { call, customer, agent: alice } = scene;

    // Hold, the SIP way: the agent re-offers sendonly.
    const res = await alice.ua.reinvite(alice.current!, alice.ep.sdp('sendonly', 2));
    t.equal(res.status, 200);
    await waitFor(() => call.held, 'the gateway sees the hold');
    await hearsMusic(t, customer.ep, 'held: the customer hears music, not alice', {
      notTones: [ALICE_TONE],
    });
    await doesNotHear(t, alice.ep, CUSTOMER_TONE, 'held: alice does not hear the customer');

    // The desktop drops; it comes back on a new transport and registers again.
    await scene.drop({ by: 'media' });
    const oldBye = alice.ua.waitForBye(alice.current!, 10_000);
    const again = await scene.open('alice');
    const resumed = await again.nextCall(10_000);
    t.equal(
      resumed.invite.get('x-holdfast-resume'),
      call.id,
      'the INVITE says it resumes this call',
    );
    await waitFor(
      () => call.state === 'connected' && call.agentId === 'alice',
      'reattached on the new leg',
    );
    t.ok(await oldBye, 'the old leg is released');
    t.equal(call.snapshot().held, true, 'hold is unchanged');
    await hearsMusic(t, customer.ep, 'still held: music, not alice', { notTones: [ALICE_TONE] });

    t.equal(await scene.hold(false), 200);
    // scene.agents.alice is now the new registration (`again`).
    await scene.twoWay('alice', {
      customer: 'resumed: the customer hears alice',
      agent: 'and alice hears the customer',
    });
    t.equal(
      call.session.legTags.length,
      2,
      'two legs in rtpengine: customer and the new agent leg',
    );

    await scene.end();
  },
);

t.test(
  'mute by in-dialog INFO; a WebSocket agent whose transport closes is detected by the keep-alive',
  async (t) => {
    const scene = await connectedCall(t, {
      agents: { alice: { proto: 'ws' } },
      policy: { reconnectWindowMs: 8000, presenceTimeoutMs: 16_000, keepaliveMs: 400 },
      media: { lossMs: 5000 }, // this test is about the transport, not the media
    });
    const { call, agent: alice } = scene;
    t.equal(scene.gw.agents.get('alice')!.contact!.profile, 'webrtc');
    t.match(
      scene.offer.body.toString(),
      /UDP\/TLS\/RTP\/SAVPF/,
      'the WebSocket agent is offered WebRTC media',
    );

    t.equal(await alice.ua.info(alice.current!, { mute: true }), 200);
    await waitFor(() => call.muted, 'muted by INFO');
    await scene.drop({ by: 'transport' }); // the page's SIP WebSocket goes away
    t.match(call.snapshot().gone, /transport-closed|keepalive-failed/);
    t.equal(scene.gw.agents.get('alice')!.status, 'disconnected');

    await scene.end({ bringBack: ['alice'] });
  },
);

t.test('media that resumes on the same leg within the window is enough to reattach', async (t) => {
  const scene = await droppedCall(t, {
    policy: { reconnectWindowMs: 8000, presenceTimeoutMs: 16_000 },
    drop: { by: 'media' },
  });
  const { call, agent: alice } = scene;
  t.equal(call.snapshot().gone, 'media-loss');
  alice.ep.resume();
  await waitFor(() => call.state === 'connected', 'reattached when packets flow again', 5000);
  t.equal(scene.gw.agents.get('alice')!.status, 'busy');
  await scene.twoWay('alice', { customer: 'the customer hears alice again' });
  await scene.end();
});

t.test(
  "a static agent's page signals by in-dialog INFO: desktop disconnected is the evidence, connected brings it back",
  async (t) => {
    // Static: carol never REGISTERs, her UDP address is her uri in the config.
    const scene = await connectedCall(t, {
      agents: { carol: { static: true } },
      policy: { reconnectWindowMs: 8000, presenceTimeoutMs: 16_000 },
    });
    const { call, customer, agent: carol } = scene;
    await scene.twoWay('carol');

    const dropped = await scene.drop({ by: 'info' });
    t.equal(dropped.status, 200, 'the INFO is accepted');
    t.equal(call.snapshot().gone, 'explicit-signal', 'the evidence is the explicit signal');
    await doesNotHear(t, customer.ep, carol.tone, 'the customer no longer hears carol');

    t.equal(await carol.ua.info(carol.current!, { desktop: 'connected' }), 200);
    await waitFor(
      () => call.state === 'connected' && call.agentId === 'carol',
      'carol is back on the call',
      5000,
    );
    await scene.twoWay('carol', { customer: 'the customer hears carol again' });
    await scene.end();
  },
);

t.test(
  'a WebSocket agent that speaks plain RTP comes back by re-INVITE: answered in plain RTP, heard both ways',
  async (t) => {
    // Offered WebRTC for its transport, it answers RTP/AVP: its own SDP is what it speaks.
    const scene = await droppedCall(t, {
      agents: { alice: { proto: 'ws' } },
      policy: { reconnectWindowMs: 8000, presenceTimeoutMs: 16_000 },
      drop: { by: 'media' },
    });
    const { call, agent: alice } = scene;
    t.match(scene.offer.body.toString(), /UDP\/TLS\/RTP\/SAVPF/, 'offered WebRTC at first');
    const old = alice.ep;
    await alice.reconnectMedia(t);
    t.teardown(() => old.close());
    await waitFor(() => call.state === 'connected', 'reattached by the re-INVITE', 5000);
    const answer = alice.lastReinviteAnswer;
    t.match(answer ?? '', /m=audio \d+ RTP\/AVP /, 'the re-INVITE is answered in RTP/AVP');
    await scene.twoWay('alice', {
      customer: 'the customer hears alice again',
      agent: 'and alice hears the customer',
    });
    await scene.end();
  },
);
