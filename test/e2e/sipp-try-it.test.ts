// The README's "Try it with SIPp" flows 1 and 2, the command lines exactly as documented
// (ports swapped for free ones), against `holdfast start`: the calls complete on both SIPp
// sides, rtpengine counts each party's RTP (audio flowed), and the call records say what
// happened. Flow 3 (reroute) is sipp-try-it-reroute.test.ts.
import t from 'tap';
import {
  documentedFlows,
  documentedPorts,
  localize,
  packetsOf,
  runDocumented,
  startDocumentedGateway,
  type DocumentedGateway,
} from './fixtures/documented-sipp';
import { performance } from 'node:perf_hooks';
import { toneShare } from '../helpers/audio-compare';
import { captureFrom, captureUnavailable } from '../helpers/loopback-capture';
import { sleep, waitFor } from './fixtures/gateway-harness';
import { findsPrompt, lacksTone, promptMs } from './fixtures/hearing';

const SIPP_BOUND_MS = 90_000;
/** The tones of the scenarios' audio (sipp-scenarios/audio/). */
const CAROL_HZ = 1000;
const share = (x: Int16Array, hz: number) => toneShare(x, hz).toFixed(2);
const flows = documentedFlows();
const skip = captureUnavailable();

async function connected(gw: DocumentedGateway, agentId: string, timeoutMs = 15_000) {
  await waitFor(
    async () => {
      const res = await fetch(`${gw.api}/v1/calls`, {
        headers: { Authorization: `Bearer ${gw.admin}` },
      });
      const { calls } = (await res.json()) as { calls: { state: string; agentId?: string }[] };
      return calls.some((c) => c.state === 'connected' && c.agentId === agentId);
    },
    `the call connected to ${agentId}`,
    timeoutMs,
  );
}

t.test('the README documents three SIPp flows, agents before the customer', async (t) => {
  t.equal(flows.length, 3, 'three flows');
  for (const flow of flows) {
    const last = flow[flow.length - 1];
    t.ok(last.includes('sipp-scenarios/holdfast-customer.xml'), 'the customer comes last');
  }
});

t.test(
  'flow 1: carol answers and talks; both SIPp complete, RTP both ways',
  { skip },
  async (t) => {
    const ports = await documentedPorts();
    const gw = await startDocumentedGateway(t, ports, { reconnectWindowMs: 30_000 });
    const [agentCmd, customerCmd] = flows[0].map((args) => localize(args, ports));
    const agent = await runDocumented(t, agentCmd, SIPP_BOUND_MS);
    const customer = await runDocumented(t, customerCmd, SIPP_BOUND_MS);

    await connected(gw, 'carol');
    // What the customer SIPp receives, from the wire: carol's tone.
    const heard = await captureFrom(t, await gw.customerRtpPort(), 30_000);
    const from = performance.now();
    await sleep(4000);
    const said = heard.samplesSince(from + 500);
    t.ok(
      said.length > 8000 && toneShare(said, CAROL_HZ) > 0.8,
      `the customer hears carol's ${CAROL_HZ} Hz (${said.length / 8} ms, share ${share(said, CAROL_HZ)})`,
    );
    heard.stop();
    const mid = await gw.packetsByTag();
    t.ok(
      packetsOf(mid, 'customer') > 100,
      `rtpengine got the customer's RTP (${JSON.stringify(mid)})`,
    );
    t.ok(packetsOf(mid, 'carol') > 100, `rtpengine got carol's RTP (${JSON.stringify(mid)})`);

    const c = await customer.done;
    const a = await agent.done;
    t.match(c, { exitCode: 0, successful: 1, failed: 0 }, `customer: ${c.output.slice(-800)}`);
    t.match(a, { exitCode: 0, successful: 1, failed: 0 }, `carol: ${a.output.slice(-800)}`);
    await waitFor(() => gw.records().length === 1, 'the call record');
    t.match(gw.records()[0], {
      outcome: 'answered',
      endReason: 'customer-hangup',
      disconnects: [],
      legs: [{ agentId: 'carol', endReason: 'customer-hangup' }],
    });
  },
);

t.test(
  'flow 2: carol drops and comes back with a re-INVITE; reattached, her RTP flows again',
  { skip },
  async (t) => {
    const ports = await documentedPorts();
    const gw = await startDocumentedGateway(t, ports, { reconnectWindowMs: 30_000 });
    const [agentCmd, customerCmd] = flows[1].map((args) => localize(args, ports));
    const agent = await runDocumented(t, agentCmd, SIPP_BOUND_MS);
    const customer = await runDocumented(t, customerCmd, SIPP_BOUND_MS);

    await connected(gw, 'carol');
    const heard = await captureFrom(t, await gw.customerRtpPort(), 60_000);
    const from = performance.now();
    // Her media stops 5 s in and she re-INVITEs 10 s later: sample while gone, then after.
    await sleep(11_000);
    const gone = packetsOf(await gw.packetsByTag(), 'carol');
    // The prompt starts lossMs (2 s) after her drop; by 14 s in it is over.
    await sleep(3000);
    const dropped = heard.samplesSince(from);
    const p = findsPrompt(
      t,
      dropped,
      'agent-disconnected',
      'after her drop the customer hears the prompt',
    );
    lacksTone(t, p.fromStart, CAROL_HZ, 'and nothing of carol from then on');
    t.ok(promptMs('agent-disconnected') < 7000, 'the prompt fits before her return');
    await sleep(5000);
    const back = packetsOf(await gw.packetsByTag(), 'carol');
    t.ok(back - gone > 100, `carol's RTP again after her re-INVITE (${gone} → ${back} packets)`);
    const again = heard.samplesSince(performance.now() - 2000);
    t.ok(
      toneShare(again, CAROL_HZ) > 0.8,
      `after her re-INVITE the customer hears carol again (share ${share(again, CAROL_HZ)})`,
    );
    heard.stop();

    const c = await customer.done;
    const a = await agent.done;
    t.match(c, { exitCode: 0, successful: 1, failed: 0 }, `customer: ${c.output.slice(-800)}`);
    t.match(a, { exitCode: 0, successful: 1, failed: 0 }, `carol: ${a.output.slice(-800)}`);
    await waitFor(() => gw.records().length === 1, 'the call record');
    t.match(gw.records()[0], {
      outcome: 'answered',
      endReason: 'customer-hangup',
      legs: [{ agentId: 'carol' }],
      disconnects: [
        {
          agentId: 'carol',
          evidence: 'media-loss',
          returnEvidence: 're-invite',
          outcome: 'reattached',
        },
      ],
    });
  },
);
