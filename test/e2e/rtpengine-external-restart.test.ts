// An external rtpengine (RTPENGINE_HOST/PORT) restarts behind the gateway's back in the
// middle of a call. Its calls are gone from it: the gateway notices (the restart shows in
// rtpengine's uptime), ends the call with a Reason on both legs and a record rather than
// leave it silently dead, and takes new calls on the restarted rtpengine.
import t from 'tap';
import { launchRtpengine } from '../../media/rtpengine-launcher';
import { startTestGateway, waitFor } from './fixtures/gateway-harness';
import { Agent, Customer, CUSTOMER_TONE, hearsTone } from './fixtures/parties';

const ALICE = 1000;

t.test('an external rtpengine restarts: its calls end with a Reason; new calls work', async (t) => {
  // "External" to the gateway: launched (and restarted when killed) by the test.
  const external = await launchRtpengine({ portCount: 512 });
  t.teardown(() => external.stop());
  const hf = await startTestGateway(t, [{ id: 'alice', password: 'pw-alice' }], {
    env: { RTPENGINE_HOST: external.host, RTPENGINE_PORT: String(external.port) },
  });
  t.equal(hf.gw.rtpengine.port, external.port, 'the gateway uses the external rtpengine');
  const alice = await Agent.open(t, hf, 'alice', { tone: ALICE, password: 'pw-alice' });
  const customer = await Customer.call(t, hf);
  await waitFor(() => [...hf.gw.calls.values()][0]?.state === 'connected', 'connected');
  t.ok((await hearsTone(customer.ep, ALICE)) > 0.8, 'audio before the restart');
  const customerBye = customer.ua.waitForBye(customer.dialog, 15_000);
  const aliceBye = alice.ua.waitForBye(alice.current!, 15_000);
  const records: string[] = [];
  [...hf.gw.calls.values()][0].on('ended', (reason) => records.push(reason));

  process.kill(external.pid!, 'SIGKILL');
  t.match(
    (await customerBye).get('reason') ?? '',
    /media server failure/,
    'customer: BYE + Reason',
  );
  t.match((await aliceBye).get('reason') ?? '', /media server failure/, 'alice: BYE + Reason');
  // A customer that got a BYE stops sending (its stray RTP could land on the next call's
  // ports in the restarted rtpengine, which reuses them).
  customer.ep.pause();
  await waitFor(() => hf.gw.calls.size === 0, 'no call left');
  t.same(records, ['media-lost'], 'the call ended as media-lost');

  const next = alice.nextCall();
  const second = await Customer.call(t, hf);
  await next;
  await waitFor(() => [...hf.gw.calls.values()][0]?.state === 'connected', 'second call connected');
  t.ok((await hearsTone(second.ep, ALICE)) > 0.8, 'the new customer hears alice');
  // A just-started rtpengine on a loaded machine may take a moment to forward both ways.
  let share = 0;
  for (let i = 0; i < 3 && share <= 0.8; i++) share = await hearsTone(alice.ep, CUSTOMER_TONE);
  t.ok(share > 0.8, `alice hears the new customer (${share.toFixed(2)})`);
  t.equal(await second.hangUp(), 200);
  await hf.settled(10_000);
});
