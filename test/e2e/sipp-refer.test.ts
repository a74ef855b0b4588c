// A blind transfer asked for by a SIPp agent (gateway-sipp-agent-refers.xml): it answers the
// customer's call and talks (rtp_stream), sends REFER to bob, expects 202, checks each NOTIFY
// (100 Trying, 180 Ringing with the subscription active, 200 OK with it terminated: sipfrag
// bodies) and takes the gateway's BYE. SIPp fails the call on any message it did not expect.
import t from 'tap';
import { describeSipp, startSipp } from '../helpers/sipp';
import { sleep, startTestGateway, waitFor } from './fixtures/gateway-harness';
import { Agent, CUSTOMER_TONE, hearsTone } from './fixtures/parties';
import { agentScenario, bestToneShare, staticAgent } from './fixtures/sipp-parties';
import { answer, callGateway, nothingLeft, ringOnly, TONES } from './fixtures/handover-scenes';

/** Bound of the SIPp run (its -timeout): a stuck test fails, it never hangs. */
const SIPP_TIMEOUT_MS = 60_000;

t.test(
  'SIPp agent: REFER to bob, 202, the NOTIFYs, then the BYE; customer and bob talk',
  async (t) => {
    const alice = await startSipp(t, {
      scenario: agentScenario(t, 'gateway-sipp-agent-refers.xml', TONES.alice, {
        TALK_MS: 3000,
        TARGET: 'sip:bob@127.0.0.1',
      }),
      calls: 1,
      timeoutMs: SIPP_TIMEOUT_MS,
    });
    const hf = await startTestGateway(
      t,
      [staticAgent('alice', alice), { id: 'bob', password: 'pw-bob' }],
      { queue: { ringTimeoutMs: 20_000 } },
    );
    const customer = await callGateway(t, hf);
    await waitFor(() => [...hf.gw.calls.values()][0]?.agentId === 'alice', 'with alice');
    const call = [...hf.gw.calls.values()][0];
    await waitFor(() => call.state === 'connected', 'connected to alice');
    const share = await bestToneShare(customer.ep, TONES.alice, 800);
    t.ok(share > 0.8, `the customer hears alice's stream (${share.toFixed(2)})`);

    const bob = await Agent.open(t, hf, 'bob', { tone: TONES.bob, password: 'pw-bob' });
    await waitFor(() => hf.gw.agents.get('bob')!.status === 'available', 'bob available');
    const inv = await ringOnly(bob);
    t.equal(call.phase, 'transferring', 'alice asked for the transfer');
    await sleep(500); // the 180 is told before the answer
    await answer(bob, inv);
    await waitFor(() => call.agentId === 'bob' && call.phase === 'talking', 'with bob');

    const r = await alice.done;
    t.equal(r.failed, 0, `SIPp saw every response and NOTIFY it expected (${describeSipp(r)})`);
    t.equal(r.successful, 1, 'SIPp completed its call');
    t.ok((await hearsTone(customer.ep, TONES.bob)) > 0.8, 'the customer hears bob');
    t.ok((await hearsTone(bob.ep, CUSTOMER_TONE)) > 0.8, 'bob hears the customer');
    t.equal(await customer.hangUp(), 200);
    await nothingLeft(hf);
  },
);
