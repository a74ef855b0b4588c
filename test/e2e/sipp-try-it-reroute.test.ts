// The README's "Try it with SIPp" flow 3, the command lines exactly as documented (ports
// swapped for free ones), against `holdfast start`: alice registers (one SIPp run) and
// waits for calls (another, on the same port); carol's media drops for good; past the
// reconnect window the call is rerouted to alice: carol's leg gets its BYE, the customer
// hears the prompt, then alice's tone (the same 1000 Hz file: she is told apart by rtpengine's
// packet count), and the record tells the story.
import { performance } from 'node:perf_hooks';
import t from 'tap';
import { toneShare } from '../helpers/audio-compare';
import { captureFrom, captureUnavailable } from '../helpers/loopback-capture';
import {
  documentedFlows,
  documentedPorts,
  localize,
  packetsOf,
  runDocumented,
  startDocumentedGateway,
} from './fixtures/documented-sipp';
import { sleep, waitFor } from './fixtures/gateway-harness';
import { findsPrompt } from './fixtures/hearing';

const SIPP_BOUND_MS = 120_000;
const AGENT_HZ = 1000;

t.test(
  'flow 3: carol drops for good; rerouted to alice after the window',
  { skip: captureUnavailable() },
  async (t) => {
    const flow = documentedFlows()[2];
    t.equal(flow.length, 4, 'four command lines');
    const ports = await documentedPorts();
    const gw = await startDocumentedGateway(t, ports, { reconnectWindowMs: 30_000 });
    const [registerCmd, aliceCmd, carolCmd, customerCmd] = flow.map((a) => localize(a, ports));

    const register = await runDocumented(t, registerCmd, 20_000);
    const r = await register.done;
    t.match(r, { exitCode: 0, successful: 1 }, `alice registered: ${r.output.slice(-400)}`);
    const alice = await runDocumented(t, aliceCmd, SIPP_BOUND_MS);
    const carol = await runDocumented(t, carolCmd, SIPP_BOUND_MS);
    const customer = await runDocumented(t, customerCmd, SIPP_BOUND_MS);

    await waitFor(
      async () => {
        const res = await fetch(`${gw.api}/v1/calls`, {
          headers: { Authorization: `Bearer ${gw.admin}` },
        });
        const { calls } = (await res.json()) as { calls: { state: string; agentId?: string }[] };
        return calls.some((c) => c.state === 'connected' && c.agentId === 'carol');
      },
      'the call connected to carol',
      15_000,
    );
    const heard = await captureFrom(t, await gw.customerRtpPort(), 80_000);
    const from = performance.now();
    // carol stops 5 s in; lossMs 2 s; the window is 30 s: alice gets the call ~37 s in.
    const c = await carol.done;
    t.match(
      c,
      { exitCode: 0, successful: 1, failed: 0 },
      `carol got her BYE: ${c.output.slice(-400)}`,
    );
    await sleep(3000);
    const byTag = await gw.packetsByTag();
    t.ok(
      packetsOf(byTag, 'alice') > 50,
      `alice's RTP reaches rtpengine (${JSON.stringify(byTag)})`,
    );
    // The prompt came lossMs after her drop (~7 s in); looked for in the first 14 s (the
    // music that follows for half a minute would only blur the search).
    const early = heard.samplesSince(from).subarray(0, 14 * 8000);
    findsPrompt(t, early, 'agent-disconnected', 'the customer heard the prompt');
    const last = heard.samplesSince(performance.now() - 1500);
    t.ok(
      toneShare(last, AGENT_HZ) > 0.8,
      `then alice (share ${toneShare(last, AGENT_HZ).toFixed(2)})`,
    );
    heard.stop();

    const cu = await customer.done;
    const a = await alice.done;
    t.match(cu, { exitCode: 0, successful: 1, failed: 0 }, `customer: ${cu.output.slice(-400)}`);
    t.match(a, { exitCode: 0, successful: 1, failed: 0 }, `alice: ${a.output.slice(-400)}`);
    await waitFor(() => gw.records().length === 1, 'the call record');
    t.match(gw.records()[0], {
      outcome: 'answered',
      endReason: 'customer-hangup',
      disconnects: [{ agentId: 'carol', evidence: 'media-loss', outcome: 'rerouted' }],
    });
  },
);
