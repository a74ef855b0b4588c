// Unit tests of supervision's pure parts: restart backoff, restart detection from uptime
// readings, the health state and its events, and the port range arithmetic.
import t from 'tap';
import { claimPortBlock } from '../../media/port-block-claim';
import { RtpengineHealth } from '../../media/rtpengine-health';
import { RestartDetector, uptimeOf } from '../../media/rtpengine-monitor';
import { Backoff } from '../../media/rtpengine-supervisor';
import {
  callsForPortRange,
  checkPortRange,
  DEFAULT_PORT_COUNT,
  portRangeWarning,
} from '../../media/port-range';
import { ManualClock } from '../fixtures/manual-clock';

t.test(
  'backoff: 250 ms doubling to 10 s, from the start again after a stable minute',
  async (t) => {
    const b = new Backoff();
    const delays = Array.from({ length: 8 }, () => b.next(0));
    t.same(delays, [250, 500, 1000, 2000, 4000, 8000, 10000, 10000]);
    t.equal(b.next(59_999), 10000, 'up for less than a minute: still backed off');
    t.equal(b.next(60_000), 250, 'up for a minute: from the start');
    t.equal(b.next(10), 500);
    t.throws(() => new Backoff({ initialMs: 0 }), RangeError);
  },
);

t.test('restart detection from whole-second uptimes', async (t) => {
  const d = new RestartDetector(500);
  // One process started at t = 10 000 ms, read every 300 ms for 20 s with 5 ms round trips.
  let restarts = 0;
  for (let at = 10_000; at < 30_000; at += 300) {
    const uptime = Math.floor((at + 2 - 10_000) / 1000);
    if (d.observe(uptime, at, at + 5)) restarts++;
  }
  t.equal(restarts, 0, 'no false restart across second boundaries');
  // It restarts at 30 100; the next reading at 30 200 says uptime 0.
  t.ok(d.observe(0, 30_200, 30_205), 'a restart is seen');
  t.notOk(d.observe(1, 31_200, 31_205), 'and taken as the new baseline');
  // A slow answer (1.5 s round trip) proves nothing either way.
  t.notOk(d.observe(2, 32_000, 33_500));
  d.reset();
  t.notOk(d.observe(0, 40_000, 40_001), 'after reset, the first reading is a baseline');
});

t.test("uptimeOf reads rtpengine 10.5's statistics", async (t) => {
  t.equal(uptimeOf({ result: 'ok', statistics: { totalstatistics: { uptime: '57' } } }), 57);
  t.equal(uptimeOf({ result: 'ok', statistics: { totalstatistics: { uptime: 3 } } }), 3);
  t.equal(uptimeOf({ result: 'ok', statistics: { totalstatistics: { uptime: 'x' } } }), undefined);
  t.equal(uptimeOf({ result: 'ok' }), undefined);
});

t.test('health: events and snapshot', async (t) => {
  const clock = new ManualClock(1000);
  const h = new RtpengineHealth(false, '127.0.0.1:2223', clock, 42);
  const seen: string[] = [];
  h.on('down', (e) => seen.push(`down ${e.cause}`));
  h.on('up', (e) => seen.push(`up ${e.restarts} ${e.stateLost} ${e.downForMs}`));
  h.on('stateLost', (e) => seen.push(`lost ${e.cause} ${e.answering} ${e.restarts}`));
  t.match(h.snapshot(), { state: 'up', pid: 42, restarts: 0, forMs: 0 });
  h.reportUp(false);
  t.same(seen, [], 'up while up: nothing');
  clock.advance(500);
  h.reportDown('unresponsive', 'no answer');
  h.reportDown('unresponsive', 'no answer again');
  t.match(h.snapshot(), { state: 'down', down: { cause: 'unresponsive' } });
  clock.advance(100);
  h.reportDown('exited', 'killed by SIGKILL');
  h.reportStateLost('exited', false);
  t.match(h.snapshot(), { down: { cause: 'exited', reason: 'killed by SIGKILL' } });
  h.reportUp(false);
  t.equal(h.state, 'down', 'a ping answer does not end an exit: the restart does');
  clock.advance(300);
  h.reportRestarted(43);
  t.same(seen, ['down unresponsive', 'lost exited false 0', 'up 1 true 400']);
  t.match(h.snapshot(), { state: 'up', pid: 43, restarts: 1, lastStateLostAgoMs: 300 });
  h.reportStateLost('restarted', true);
  t.equal(h.restarts, 2, 'a detected restart counts');
  h.reportStopped();
  h.reportDown('exited', 'stopped');
  t.equal(h.state, 'stopped', 'nothing after stop');
});

t.test('port range: validation and capacity', async (t) => {
  t.equal(callsForPortRange({ min: 30000, max: 30999 }), 125, '1000 ports at the peak');
  t.equal(callsForPortRange({ min: 30000, max: 30999 }, { legsPerCall: 2 }), 250, 'at rest');
  const claim = claimPortBlock(DEFAULT_PORT_COUNT);
  t.teardown(() => claim.release());
  const def = claim.range;
  t.equal(def.max - def.min + 1, 6000);
  t.ok(def.min >= 16384 && def.max < 32768, `${def.min}-${def.max} below the ephemeral range`);
  t.ok(callsForPortRange(def) >= 500 * 1.3, `default carries ${callsForPortRange(def)} calls`);
  t.equal(portRangeWarning(def), undefined);
  t.match(
    portRangeWarning({ min: 30000, max: 30999 }),
    /30000-30999 \(1000 ports\) carries about 125 calls .* 500 need 4000 ports/,
  );
  t.throws(() => checkPortRange({ min: 100, max: 2000 }), /within 1024-65535/);
  t.throws(() => checkPortRange({ min: 2000, max: 2001 }), /fewer than 4 ports/);
  t.throws(() => checkPortRange({ min: 2000.5, max: 3000 }), /integer/);
  t.doesNotThrow(() => checkPortRange({ min: 40000, max: 43999 }));
});
