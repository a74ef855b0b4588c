import { EventEmitter } from 'node:events';
import t from 'tap';
import { DrainController, type DrainOptions } from '../../gateway/drain/drain-controller';
import { installDrainSignals } from '../../gateway/drain/drain-signals';
import type { DrainState } from '../../gateway/drain/drain-state';
import { capturedLogger } from './fixtures/log-capture';
import { ManualClock } from '../fixtures/manual-clock';

function controller(extra: Partial<DrainOptions> & { calls?: number } = {}) {
  const clock = new ManualClock();
  const state = { calls: extra.calls ?? 0, endCalls: 0 };
  const { log, capture } = capturedLogger();
  const moves: string[] = [];
  const d = new DrainController({
    activeCalls: () => state.calls,
    endRemaining: async () => {
      state.endCalls++;
      state.calls = 0;
    },
    limitMs: 60_000,
    pollMs: 1000,
    clock,
    log,
    ...extra,
  });
  d.on('state', (to: DrainState, from: DrainState) => moves.push(`${from}→${to}`));
  return { d, clock, state, capture, moves };
}

t.test('with no calls the drain ends at once', async (t) => {
  const { d, clock, state, moves } = controller();
  t.equal(d.acceptingCalls(), true);
  await d.readinessCheck();
  t.same(await d.drain(), { end: 'idle', remaining: 0, elapsedMs: 0 });
  t.same(moves, ['running→draining', 'draining→stopped']);
  t.equal(state.endCalls, 0);
  t.equal(d.acceptingCalls(), false);
  await t.rejects(d.readinessCheck(), /gateway is stopped/);
  t.equal(clock.pending, 0);
});

t.test('calls that end by themselves end the drain, told or polled', async (t) => {
  const { d, clock, state } = controller({ calls: 2 });
  const done = d.drain();
  t.equal(d.state, 'draining');
  t.equal(d.acceptingCalls(), false, 'new INVITEs are refused');
  await t.rejects(d.readinessCheck(), /gateway is draining/);
  t.equal(d.drain(), done, 'drain is idempotent');
  await clock.advanceAsync(5000);
  state.calls = 1;
  d.callEnded();
  t.equal(d.state, 'draining');
  await clock.advanceAsync(2000);
  state.calls = 0; // not told: the poll notices within pollMs
  await clock.advanceAsync(999);
  t.equal(d.state, 'draining');
  await clock.advanceAsync(1);
  t.same(await done, { end: 'idle', remaining: 0, elapsedMs: 8000 });
  t.equal(state.endCalls, 0);
  t.equal(clock.pending, 0);
});

t.test('after the limit the owner ends the remaining calls', async (t) => {
  const { d, clock, state, capture } = controller({ calls: 3, limitMs: 30_000 });
  const done = d.drain();
  await clock.advanceAsync(29_999);
  t.equal(d.state, 'draining');
  await clock.advanceAsync(1);
  t.same(await done, { end: 'limit', remaining: 3, elapsedMs: 30_000 });
  t.equal(state.endCalls, 1);
  t.match(capture.withMsg('draining: ending the calls still up')[0], {
    remaining: 3,
    end: 'limit',
  });
  t.equal(clock.pending, 0);
});

t.test('force ends the wait at once, whether draining or not yet', async (t) => {
  const a = controller({ calls: 2 });
  void a.d.drain();
  await a.clock.advanceAsync(100);
  t.same(await a.d.force(), { end: 'forced', remaining: 2, elapsedMs: 100 });
  t.equal(a.clock.pending, 0);
  const b = controller({ calls: 1 });
  t.same(await b.d.force(), { end: 'forced', remaining: 1, elapsedMs: 0 });
  t.same(b.moves, ['running→draining', 'draining→stopped']);
  await b.d.close(); // nothing left to do
});

t.test('a hanging or failing endRemaining cannot hold the shutdown', async (t) => {
  const hang = controller({
    calls: 1,
    endTimeoutMs: 5000,
    endRemaining: () => new Promise<void>(() => {}),
  });
  const done = hang.d.force();
  await hang.clock.advanceAsync(5000);
  t.match(await done, { end: 'forced', remaining: 1 });
  t.equal(hang.capture.withMsg('draining: calls did not end in time; stopping anyway').length, 1);
  t.equal(hang.clock.pending, 0);
  const fail = controller({
    calls: 1,
    endRemaining: async () => Promise.reject(new Error('rtpengine gone')),
  });
  t.match(await fail.d.force(), { end: 'forced' });
  t.match(fail.capture.withMsg('draining: ending the remaining calls failed; stopping anyway')[0], {
    err: { message: 'rtpengine gone' },
  });
  t.equal(fail.d.state, 'stopped');
});

t.test('bad options are clear errors', async (t) => {
  t.throws(() => controller({ limitMs: -1 }), /drain limitMs: expected a positive number, got -1/);
  t.throws(() => controller({ pollMs: Number.NaN }), /drain pollMs/);
  t.equal(controller({ retryAfterS: 12 }).d.retryAfterS, 12);
});

// End to end on real time with fake calls: SIGTERM, refused INVITEs, calls ending by
// themselves, the limit, the owner closing the rest, and nothing left running.
class FakeCall {
  closed?: string;
  private timer?: NodeJS.Timeout;
  constructor(
    private readonly calls: Set<FakeCall>,
    private readonly onEnd: () => void,
    hangUpAfterMs?: number,
  ) {
    calls.add(this);
    if (hangUpAfterMs !== undefined)
      this.timer = setTimeout(() => void this.close('customer-hangup'), hangUpAfterMs);
  }
  async close(reason: string): Promise<void> {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.closed = reason;
    this.calls.delete(this);
    this.onEnd();
  }
}

function gatewayWithCalls(limitMs: number) {
  const calls = new Set<FakeCall>();
  const signals = new EventEmitter();
  const { log } = capturedLogger();
  const drain: DrainController = new DrainController({
    activeCalls: () => calls.size,
    endRemaining: async () => {
      await Promise.all([...calls].map((c) => c.close('shutdown')));
    },
    limitMs,
    pollMs: 1000,
    retryAfterS: 20,
    log,
  });
  const invite = (
    hangUpAfterMs?: number,
  ): { status: number; retryAfter?: number; call?: FakeCall } =>
    drain.acceptingCalls()
      ? { status: 200, call: new FakeCall(calls, () => drain.callEnded(), hangUpAfterMs) }
      : { status: 503, retryAfter: drain.retryAfterS };
  return { calls, signals, drain, invite };
}

t.test(
  'end to end: SIGTERM drains, refuses INVITEs, and the owner closes the call left at the limit',
  async (t) => {
    const g = gatewayWithCalls(150);
    const short = g.invite(30).call!;
    const long = g.invite().call!;
    const drained = new Promise<unknown>((resolve) => {
      const hook = installDrainSignals(g.drain, { target: g.signals, onDrained: resolve });
      t.teardown(hook.uninstall);
    });
    g.signals.emit('SIGTERM', 'SIGTERM');
    t.same(g.invite(), { status: 503, retryAfter: 20 });
    const result = await drained;
    t.match(result, { end: 'limit', remaining: 1 });
    t.equal(short.closed, 'customer-hangup');
    t.equal(long.closed, 'shutdown');
    t.equal(g.calls.size, 0);
    t.equal(g.drain.state, 'stopped');
  },
);

t.test('end to end: calls ending by themselves finish the drain before the limit', async (t) => {
  const g = gatewayWithCalls(10_000);
  const calls = [g.invite(20).call!, g.invite(40).call!];
  const started = Date.now();
  const hook = installDrainSignals(g.drain, { target: g.signals });
  g.signals.emit('SIGINT', 'SIGINT');
  t.match(await g.drain.drain(), { end: 'idle', remaining: 0 });
  t.ok(Date.now() - started < 1000, 'did not wait for the limit or the poll');
  t.same(
    calls.map((c) => c.closed),
    ['customer-hangup', 'customer-hangup'],
  );
  hook.uninstall();
  t.equal(g.signals.listenerCount('SIGINT') + g.signals.listenerCount('SIGTERM'), 0);
});

t.test('end to end: a second signal ends the calls at once', async (t) => {
  const g = gatewayWithCalls(60_000);
  const call = g.invite().call!;
  const hook = installDrainSignals(g.drain, { target: g.signals });
  g.signals.emit('SIGTERM', 'SIGTERM');
  t.equal(g.drain.state, 'draining');
  g.signals.emit('SIGTERM', 'SIGTERM');
  t.match(await g.drain.drain(), { end: 'forced', remaining: 1 });
  t.equal(call.closed, 'shutdown');
  hook.uninstall();
});
