// Readiness follows rtpengine (stopped with SIGSTOP, so it neither answers nor loses its
// port, then resumed), and a drain refuses new calls with 503 + Retry-After while the
// active call runs to its end.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { startTestGateway, waitFor, type TestGateway } from './fixtures/gateway-harness';
import { Agent, Customer, openEndpoint } from './fixtures/parties';
import { SipError, TestUa } from './fixtures/test-ua';

const ready = async (hf: TestGateway): Promise<number> =>
  (await fetch(`http://${hf.gw.http.host}:${hf.gw.http.port}/ready`)).status;

/** Linux: state T in /proc/<pid>/stat once the whole process is stopped. */
const stopped = (pid: number): boolean =>
  / T /.test(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\)/, ''));

t.test('/ready is 503 while rtpengine is stopped and 200 once it is back', async (t) => {
  const hf = await startTestGateway(t, []);
  const pid = hf.gw.rtpengine.pid!;
  t.equal(await ready(hf), 200, 'ready');
  process.kill(pid, 'SIGSTOP');
  try {
    // The stop reaches every rtpengine thread asynchronously: wait until it has.
    await waitFor(() => stopped(pid), 'rtpengine stopped');
    t.equal(await ready(hf), 503, 'not ready while rtpengine does not answer');
  } finally {
    process.kill(pid, 'SIGCONT');
  }
  await waitFor(async () => (await ready(hf)) === 200, 'ready again');
  t.pass('ready again');
});

t.test(
  'drain: a new INVITE gets 503 with Retry-After while the active call completes',
  async (t) => {
    const hf = await startTestGateway(t, [{ id: 'alice', password: 'pw-alice' }], {
      shutdown: { drainMs: 20_000, retryAfterS: 7 },
    });
    const alice = await Agent.open(t, hf, 'alice', { tone: 1000, password: 'pw-alice' });
    const answered = alice.nextCall();
    const customer = await Customer.call(t, hf);
    await answered;

    const drained = hf.gw.drain.drain();
    t.equal(await ready(hf), 503, '/ready fails while draining');
    const ua = await TestUa.open('udp', hf.sip.udp, 'late-customer');
    t.teardown(() => ua.close());
    const ep = await openEndpoint(t);
    const err = await ua.invite(`sip:support@${hf.sip.udp.host}:${hf.sip.udp.port}`, ep.sdp()).then(
      () => undefined,
      (e: unknown) => e,
    );
    t.ok(err instanceof SipError, 'the new call is refused');
    t.equal((err as SipError).status, 503, '503');
    t.equal(
      (err as SipError).response.get('retry-after'),
      '7',
      'Retry-After from shutdown.retryAfterS',
    );
    t.equal(hf.gw.calls.size, 1, 'the active call is still up');

    t.equal(await customer.hangUp(), 200, 'the active call ends normally');
    const result = await drained;
    t.equal(result.end, 'idle', 'drained without ending calls');
    t.equal(result.remaining, 0);
    await hf.settled();
  },
);
