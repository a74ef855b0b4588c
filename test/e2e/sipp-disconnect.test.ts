// The "Ongoing phone call" column of the disconnect policy with real SIPp parties: a SIPp
// customer (its audio heard and sent by a Node RTP socket) and SIPp static agents that play
// their own audio with rtp_stream and drop it (rtp_stream pause) as a dropped desktop does.
// The Node-UA counterpart, row by row, is disconnect-phone-call.test.ts.
import path from 'node:path';
import t, { type Test } from 'tap';
import { joinSamples, locate, toneShare } from '../helpers/audio-compare';
import { readWav } from '../helpers/audio-wav';
import type { RtpEndpoint } from '../helpers/rtp-endpoint';
import { describeSipp, type Sipp } from '../helpers/sipp';
import { sleep, startTestGateway, waitFor, type TestGateway } from './fixtures/gateway-harness';
import { CUSTOMER_TONE } from './fixtures/parties';
import { bestToneShare, callFromSipp, startSippAgent, staticAgent } from './fixtures/sipp-parties';

const ALICE_TONE = 1000;
const BOB_TONE = 1600;
const PROMPTS = path.join(__dirname, '../../prompts');
/** Bound of every SIPp run (its -timeout): a stuck test fails, it never hangs. */
const SIPP_TIMEOUT_MS = 60_000;

function onlyCall(hf: TestGateway) {
  const calls = [...hf.gw.calls.values()];
  if (calls.length !== 1) throw new Error(`expected one call, found ${calls.length}`);
  return calls[0];
}

async function connectedTo(hf: TestGateway, agentId: string, timeoutMs = 10_000) {
  await waitFor(
    () =>
      hf.gw.calls.size === 1 &&
      onlyCall(hf).state === 'connected' &&
      onlyCall(hf).agentId === agentId,
    `call connected to ${agentId}`,
    timeoutMs,
  );
  return onlyCall(hf);
}

/** Asserts that one stream `ep` hears over the next `ms` is mostly `freqHz`. */
async function hears(t: Test, ep: RtpEndpoint, freqHz: number, what: string, ms: number) {
  const share = await bestToneShare(ep, freqHz, ms);
  t.ok(share > 0.8, `${what} (${freqHz} Hz share ${share.toFixed(2)})`);
}

/** SIPp ran its one call to the end: 1 successful, 0 failed. */
async function sippSucceeded(t: Test, sipp: Sipp, who: string): Promise<void> {
  const r = await sipp.done;
  t.equal(r.failed, 0, `${who}: SIPp reports no failed call (${describeSipp(r)})`);
  t.equal(r.successful, 1, `${who}: SIPp completed its call`);
}

t.test(
  'SIPp: disconnected — the customer hears the prompt then music, nothing of the agent; the call stays assigned',
  async (t) => {
    const alice = await startSippAgent(t, {
      template: 'gateway-sipp-agent-drops.xml',
      toneHz: ALICE_TONE,
      fill: { TALK_MS: 4000 },
      timeoutMs: SIPP_TIMEOUT_MS,
    });
    const hf = await startTestGateway(t, [staticAgent('alice', alice)], {
      policy: { reconnectWindowMs: 30_000, presenceTimeoutMs: 60_000 },
      media: { lossMs: 1000 },
    });
    const customer = await callFromSipp(t, hf, {
      talkMs: 22_000,
      toneHz: CUSTOMER_TONE,
      timeoutMs: SIPP_TIMEOUT_MS,
    });
    const call = await connectedTo(hf, 'alice');
    await hears(
      t,
      customer.ep,
      ALICE_TONE,
      "the customer hears alice's rtp_stream before the drop",
      800,
    );

    // From here the customer's socket keeps all it hears: alice until her stream stops, then
    // the prompt and the music.
    customer.ep.clear();
    await waitFor(() => call.state === 'agentGone', 'disconnect detected', 10_000);
    t.equal(call.snapshot().gone, 'media-loss', 'the evidence is media loss');
    t.equal(call.agentId, 'alice', 'the call stays assigned to alice');
    t.equal(hf.gw.agents.get('alice')!.status, 'disconnected', 'alice is disconnected');

    const prompt = readWav(path.join(PROMPTS, 'agent-disconnected.wav')).samples;
    const music = readWav(path.join(PROMPTS, 'wait-music.wav')).samples;
    await sleep(prompt.length / 8 + 3000);
    const heard = joinSamples(customer.ep.packets());
    const p = locate(heard, prompt, 5000);
    t.ok(
      p.score > 0.8,
      `the customer hears the disconnected prompt (correlation ${p.score.toFixed(3)})`,
    );
    const after = heard.subarray(Math.max(0, p.offset + prompt.length));
    const m = locate(after, music, 1000);
    t.ok(m.score > 0.8, `then the wait music (correlation ${m.score.toFixed(3)})`);
    const fromPrompt = heard.subarray(Math.max(0, p.offset));
    t.ok(toneShare(fromPrompt, ALICE_TONE) < 0.05, 'and nothing of alice from then on');
    t.equal(call.state, 'agentGone', 'still assigned, not rerouted');
    t.equal(call.agentId, 'alice', 'still alice');

    // The customer hangs up (SIPp's -d), which releases alice's leg too (her BYE).
    await sippSucceeded(t, customer.sipp, 'customer');
    await sippSucceeded(t, alice, 'alice');
    const back = await hf.api(
      'POST',
      '/v1/agents/alice/desktop',
      { state: 'connected' },
      'alice-token',
    );
    t.equal(back.status, 202, 'her desktop is back (after the call)');
    await hf.settled();
  },
);

t.test(
  "SIPp: the agent's media resumes within the window — the same agent is back and heard again",
  async (t) => {
    const alice = await startSippAgent(t, {
      template: 'gateway-sipp-agent-returns.xml',
      toneHz: ALICE_TONE,
      fill: { TALK_MS: 4000, GONE_MS: 4000 },
      timeoutMs: SIPP_TIMEOUT_MS,
    });
    const hf = await startTestGateway(t, [staticAgent('alice', alice)], {
      policy: { reconnectWindowMs: 10_000, presenceTimeoutMs: 20_000 },
      media: { lossMs: 1000 },
    });
    const customer = await callFromSipp(t, hf, {
      talkMs: 18_000,
      toneHz: CUSTOMER_TONE,
      timeoutMs: SIPP_TIMEOUT_MS,
    });
    const call = await connectedTo(hf, 'alice');
    await hears(t, customer.ep, ALICE_TONE, 'the customer hears alice before the drop', 800);

    await waitFor(() => call.state === 'agentGone', 'disconnect detected', 10_000);
    t.equal(call.snapshot().gone, 'media-loss', 'the evidence is media loss');
    t.equal(hf.gw.agents.get('alice')!.status, 'disconnected', 'alice is disconnected');
    // SIPp resumes its rtp_stream on the same dialog (no new INVITE: its scenario takes one call).
    await connectedTo(hf, 'alice', 12_000);
    t.equal(call.agentId, 'alice', 'the same agent');
    t.equal(hf.gw.agents.get('alice')!.status, 'busy', 'alice is busy on the call again');
    t.equal(hf.gw.coordinator.absenceOf('alice'), undefined, 'no absence left');
    await hears(t, customer.ep, ALICE_TONE, 'the customer hears alice again', 1000);

    await sippSucceeded(t, customer.sipp, 'customer');
    await sippSucceeded(t, alice, 'alice');
    await hf.settled();
    t.equal(hf.gw.agents.get('alice')!.status, 'available', 'alice is available after the call');
  },
);

t.test(
  'SIPp: past the window — rerouted to a second SIPp agent with two-way audio; the first leg gets a BYE',
  async (t) => {
    const alice = await startSippAgent(t, {
      template: 'gateway-sipp-agent-drops.xml',
      toneHz: ALICE_TONE,
      fill: { TALK_MS: 4000 },
      timeoutMs: SIPP_TIMEOUT_MS,
    });
    // bob echoes what he receives: the customer hearing its own tone proves bob heard it.
    const bob = await startSippAgent(t, {
      template: 'gateway-sipp-agent-talks.xml',
      toneHz: BOB_TONE,
      echo: true,
      timeoutMs: SIPP_TIMEOUT_MS,
    });
    // Listed first, alice is idle the longest (or ties and wins by id): she gets the call.
    const hf = await startTestGateway(t, [staticAgent('alice', alice), staticAgent('bob', bob)], {
      policy: { reconnectWindowMs: 4000, presenceTimeoutMs: 40_000 },
      media: { lossMs: 1000 },
    });
    const customer = await callFromSipp(t, hf, {
      talkMs: 26_000,
      toneHz: CUSTOMER_TONE,
      timeoutMs: SIPP_TIMEOUT_MS,
    });
    const call = await connectedTo(hf, 'alice');
    const aliceTag = call.agentTag!;
    await hears(t, customer.ep, ALICE_TONE, 'the customer hears alice before the drop', 800);

    await waitFor(() => call.state === 'agentGone', 'disconnect detected', 10_000);
    t.equal(call.snapshot().gone, 'media-loss', 'the evidence is media loss');
    await connectedTo(hf, 'bob', 20_000);
    // alice's scenario ends only once it got the gateway's BYE and answered it.
    await sippSucceeded(t, alice, "alice (her leg's BYE)");
    t.notOk(call.session.legTags.includes(aliceTag), "alice's media leg is gone from rtpengine");
    t.ok(call.priority > 0, 'the rerouted call was raised in priority');
    await hears(t, customer.ep, BOB_TONE, "the customer hears bob's rtp_stream", 1000);
    await hears(
      t,
      customer.ep,
      CUSTOMER_TONE,
      'bob hears the customer (his echo of it comes back)',
      1000,
    );
    t.equal(hf.gw.agents.get('alice')!.status, 'disconnected', 'alice is only disconnected');

    await sippSucceeded(t, customer.sipp, 'customer');
    await sippSucceeded(t, bob, 'bob');
    await hf.api('POST', '/v1/agents/alice/desktop', { state: 'connected' });
    await hf.settled();
    t.equal(
      hf.gw.agents.get('alice')!.status,
      'available',
      'alice is available once her desktop is back',
    );
  },
);
