// The media port range against a real rtpengine: how many calls fit, at the peak (every
// call mid-reroute: customer, new agent leg, the old one and its stand-in, all plain RTP), compared with
// what callsForPortRange says; and the default range carries the 500-call target.
import t, { type Test } from 'tap';
import { MediaSession } from '../../media/media-session';
import { claimPortBlock } from '../../media/port-block-claim';
import { callsForPortRange, DEFAULT_PORT_COUNT } from '../../media/port-range';
import { rtpengineForTest, uniqueCallId, type RtpengineForTest } from '../helpers/rtp-engine';
import type { LaunchOptions } from '../../media/rtpengine-launcher';

const sdp = (port: number) =>
  [
    'v=0',
    'o=- 1 1 IN IP4 127.0.0.1',
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${port} RTP/AVP 0`,
    'a=rtpmap:0 PCMU/8000',
    'a=sendrecv',
    '',
  ].join('\r\n');

/** Sets up calls at their peak until rtpengine refuses or `limit` is reached. */
async function fill(t: Test, re: RtpengineForTest, limit: number) {
  const sessions: MediaSession[] = [];
  t.teardown(() => Promise.all(sessions.map((s) => s.close().catch(() => {}))));
  let error: Error | undefined;
  const peak = async (s: MediaSession) => {
    s.addLeg('customer', 'rtp');
    s.addLeg('agent', 'rtp');
    await s.offer('customer', sdp(40000), 'agent');
    await s.answer('agent', sdp(40002), 'customer');
    await s.attach('customer', 'agent2', 'rtp'); // a reroute's new leg, old one still there
  };
  // In batches, so that the first refusal stops the filling near where it happened.
  while (sessions.length < limit && !error) {
    const batch = Array.from(
      { length: Math.min(25, limit - sessions.length) },
      () => new MediaSession(re.client, uniqueCallId('cap')),
    );
    sessions.push(...batch);
    const results = await Promise.allSettled(batch.map(peak));
    const failed = results.findIndex((r) => r.status === 'rejected');
    if (failed >= 0) {
      error = (results[failed] as PromiseRejectedResult).reason as Error;
      const ok = results.filter((r) => r.status === 'fulfilled').length;
      return { calls: sessions.length - batch.length + ok, error };
    }
  }
  return { calls: sessions.length, error };
}

const engine = (t: Test, opts: LaunchOptions) =>
  rtpengineForTest(t, { ...opts, supervision: { restart: false } });
// The range is a launcher option: an external rtpengine has its own.
const skip = process.env.RTPENGINE_HOST ? 'needs a private rtpengine' : false;

t.test('1000 ports (the old default) run out where callsForPortRange says', { skip }, async (t) => {
  const block = claimPortBlock(1000);
  t.teardown(() => block.release());
  const ports = block.range;
  const re = await engine(t, { ports });
  const predicted = callsForPortRange(ports);
  t.equal(predicted, 125);
  const { calls, error } = await fill(t, re, 400);
  t.ok(error, `rtpengine refused call ${calls + 1}: ${error?.message}`);
  t.ok(
    calls >= predicted * 0.9 && calls <= predicted * 1.1,
    `${calls} calls at the peak, predicted ${predicted}`,
  );
});

t.test('the default range carries 500 calls at the peak', { skip }, async (t) => {
  const re = await engine(t, { portCount: DEFAULT_PORT_COUNT });
  const { calls, error } = await fill(t, re, 500);
  t.equal(error, undefined, error?.message ?? 'no refusal');
  t.equal(calls, 500);
  const range = re.handle.ports;
  t.equal(range && range.max - range.min + 1, 6000, 'default: 6000 ports');
  t.ok(range && callsForPortRange(range) >= 500);
});
