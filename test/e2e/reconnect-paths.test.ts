// The other ways an agent leaves and comes back: hold from its own re-INVITE, a new
// registration after which the gateway INVITEs it back as a resumption (hold restored),
// and a WebSocket agent whose transport closes (failed in-dialog keep-alive).
import t from 'tap';
import { rms, toneShare } from '../helpers/audio-compare';
import { startTestGateway, waitFor, type TestGateway } from './fixtures/gateway-harness';
import { Agent, Customer, CUSTOMER_TONE, hearsTone, listen } from './fixtures/parties';

const ALICE_TONE = 1000;

const onlyCall = (hf: TestGateway) => [...hf.gw.calls.values()][0];

t.test(
  'hold from the agent re-INVITE; after a drop, a new REGISTER brings the agent back by INVITE, still on hold',
  async (t) => {
    const hf = await startTestGateway(t, [{ id: 'alice', password: 'pw-alice' }], {
      policy: { reconnectWindowMs: 8000, presenceTimeoutMs: 16_000 },
    });
    const alice = await Agent.open(t, hf, 'alice', { tone: ALICE_TONE, password: 'pw-alice' });
    const customer = await Customer.call(t, hf);
    await waitFor(() => onlyCall(hf)?.state === 'connected', 'connected');
    const call = onlyCall(hf);

    // Hold, the SIP way: the agent re-offers sendonly.
    const res = await alice.ua.reinvite(alice.current!, alice.ep.sdp('sendonly', 2));
    t.equal(res.status, 200);
    await waitFor(() => call.held, 'the gateway sees the hold');
    const held = await listen(customer.ep, 800);
    t.ok(
      rms(held) > 300 && toneShare(held, ALICE_TONE) < 0.05,
      'held: the customer hears music, not alice',
    );
    t.ok(
      (await hearsTone(alice.ep, CUSTOMER_TONE)) < 0.05,
      'held: alice does not hear the customer',
    );

    // The desktop drops; it comes back on a new transport and registers again.
    alice.ep.pause();
    await waitFor(() => call.state === 'agentGone', 'disconnect detected', 5000);
    const oldBye = alice.ua.waitForBye(alice.current!, 10_000);
    const again = await Agent.open(t, hf, 'alice', { tone: ALICE_TONE, password: 'pw-alice' });
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
    const stillHeld = await listen(customer.ep, 800);
    t.ok(
      rms(stillHeld) > 300 && toneShare(stillHeld, ALICE_TONE) < 0.05,
      'still held: music, not alice',
    );

    t.equal(
      (await hf.api('POST', `/v1/calls/${call.id}/hold`, { held: false }, 'alice-token')).status,
      200,
    );
    t.ok((await hearsTone(customer.ep, ALICE_TONE)) > 0.8, 'resumed: the customer hears alice');
    t.ok((await hearsTone(again.ep, CUSTOMER_TONE)) > 0.8, 'and alice hears the customer');
    t.equal(
      call.session.legTags.length,
      2,
      'two legs in rtpengine: customer and the new agent leg',
    );

    t.equal(await customer.hangUp(), 200);
    await hf.settled();
  },
);

t.test(
  'mute by in-dialog INFO; a WebSocket agent whose transport closes is detected by the keep-alive',
  async (t) => {
    const hf = await startTestGateway(t, [{ id: 'alice', password: 'pw-alice' }], {
      policy: { reconnectWindowMs: 8000, presenceTimeoutMs: 16_000, keepaliveMs: 400 },
      media: { lossMs: 5000 }, // this test is about the transport, not the media
    });
    const alice = await Agent.open(t, hf, 'alice', {
      tone: ALICE_TONE,
      password: 'pw-alice',
      proto: 'ws',
    });
    t.equal(hf.gw.agents.get('alice')!.contact!.profile, 'webrtc');
    const answered = alice.nextCall(10_000);
    const customer = await Customer.call(t, hf);
    const offered = await answered;
    t.match(
      offered.invite.body.toString(),
      /UDP\/TLS\/RTP\/SAVPF/,
      'the WebSocket agent is offered WebRTC media',
    );
    await waitFor(() => onlyCall(hf)?.state === 'connected', 'connected');
    const call = onlyCall(hf);

    t.equal(await alice.ua.info(alice.current!, { mute: true }), 200);
    await waitFor(() => call.muted, 'muted by INFO');
    await alice.ua.close(); // the page's SIP WebSocket goes away
    await waitFor(() => call.state === 'agentGone', 'transport loss detected', 5000);
    t.match(call.snapshot().gone, /transport-closed|keepalive-failed/);
    t.equal(hf.gw.agents.get('alice')!.status, 'disconnected');

    t.equal(await customer.hangUp(), 200);
    await hf.api('POST', '/v1/agents/alice/desktop', { state: 'connected' });
    await hf.settled();
  },
);

t.test('media that resumes on the same leg within the window is enough to reattach', async (t) => {
  const hf = await startTestGateway(t, [{ id: 'alice', password: 'pw-alice' }], {
    policy: { reconnectWindowMs: 8000, presenceTimeoutMs: 16_000 },
  });
  const alice = await Agent.open(t, hf, 'alice', { tone: ALICE_TONE, password: 'pw-alice' });
  const customer = await Customer.call(t, hf);
  await waitFor(() => onlyCall(hf)?.state === 'connected', 'connected');
  const call = onlyCall(hf);
  alice.ep.pause();
  await waitFor(() => call.state === 'agentGone', 'media loss detected', 5000);
  t.equal(call.snapshot().gone, 'media-loss');
  alice.ep.resume();
  await waitFor(() => call.state === 'connected', 'reattached when packets flow again', 5000);
  t.equal(hf.gw.agents.get('alice')!.status, 'busy');
  t.ok((await hearsTone(customer.ep, ALICE_TONE)) > 0.8, 'the customer hears alice again');
  t.ok((await hearsTone(alice.ep, CUSTOMER_TONE)) > 0.8, 'alice hears the customer');
  t.equal(await customer.hangUp(), 200);
  await hf.settled();
});
