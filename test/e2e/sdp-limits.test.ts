// One INVITE must not take the media server down: rtpengine 10.5 segfaults at the wait
// music's `play media` when an offer says `a=rtpmap:0 PCMU/2147483648`. The gateway refuses
// such an SDP with 488 and a Warning, rtpengine never sees it, and the next call works.
import t from 'tap';
import { NgClient } from '../../media/ng-client';
import { startTestGateway, sleep, waitFor, type TestGateway } from './fixtures/gateway-harness';
import { Agent, Customer, CUSTOMER_TONE, hearsTone, openEndpoint } from './fixtures/parties';
import { SipError, TestUa } from './fixtures/test-ua';

const ALICE_TONE = 1000;

/** Whether rtpengine answers a ping of its own (not through the gateway's queue). */
async function rtpengineAnswers(hf: TestGateway): Promise<boolean> {
  const { host, port } = hf.gw.rtpengine;
  const client = new NgClient({ host, port, timeoutMs: 1000, maxInFlight: 1 });
  try {
    return (await client.ping()).result === 'pong';
  } catch {
    return false;
  } finally {
    client.close();
  }
}

t.test(
  'a=rtpmap:0 PCMU/2147483648 from the SBC → 488 + Warning; rtpengine survives; the next call completes',
  async (t) => {
    const hf = await startTestGateway(t, [{ id: 'alice', password: 'pw-alice' }]);
    const alice = await Agent.open(t, hf, 'alice', { tone: ALICE_TONE, password: 'pw-alice' });
    const pid = hf.gw.rtpengine.pid;

    const sbc = await TestUa.open('udp', hf.sip.udp, 'sbc');
    t.teardown(() => sbc.close());
    const ep = await openEndpoint(t);
    const good = ep.sdp();
    t.match(good, /a=rtpmap:0 PCMU\/8000/);
    const poison = good.replace('a=rtpmap:0 PCMU/8000', 'a=rtpmap:0 PCMU/2147483648');
    const uri = `sip:support@${hf.sip.udp.host}:${hf.sip.udp.port}`;
    const err = await sbc.invite(uri, poison).then(
      () => undefined,
      (e: unknown) => e,
    );
    t.ok(err instanceof SipError, 'the INVITE is refused');
    const refusal = err as SipError;
    t.equal(refusal.status, 488);
    t.equal(
      refusal.response.get('warning'),
      '399 holdfast "rtpmap clock rate 2147483648 out of range (1000-192000)"',
    );

    // The crash came within milliseconds of the play media; give it generous time anyway.
    await sleep(1000);
    t.ok(await rtpengineAnswers(hf), 'rtpengine still answers ping');
    t.equal(hf.gw.rtpengine.pid, pid, 'the same rtpengine process');
    t.doesNotThrow(() => process.kill(pid!, 0), 'and it is alive');
    await hf.settled();

    // A good call right after.
    const customer = await Customer.call(t, hf);
    await waitFor(() => [...hf.gw.calls.values()][0]?.state === 'connected', 'connected');
    t.ok((await hearsTone(customer.ep, ALICE_TONE)) > 0.8, 'the customer hears alice');
    t.ok((await hearsTone(alice.ep, CUSTOMER_TONE)) > 0.8, 'alice hears the customer');
    t.equal(await customer.hangUp(), 200);
    await hf.settled();
  },
);
