// Unit tests of the watchdog's per-leg decision (no rtpengine, no sleeping).
import t from 'tap';
import { LegLossDetector, type PollPeriods } from '../../media/leg-loss-detector';

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

t.test(
  "silence after a blind stretch while the call's other party still sends: lost, not stalled",
  async (t) => {
    // An overloaded rtpengine answered one poll late, then the agent really stopped: the
    // customer's packets still being counted prove rtpengine reads its sockets.
    const d = new LegLossDetector({ lossMs: 600, stallWindowMs: 1000 }, 0);
    run(d, 0, 1000, 100, (ms) => Math.floor(ms / 20));
    d.blind();
    t.equal(d.observe(300, 8000, true), undefined);
    t.equal(d.observe(300, 8100, true), undefined);
    t.match(d.observe(300, 8600, true), { type: 'lost', silentForMs: 600 });
    t.equal(d.state, 'lost');
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

/**
 * Polls when the detector asks (nextPollAt, with `periods`), from `from` to `to`; returns
 * the events and the number of polls up to the first event.
 */
function runAsAsked(
  d: LegLossDetector,
  from: number,
  to: number,
  periods: PollPeriods,
  packetsAt: (ms: number) => number,
) {
  const events: { type: string; at: number; silentForMs?: number }[] = [];
  let polls = 0;
  for (let now = from; now <= to; now = Math.max(now + 1, d.nextPollAt(now, periods))) {
    if (!events.length) polls++;
    const e = d.observe(packetsAt(now), now);
    if (e)
      events.push({
        type: e.type,
        at: now,
        ...('silentForMs' in e ? { silentForMs: e.silentForMs } : {}),
      });
  }
  return { events, polls };
}

const SPARSE: PollPeriods = { fastMs: 100, flowingMs: 1000, lostMs: 250 };

t.test(
  'sparse polls: a steady leg is polled once per flowingMs, and its stop is found lossMs after it, not one poll period later',
  async (t) => {
    for (const stopAt of [5_003, 5_250, 5_500, 5_770, 5_990]) {
      const d = new LegLossDetector({ lossMs: 2000 }, 0);
      const packets = (ms: number) => Math.floor(Math.min(ms, stopAt) / 20);
      const { events, polls } = runAsAsked(d, 0, 12_000, SPARSE, packets);
      t.equal(events.length, 1, `stop at ${stopAt}: one event`);
      t.equal(events[0]?.type, 'lost');
      const lastPacket = Math.floor(stopAt / 20) * 20;
      const late = events[0].at - (lastPacket + 2000);
      t.ok(
        late >= 0 && late <= 70,
        `stop at ${stopAt}: lost ${Math.round(late)} ms after lossMs of silence`,
      );
      // Starting (fast) until the first packet, one per second, one more when it went silent.
      t.ok(polls <= 10, `stop at ${stopAt}: ${polls} polls up to the loss (${stopAt + 2000} ms)`);
    }
  },
);

t.test('sparse polls never call a loss early, whatever the jitter and short gaps', async (t) => {
  let seed = 11;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  let early = 0;
  let alarms = 0;
  for (let trial = 0; trial < 200; trial++) {
    // 20 ms packets with ±8 ms jitter, a gap of up to 1.5 s somewhere, a stop at the end.
    const gapAt = 3000 + random() * 4000;
    const gapMs = random() * 1500;
    const stopAt = 9000 + random() * 2000;
    const times: number[] = [];
    for (let at = 0; at < stopAt; at += 20)
      if (at < gapAt || at >= gapAt + gapMs) times.push(at + (random() * 2 - 1) * 8);
    const last = Math.max(...times);
    const packets = (ms: number) => times.filter((x) => x <= ms).length;
    const d = new LegLossDetector({ lossMs: 2000 }, 0);
    const { events } = runAsAsked(d, 0, 16_000, SPARSE, packets);
    for (const e of events) {
      alarms++;
      if (e.type === 'lost' && e.at - last < 2000) early++;
    }
    t.ok(events.length <= 1, `trial ${trial}: at most the one loss`);
  }
  t.equal(early, 0, 'no loss declared before lossMs of real silence');
  t.equal(alarms, 200, 'every final stop found');
});

t.test('sparse polls: DTX-like packets (one per 400 ± 100 ms) never alarm', async (t) => {
  let seed = 3;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const times: number[] = [];
  // Speech (20 ms packets) for 3 s, then DTX, then speech again, and so on.
  for (let at = 0; at < 60_000;) {
    const talking = Math.floor(at / 3000) % 2 === 0;
    times.push(at);
    at += talking ? 20 : 400 + (random() * 2 - 1) * 100;
  }
  const packets = (ms: number) => times.filter((x) => x <= ms).length;
  const d = new LegLossDetector({ lossMs: 1000 }, 0);
  const { events } = runAsAsked(
    d,
    0,
    60_000,
    { fastMs: 100, flowingMs: 500, lostMs: 250 },
    packets,
  );
  t.same(events, []);
});

t.test('nextPollAt: by state', async (t) => {
  const d = new LegLossDetector({ lossMs: 2000, graceMs: 1500 }, 0);
  t.equal(d.nextPollAt(0, SPARSE), 100, 'starting: fast');
  d.observe(0, 1450);
  t.equal(d.nextPollAt(1450, SPARSE), 1500, 'starting: not past the grace');
  d.observe(10, 1500);
  t.equal(d.state, 'flowing');
  t.equal(d.nextPollAt(1500, SPARSE), 2500, 'flowing: flowingMs');
  const blind = new LegLossDetector({ lossMs: 2000 }, 0);
  blind.blind();
  t.equal(blind.nextPollAt(1600, SPARSE), 1700, 'blind: fast');
  d.observe(20, 1700);
  d.observe(20, 2700);
  t.equal(
    d.nextPollAt(2700, SPARSE),
    3700,
    'silent since 1700: at the latest when it would be lost',
  );
  d.observe(20, 3700);
  t.equal(d.state, 'lost');
  t.equal(d.nextPollAt(3700, SPARSE), 3950, 'lost: lostMs');
  d.observe(30, 3950);
  d.suspend();
  t.equal(d.nextPollAt(4000, SPARSE), 5000, 'suspended: flowingMs');
});

t.test(
  'sparse polls: a hiccup (a few packets never sent) does not cost the next stop its dating',
  async (t) => {
    for (const stopAt of [8_130, 9_410, 10_770]) {
      // 20 ms packets; 6 of them (120 ms) missing at 6.5 s, as a starved sender skips them.
      const times: number[] = [];
      for (let at = 0; at < stopAt; at += 20) if (at < 6_500 || at >= 6_620) times.push(at);
      const packets = (ms: number) => times.filter((x) => x <= ms).length;
      const d = new LegLossDetector({ lossMs: 2000 }, 0);
      const { events } = runAsAsked(d, 0, 16_000, SPARSE, packets);
      t.equal(events.length, 1, `stop at ${stopAt}: one event`);
      const late = events[0].at - (times[times.length - 1] + 2000);
      t.ok(late >= 0 && late <= 70, `stop at ${stopAt}: lost ${Math.round(late)} ms after lossMs`);
    }
  },
);

t.test('sparse polls: a leg that goes on at a lower rate is dated by it again', async (t) => {
  // 20 ms packets, then 40 ms ones from 5 s (the same leg, a new ptime), a stop at 14.03 s.
  const times: number[] = [];
  for (let at = 0; at < 14_030; at += at < 5000 ? 20 : 40) times.push(at);
  const packets = (ms: number) => times.filter((x) => x <= ms).length;
  const d = new LegLossDetector({ lossMs: 2000 }, 0);
  const { events, polls } = runAsAsked(d, 0, 20_000, SPARSE, packets);
  t.equal(events.length, 1);
  const late = events[0].at - (times[times.length - 1] + 2000);
  t.ok(late >= 0 && late <= 70, `lost ${Math.round(late)} ms after lossMs`);
  t.ok(polls <= 24, `${polls} polls up to the loss`);
});

t.test(
  'sparse polls: a leg with no steady rate (DTX) is polled every unsteadyMs, so its stop is found at most that late',
  async (t) => {
    const periods: PollPeriods = { fastMs: 100, flowingMs: 1000, unsteadyMs: 250, lostMs: 250 };
    for (const stopAt of [20_010, 20_500, 20_990]) {
      let seed = 5;
      const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      const times: number[] = [];
      for (let at = 0; at < stopAt; at += 300 + random() * 200) times.push(at);
      const packets = (ms: number) => times.filter((x) => x <= ms).length;
      const d = new LegLossDetector({ lossMs: 2000 }, 0);
      const { events } = runAsAsked(d, 0, 26_000, periods, packets);
      t.equal(events.length, 1, `stop at ${stopAt}: one event`);
      const late = events[0].at - (times[times.length - 1] + 2000);
      t.ok(late >= 0 && late <= 260, `stop at ${stopAt}: lost ${Math.round(late)} ms after lossMs`);
    }
  },
);

t.test(
  'sparse polls: a steady leg turning to DTX just before it stops may be found early, never before lossMs - flowingMs',
  async (t) => {
    const periods: PollPeriods = { fastMs: 100, flowingMs: 1000, unsteadyMs: 250, lostMs: 250 };
    let earliest = Infinity;
    for (let stopAt = 19_500; stopAt < 21_000; stopAt += 37) {
      // Talk spurts of 20 ms packets and DTX (one per ~400 ms), in turns of 1.5 s.
      let seed = 5;
      const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      const times: number[] = [];
      for (let at = 0; at < stopAt;) {
        times.push(at);
        at += Math.floor(at / 1500) % 2 === 0 ? 20 : 300 + random() * 200;
      }
      const packets = (ms: number) => times.filter((x) => x <= ms).length;
      const d = new LegLossDetector({ lossMs: 2000 }, 0);
      const { events } = runAsAsked(d, 0, 26_000, periods, packets);
      t.equal(events.length, 1, `stop at ${stopAt}: one event`);
      const silent = events[0].at - times[times.length - 1];
      earliest = Math.min(earliest, silent);
      t.ok(
        silent >= 1000 && silent <= 2260,
        `stop at ${stopAt}: lost after ${Math.round(silent)} ms`,
      );
    }
    t.ok(
      earliest < 2000,
      `the dating can err early here (earliest after ${Math.round(earliest)} ms)`,
    );
  },
);

t.test(
  'back from a blind stretch, a flowing leg is polled fast until its stall is decided',
  async (t) => {
    const d = new LegLossDetector({ lossMs: 2000, stallWindowMs: 1000 }, 0);
    const packets = (ms: number) => Math.floor(ms / 20);
    let now = 0;
    for (; now <= 10_000; now = Math.max(now + 1, d.nextPollAt(now, SPARSE)))
      d.observe(packets(now), now);
    t.equal(d.nextPollAt(now, SPARSE) - now, 1000, 'steady: flowingMs');
    d.blind();
    d.observe(packets(now + 5000), now + 5000);
    t.equal(d.nextPollAt(now + 5000, SPARSE), now + 5100, 'just back: fast');
    d.observe(packets(now + 7900), now + 7900);
    t.equal(d.nextPollAt(now + 7900, SPARSE), now + 8000, 'within stallWindowMs + lossMs: fast');
    d.observe(packets(now + 8100), now + 8100);
    t.equal(
      d.nextPollAt(now + 8100, SPARSE),
      now + 8100 + (SPARSE.unsteadyMs ?? 1000),
      'after: as before',
    );
  },
);
