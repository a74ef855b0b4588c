// queue.musicDelayMs: a call starts no wait music in its first moments (the delay), so an
// agent who answers at once costs rtpengine no player (bench:load: the player is most of
// rtpengine's cost per call set-up). An agent who rings longer: the customer hears the
// music once the delay is over.
import t from 'tap';
import { sleep, startTestGateway, waitFor } from './fixtures/gateway-harness';
import { hears, hearsMusic, hearsSilence } from './fixtures/hearing';
import { scrape } from './fixtures/metrics-scrape';
import { Agent, Customer, CUSTOMER_TONE, openEndpoint } from './fixtures/parties';
import { TestUa } from './fixtures/test-ua';

const ALICE_TONE = 1000;
const DELAY_MS = 1500;

t.test(
  'ring-music delay: none for an agent who answers at once, music for one who rings on',
  async (t) => {
    const hf = await startTestGateway(t, [{ id: 'alice', password: 'pw-alice' }], {
      queue: { musicDelayMs: DELAY_MS },
    });
    const alice = await Agent.open(t, hf, 'alice', { tone: ALICE_TONE, password: 'pw-alice' });
    const players = async () =>
      (await scrape(hf))('holdfast_rtpengine_request_seconds_count', { command: 'play media' }) ||
      0;

    // Alice answers at once: the customer goes straight to her, no player started.
    const first = await Customer.call(t, hf);
    await hears(t, first.ep, ALICE_TONE, 'the customer hears alice');
    t.equal(await players(), 0, 'no wait music was started');
    t.equal(await first.hangUp(), 200);
    await waitFor(() => hf.gw.calls.size === 0, 'first call over');
    await waitFor(() => hf.gw.agents.get('alice')!.status === 'available', 'alice available');

    // Alice lets it ring: silence within the delay, then the wait music, then alice.
    alice.autoAnswer = false;
    const invite = alice.ua.nextInvite(10_000);
    const ep = await openEndpoint(t);
    const ua = await TestUa.open('udp', hf.sip.udp, 'customer');
    t.teardown(() => ua.close());
    const calledAt = Date.now();
    const answered = ua.invite(
      `sip:support@${hf.sip.udp.host}:${hf.sip.udp.port}`,
      ep.sdp(),
      [],
      (m) => {
        if (m.status === 183 && m.body.length) ep.setRemoteFromSdp(m.body.toString());
      },
    );
    const inv = await invite;
    inv.ring();
    await hearsSilence(t, ep, 'within the delay: no music yet', { ms: 600 });
    await sleep(Math.max(0, calledAt + DELAY_MS + 300 - Date.now()));
    await hearsMusic(t, ep, 'after the delay: the wait music', { notTones: [ALICE_TONE] });
    t.equal(await players(), 1, 'one player, started at the end of the delay');
    const dialog = await inv.answer(alice.ep.sdp());
    alice.ep.setRemoteFromSdp(inv.req.body.toString());
    alice.ep.play({ tone: ALICE_TONE });
    const customerDialog = await answered;
    ep.setRemoteFromSdp(customerDialog.remoteSdp);
    ep.play({ tone: CUSTOMER_TONE });
    await hears(t, ep, ALICE_TONE, 'answered: the customer hears alice');
    await hears(t, alice.ep, CUSTOMER_TONE, 'and alice the customer');
    t.equal(await ua.bye(customerDialog), 200);
    void dialog;
    await hf.settled();
  },
);
