// Regression (issue "Protocol and security correctness", item 10): a re-INVITE from an
// agent that crosses the gateway's own re-INVITE on the same dialog gets 491 from the
// gateway (RFC 3261 §14.2), on the embedded server and on drachtio-server alike (which
// passes a crossing re-INVITE to the application); the gateway's own offer then completes.
import t from 'tap';
import { sleep, startTestGateway, waitFor } from './fixtures/gateway-harness';
import { Agent, Customer, CUSTOMER_TONE, hearsTone } from './fixtures/parties';

const ALICE = 1000;

t.test("an agent's re-INVITE crossing the gateway's own gets 491", async (t) => {
  const hf = await startTestGateway(t, [{ id: 'alice', password: 'pw-alice' }]);
  const alice = await Agent.open(t, hf, 'alice', { tone: ALICE, password: 'pw-alice' });
  const customer = await Customer.call(t, hf);
  await waitFor(() => [...hf.gw.calls.values()][0]?.state === 'connected', 'connected');
  const call = [...hf.gw.calls.values()][0];
  // The explicit signal, then "connected" on a live leg: the gateway re-INVITEs alice.
  let release!: () => void;
  const answered = new Promise<void>((r) => (release = r));
  let gatewayOffered = false;
  alice.ua.beforeReinviteAnswer = () => {
    gatewayOffered = true;
    return answered;
  };
  await hf.api('POST', '/v1/agents/alice/desktop', { state: 'disconnected' }, 'alice-token');
  await waitFor(() => call.state === 'agentGone', 'gone');
  await hf.api('POST', '/v1/agents/alice/desktop', { state: 'connected' }, 'alice-token');
  await waitFor(() => gatewayOffered, "the gateway's re-INVITE reached alice");
  const crossing = await alice.ua.reinvite(alice.current!, alice.ep.sdp());
  t.equal(crossing.status, 491, 'her own re-INVITE, crossing it, gets 491');
  release();
  await waitFor(() => call.state === 'connected', "the gateway's offer completes: reattached");
  alice.ua.beforeReinviteAnswer = undefined;
  await sleep(200);
  t.ok((await hearsTone(customer.ep, ALICE)) > 0.8, 'the customer hears alice');
  t.ok((await hearsTone(alice.ep, CUSTOMER_TONE)) > 0.8, 'alice hears the customer');
  t.equal(await customer.hangUp(), 200);
  await hf.settled();
});
