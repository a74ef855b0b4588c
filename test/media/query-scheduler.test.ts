// Unit tests of the shared query budget (fake clock).
import t from 'tap';
import { QueryScheduler } from '../../media/query-scheduler';
import { ManualClock } from '../fixtures/manual-clock';

t.test('each job runs at its period while the budget allows', async (t) => {
  const clock = new ManualClock();
  const s = new QueryScheduler({ maxPerSec: 1000, tickMs: 10, clock });
  const runs = new Map<string, number>();
  for (const key of ['a', 'b', 'c'])
    s.add(key, 100, async () => void runs.set(key, (runs.get(key) ?? 0) + 1));
  await clock.advanceAsync(1000);
  for (const key of ['a', 'b', 'c'])
    t.ok(Math.abs(runs.get(key)! - 11) <= 1, `${key}: ${runs.get(key)} runs in 1 s`);
  s.close();
  t.equal(clock.pending, 0, 'no timer left after close');
});

t.test('the global rate is capped and shared evenly', async (t) => {
  const clock = new ManualClock();
  const s = new QueryScheduler({ maxPerSec: 100, tickMs: 20, clock });
  const runs: number[] = new Array(50).fill(0);
  for (let i = 0; i < 50; i++) s.add(`call${i}`, 100, async () => void runs[i]++);
  await clock.advanceAsync(10000);
  const total = runs.reduce((a, b) => a + b, 0);
  t.ok(total <= 100 * 10 + 5, `${total} runs in 10 s at 100/s`);
  t.ok(total >= 100 * 10 * 0.95, 'and the budget is used');
  t.ok(
    Math.max(...runs) - Math.min(...runs) <= 2,
    `evenly (${Math.min(...runs)}–${Math.max(...runs)})`,
  );
  t.equal(s.effectivePeriodMs(100), 500);
  s.close();
});

t.test(
  'a job still running is not started again; removing the last job stops the timer',
  async (t) => {
    const clock = new ManualClock();
    const s = new QueryScheduler({ maxPerSec: 1000, tickMs: 10, clock });
    let started = 0;
    let release: () => void = () => {};
    const remove = s.add('slow', 10, () => {
      started++;
      return new Promise<void>((r) => (release = r));
    });
    await clock.advanceAsync(200);
    t.equal(started, 1);
    release();
    await new Promise((r) => setImmediate(r));
    await clock.advanceAsync(20);
    t.equal(started, 2);
    remove();
    t.equal(clock.pending, 0);
    t.throws(
      () => s.add('slow', 10, async () => {}) && s.add('slow', 10, async () => {}),
      /already exists/,
    );
    s.close();
  },
);

t.test('a run may say when it wants the next one; wake brings a job forward', async (t) => {
  const clock = new ManualClock();
  const s = new QueryScheduler({ maxPerSec: 1000, tickMs: 10, clock });
  const at: number[] = [];
  s.add('timed', 100, async () => {
    at.push(clock.now());
    return clock.now() + 1000;
  });
  await clock.advanceAsync(2500);
  t.same(at, [0, 1000, 2000], 'every 1000 ms as asked, not every 100 ms');
  s.wake('timed', 2600);
  await clock.advanceAsync(200);
  t.same(at, [0, 1000, 2000, 2600], 'woken at 2600');
  s.wake('timed', 9000);
  await clock.advanceAsync(1000);
  t.same(at, [0, 1000, 2000, 2600, 3600], 'a later wake does not delay it');
  s.wake('nobody', 0);
  s.close();
});
