// The "Ongoing phone call" column of the disconnect policy with real SIPp parties: a SIPp
// customer (its audio heard and sent by a Node RTP socket) and SIPp static agents that play
// their own audio with rtp_stream and drop it (rtp_stream pause) as a dropped desktop does.
// The Node-UA counterpart, row by row, is disconnect-phone-call.test.ts.
import { performance } from 'node:perf_hooks';
import t from 'tap';
import { sleep, waitFor } from './fixtures/gateway-harness';
import { findsPrompt, heardSince, lacksTone, promptMs } from './fixtures/hearing';
import { CUSTOMER_TONE } from './fixtures/parties';
import { TONES } from './fixtures/scenes';
import { sippCall } from './fixtures/sipp-scenes';

const ALICE_TONE = TONES.alice;
const BOB_TONE = TONES.bob;
/** Bound of every SIPp run (its -timeout): a stuck test fails, it never hangs. */
const SIPP_TIMEOUT_MS = 60_000;

t.test(
  'SIPp: disconnected — the customer hears the prompt then music, nothing of the agent; the call stays assigned',
  async (t) => {
    const scene = await sippCall(t, {
      agents: { alice: { template: 'gateway-sipp-agent-drops.xml', fill: { TALK_MS: 4000 } } },
      customer: { talkMs: 22_000 },
      timeoutMs: SIPP_TIMEOUT_MS,
      policy: { reconnectWindowMs: 30_000, presenceTimeoutMs: 60_000 },
      media: { lossMs: 1000 },
    });
    const { call, customer, hf } = scene;
    await scene.hears(
      customer.ep,
      ALICE_TONE,
      "the customer hears alice's rtp_stream before the drop",
      800,
    );

    // From here the customer's recording holds all it hears: alice until her stream stops,
    // then the prompt and the music.
    const from = performance.now();
    await waitFor(() => call.state === 'agentGone', 'disconnect detected', 10_000);
    t.equal(call.snapshot().gone, 'media-loss', 'the evidence is media loss');
    t.equal(call.agentId, 'alice', 'the call stays assigned to alice');
    t.equal(hf.gw.agents.get('alice')!.status, 'disconnected', 'alice is disconnected');

    await sleep(promptMs('agent-disconnected') + 3000);
    const heard = heardSince(customer.ep, from);
    const p = findsPrompt(
      t,
      heard,
      'agent-disconnected',
      'the customer hears the disconnected prompt',
    );
    findsPrompt(t, p.rest, 'wait-music', 'then the wait music', { maxRefMs: 1000 });
    lacksTone(t, p.fromStart, ALICE_TONE, 'and nothing of alice from then on');
    t.equal(call.state, 'agentGone', 'still assigned, not rerouted');
    t.equal(call.agentId, 'alice', 'still alice');

    // The customer hangs up (SIPp's -d), which releases alice's leg too (her BYE).
    await scene.succeeded('customer');
    await scene.succeeded('alice');
    const back = await scene.desktop('alice', 'connected');
    t.equal(back.status, 202, 'her desktop is back (after the call)');
    await scene.end();
  },
);

t.test(
  "SIPp: the agent's media resumes within the window — the same agent is back and heard again",
  async (t) => {
    const scene = await sippCall(t, {
      agents: {
        alice: {
          template: 'gateway-sipp-agent-returns.xml',
          fill: { TALK_MS: 4000, GONE_MS: 4000 },
        },
      },
      customer: { talkMs: 18_000 },
      timeoutMs: SIPP_TIMEOUT_MS,
      policy: { reconnectWindowMs: 10_000, presenceTimeoutMs: 20_000 },
      media: { lossMs: 1000 },
    });
    const { call, customer, hf } = scene;
    await scene.hears(customer.ep, ALICE_TONE, 'the customer hears alice before the drop', 800);

    await waitFor(() => call.state === 'agentGone', 'disconnect detected', 10_000);
    t.equal(call.snapshot().gone, 'media-loss', 'the evidence is media loss');
    t.equal(hf.gw.agents.get('alice')!.status, 'disconnected', 'alice is disconnected');
    // SIPp resumes its rtp_stream on the same dialog (no new INVITE: its scenario takes one call).
    await scene.connectedTo('alice', 12_000);
    t.equal(call.agentId, 'alice', 'the same agent');
    t.equal(hf.gw.agents.get('alice')!.status, 'busy', 'alice is busy on the call again');
    t.equal(hf.gw.coordinator.absenceOf('alice'), undefined, 'no absence left');
    await scene.hears(customer.ep, ALICE_TONE, 'the customer hears alice again', 1000);

    await scene.succeeded('customer');
    await scene.succeeded('alice');
    await scene.end();
    t.equal(hf.gw.agents.get('alice')!.status, 'available', 'alice is available after the call');
  },
);

t.test(
  'SIPp: past the window — rerouted to a second SIPp agent with two-way audio; the first leg gets a BYE',
  async (t) => {
    // Listed first, alice is idle the longest (or ties and wins by id): she gets the call.
    const scene = await sippCall(t, {
      agents: {
        alice: { template: 'gateway-sipp-agent-drops.xml', fill: { TALK_MS: 4000 } },
        // bob echoes what he receives: the customer hearing its own tone proves bob heard it.
        bob: { template: 'gateway-sipp-agent-talks.xml', echo: true },
      },
      customer: { talkMs: 26_000 },
      timeoutMs: SIPP_TIMEOUT_MS,
      policy: { reconnectWindowMs: 4000, presenceTimeoutMs: 40_000 },
      media: { lossMs: 1000 },
    });
    const { call, customer, hf } = scene;
    const aliceTag = call.agentTag!;
    await scene.hears(customer.ep, ALICE_TONE, 'the customer hears alice before the drop', 800);

    await waitFor(() => call.state === 'agentGone', 'disconnect detected', 10_000);
    t.equal(call.snapshot().gone, 'media-loss', 'the evidence is media loss');
    await scene.connectedTo('bob', 20_000);
    // alice's scenario ends only once it got the gateway's BYE and answered it.
    await scene.succeeded('alice', "alice (her leg's BYE)");
    t.notOk(call.session.legTags.includes(aliceTag), "alice's media leg is gone from rtpengine");
    t.ok(call.priority > 0, 'the rerouted call was raised in priority');
    await scene.hears(customer.ep, BOB_TONE, "the customer hears bob's rtp_stream", 1000);
    await scene.hears(
      customer.ep,
      CUSTOMER_TONE,
      'bob hears the customer (his echo of it comes back)',
      1000,
    );
    t.equal(hf.gw.agents.get('alice')!.status, 'disconnected', 'alice is only disconnected');

    await scene.succeeded('customer');
    await scene.succeeded('bob');
    await scene.end({ bringBack: ['alice'] }); // her desktop back, leak check
    t.equal(
      hf.gw.agents.get('alice')!.status,
      'available',
      'alice is available once her desktop is back',
    );
  },
);
