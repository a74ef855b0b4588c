// docs/fault-semantics.md, "rtpengine dies": while no rtpengine answers, a new customer call
// is refused with 503, Retry-After and a Reason (the SBC tries another gateway or later),
// /ready fails, and the refused call leaves nothing behind. The rtpengine is external and
// not restarted (its launcher's supervision off), so the outage lasts as long as the test.
import t from 'tap';
import { launchRtpengine } from '../../media/rtpengine-launcher';
import { startTestGateway, waitFor } from './fixtures/gateway-harness';
import { openEndpoint } from './fixtures/parties';
import { SipError, TestUa } from './fixtures/test-ua';

t.test('no rtpengine: a new call gets 503 + Retry-After + Reason, nothing left', async (t) => {
  const external = await launchRtpengine({ portCount: 512, supervision: { restart: false } });
  t.teardown(() => external.stop());
  const hf = await startTestGateway(t, [{ id: 'alice', password: 'pw-alice' }], {
    env: { RTPENGINE_HOST: external.host, RTPENGINE_PORT: String(external.port) },
    queue: { retryAfterS: 7 },
    media: { portBlock: undefined }, // the external rtpengine has its own ports
  });
  const ready = async () =>
    (await fetch(`http://${hf.gw.http.host}:${hf.gw.http.port}/ready`)).status;
  t.equal(await ready(), 200, 'ready with rtpengine up');

  process.kill(external.pid!, 'SIGKILL');
  await waitFor(async () => (await ready()) === 503, '/ready fails', 10_000);
  t.pass('/ready fails while no rtpengine answers');

  const ep = await openEndpoint(t);
  const ua = await TestUa.open('udp', hf.sip.udp, 'customer');
  t.teardown(() => ua.close());
  const refused = await ua
    .invite(`sip:support@${hf.sip.udp.host}:${hf.sip.udp.port}`, ep.sdp())
    .then(
      () => undefined,
      (err: unknown) => err,
    );
  t.type(refused, SipError, 'the INVITE is refused');
  const res = (refused as SipError).response;
  t.equal(res.status, 503, '503');
  t.equal(res.get('retry-after'), '7', 'Retry-After: queue.retryAfterS');
  t.match(res.get('reason') ?? '', /media server unavailable/, 'Reason says why');
  await waitFor(() => hf.gw.calls.size === 0, 'the refused call is gone');
  const s = hf.gw.stats();
  t.match(s, { calls: 0, deadlines: 0, watchedCalls: 0, queued: 0 }, 'nothing left');
});
