// Unit tests of the watchdog's per-leg decision (no rtpengine, no sleeping).
import t from 'tap';
import { LegLossDetector } from '../../media/leg-loss-detector';

/** Polls every `poll` ms from `from` to `to`, with `packetsAt(time)` as the counter. */
function run(
  d: LegLossDetector,
  from: number,
  to: number,
  poll: number,
  packetsAt: (ms: number) => number,
) {
  const events: { type: string; at: number }[] = [];
  for (let now = from; now <= to; now += poll) {
    const e = d.observe(packetsAt(now), now);
    if (e) events.push({ type: e.type, at: now });
  }
  return events;
}

t.test(
  'steady 20 ms packets, then silence: lost within one poll of lossMs; restored on the next packet',
  async (t) => {
    const d = new LegLossDetector({ lossMs: 1000 }, 0);
    const stopAt = 2000;
    const resumeAt = 4000;
    const packets = (ms: number) =>
      ms < stopAt
        ? Math.floor(ms / 20)
        : ms < resumeAt
          ? stopAt / 20
          : stopAt / 20 + Math.floor((ms - resumeAt) / 20) + 1;
    const events = run(d, 0, 5000, 100, packets);
    t.equal(events.length, 2);
    t.equal(events[0].type, 'lost');
    t.ok(
      events[0].at >= stopAt + 1000 && events[0].at <= stopAt + 1000 + 200,
      `lost at ${events[0].at}`,
    );
    t.equal(events[1].type, 'restored');
    t.ok(events[1].at >= resumeAt && events[1].at <= resumeAt + 100, `restored at ${events[1].at}`);
  },
);

t.test('DTX-like packets (one per 400 ± 100 ms) never alarm', async (t) => {
  const d = new LegLossDetector({ lossMs: 1000 }, 0);
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const times: number[] = [];
  for (let at = 0; at < 60000; at += 400 + (random() * 2 - 1) * 100) times.push(at);
  const packets = (ms: number) => times.filter((x) => x <= ms).length;
  t.same(run(d, 0, 60000, 100, packets), []);
});

t.test('a leg that never sends is lost after the grace period', async (t) => {
  const d = new LegLossDetector({ lossMs: 500, graceMs: 2000 }, 0);
  const events = run(d, 0, 3000, 100, () => 0);
  t.same(events, [{ type: 'lost', at: 2000 }]);
});

t.test('suspended legs never alarm; resuming gives a fresh grace period', async (t) => {
  const d = new LegLossDetector({ lossMs: 1000 }, 0);
  t.same(
    run(d, 0, 500, 100, (ms) => Math.floor(ms / 20)),
    [],
  );
  d.suspend();
  t.equal(d.state, 'suspended');
  t.same(
    run(d, 600, 10000, 100, () => 25),
    [],
    'held for 9 s: no alarm',
  );
  d.resume(10000);
  t.equal(d.state, 'starting');
  t.same(
    run(d, 10100, 10900, 100, () => 25),
    [],
    'grace',
  );
  t.same(
    run(d, 11000, 11000, 100, () => 25),
    [{ type: 'lost', at: 11000 }],
    'then lost if still silent',
  );
});

t.test('a lost leg stays lost through a hold and is restored by packets', async (t) => {
  const d = new LegLossDetector({ lossMs: 300 }, 0);
  run(d, 0, 1000, 100, () => 0);
  t.equal(d.state, 'lost');
  d.suspend();
  t.equal(d.state, 'lost');
  t.same(
    run(d, 1100, 1200, 100, (ms) => (ms >= 1200 ? 5 : 0)),
    [{ type: 'restored', at: 1200 }],
  );
});

t.test('a counter that goes down is a new baseline, not traffic', async (t) => {
  const d = new LegLossDetector({ lossMs: 300 }, 0);
  d.observe(100, 0);
  d.observe(120, 100);
  t.equal(d.state, 'flowing');
  t.equal(d.observe(3, 200), undefined);
  t.equal(d.observe(3, 400)?.type, 'lost');
});

t.test('a blind stretch is no evidence: silence counts again from the next poll', async (t) => {
  const d = new LegLossDetector({ lossMs: 1000 }, 0);
  run(d, 0, 1000, 100, (ms) => Math.floor(ms / 20));
  d.blind();
  t.ok(d.isBlind);
  // 7 s later the counter has not moved: no loss yet, the silence clock starts now.
  t.equal(d.observe(50, 8000), undefined);
  t.notOk(d.isBlind);
  t.equal(d.state, 'flowing');
  t.equal(d.observe(50, 8900), undefined);
  // Silent from the first poll after the blind stretch: rtpengine's doing, most likely.
  t.match(d.observe(50, 9000), { type: 'stalled', silentForMs: 1000 });
  t.equal(d.state, 'stalled');
  t.match(d.observe(60, 9500), { type: 'restored', lostForMs: 500 }, 'packets restore it');
  // Flowing for a while after the blind stretch, then silent: that is a loss again.
  for (let at = 9600, n = 61; at <= 11_000; at += 100, n += 5) d.observe(n, at);
  t.equal(d.observe(131, 11_900), undefined);
  t.match(d.observe(131, 12_000), { type: 'lost' });
});

t.test(
  'backlog counted on coming back, then silence: stalled (rtpengine 10.5 wedge)',
  async (t) => {
    const d = new LegLossDetector({ lossMs: 600, stallWindowMs: 1000 }, 0);
    run(d, 0, 1000, 100, (ms) => Math.floor(ms / 20));
    d.blind();
    // rtpengine drains 250 queued packets as it resumes, then never reads the socket again.
    t.equal(d.observe(300, 8000), undefined);
    t.equal(d.observe(300, 8100), undefined);
    t.match(d.observe(300, 8600), { type: 'stalled', silentForMs: 600 });
  },
);

t.test('blind while starting: the grace period starts again', async (t) => {
  const d = new LegLossDetector({ lossMs: 500, graceMs: 2000 }, 0);
  d.observe(0, 1900);
  d.blind();
  t.equal(d.observe(0, 5000), undefined);
  t.equal(d.observe(0, 6900), undefined, 'within the new grace');
  t.match(d.observe(0, 7000), { type: 'stalled' });
});

t.test('packets seen after a blind stretch count as usual', async (t) => {
  const d = new LegLossDetector({ lossMs: 300 }, 0);
  run(d, 0, 1000, 100, () => 0);
  t.equal(d.state, 'lost');
  d.blind();
  t.match(d.observe(10, 5000), { type: 'restored' }, 'a lost leg is restored by packets');
  const fresh = new LegLossDetector({ lossMs: 300 }, 0);
  fresh.blind();
  fresh.observe(5, 100);
  t.equal(fresh.state, 'flowing', 'a first packet after a blind start is a first packet');
});

t.test('lossMs must be positive', async (t) => {
  t.throws(() => new LegLossDetector({ lossMs: 0 }, 0), /lossMs must be > 0/);
});
