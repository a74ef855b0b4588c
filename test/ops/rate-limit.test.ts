import t from 'tap';
import { AddressAllowList } from '../../gateway/sip-types/address-allow-list';
import { LruTable } from '../../gateway/rate-limit/lru-table';
import {
  requestClass,
  SipRateLimiter,
  type SipRateLimiterOptions,
} from '../../gateway/rate-limit/sip-rate-limiter';
import { ThrottleReporter } from '../../gateway/rate-limit/throttle-reporter';
import { RateLimitConfigError } from '../../gateway/rate-limit/token-bucket';
import { ManualClock } from '../fixtures/manual-clock';
import { capturedLogger } from './fixtures/log-capture';

function limiter(extra: Partial<SipRateLimiterOptions> = {}) {
  let now = 0;
  const l = new SipRateLimiter({
    setup: { perSecond: 2, burst: 5 },
    other: { perSecond: 20, burst: 40 },
    now: () => now,
    ...extra,
  });
  return { l, advance: (ms: number) => (now += ms) };
}

const count = (n: number, fn: () => boolean) =>
  Array.from({ length: n }, fn).filter(Boolean).length;

t.test(
  'a flood of INVITEs from one source is throttled while another source is served',
  async (t) => {
    const { l, advance } = limiter();
    t.equal(
      count(100, () => l.allow('192.0.2.66', 'INVITE')),
      5,
      'the burst, then nothing',
    );
    t.equal(
      count(5, () => l.allow('192.0.2.10', 'INVITE')),
      5,
      'another source has its own budget',
    );
    advance(1000);
    t.equal(
      count(100, () => l.allow('192.0.2.66', 'INVITE')),
      2,
      'refilled at 2 per second',
    );
    advance(60_000);
    t.equal(
      count(100, () => l.allow('192.0.2.66', 'INVITE')),
      5,
      'never more than the burst',
    );
  },
);

t.test('INVITE/REGISTER and other requests have separate budgets', async (t) => {
  const { l } = limiter();
  t.equal(
    count(10, () => l.allow('192.0.2.1', 'REGISTER')),
    5,
  );
  t.equal(
    l.allow('192.0.2.1', 'invite'),
    false,
    'REGISTER and INVITE share the setup budget; method case does not matter',
  );
  t.equal(
    count(50, () => l.allow('192.0.2.1', 'OPTIONS')),
    40,
    'OPTIONS still served',
  );
  t.equal(requestClass('BYE'), 'other');
  t.equal(requestClass('INVITE'), 'setup');
});

t.test(
  'the SBC gets its configured budget; an exemption without budget is unlimited',
  async (t) => {
    const { l } = limiter({
      exemptions: [
        {
          name: 'sbc',
          from: new AddressAllowList(['10.1.0.0/16']),
          setup: { perSecond: 100, burst: 200 },
        },
        { name: 'monitor', from: new AddressAllowList(['10.9.9.9']) },
      ],
    });
    t.equal(
      count(300, () => l.allow('10.1.2.3', 'INVITE')),
      200,
    );
    t.equal(
      count(1000, () => l.allow('10.1.2.3', 'BYE')),
      1000,
      'other requests of the SBC are unlimited',
    );
    t.equal(
      count(1000, () => l.allow('10.9.9.9', 'INVITE')),
      1000,
    );
    t.equal(
      count(10, () => l.allow('10.2.0.1', 'INVITE')),
      5,
      'outside the exemption: default budget',
    );
    const s = l.takeSummary();
    t.same(s.top, [
      { source: '10.1.2.3', setup: 100, other: 0, exemption: 'sbc' },
      { source: '10.2.0.1', setup: 5, other: 0 },
    ]);
  },
);

t.test('a spoofed-source flood cannot grow the tables past their bound', async (t) => {
  const { l } = limiter({ maxSources: 1000 });
  for (let i = 0; i < 50_000; i++) {
    const addr = `198.18.${(i >> 8) & 255}.${i & 255}`;
    for (let k = 0; k < 6; k++) l.allow(addr, 'INVITE');
  }
  t.equal(l.trackedSources, 1000);
  const s = l.takeSummary();
  t.equal(s.throttled, 50_000);
  t.equal(s.sources, 1000, 'throttled sources remembered: bounded too');
  t.equal(s.top.length, 20);
  t.equal(l.takeSummary().throttled, 0, 'a summary starts a new window');
});

t.test('least recently used sources are forgotten first', async (t) => {
  const table = new LruTable<string, number>(2);
  table.use('a', () => 1);
  table.use('b', () => 2);
  table.use('a', () => 99); // a is now the most recent
  table.use('c', () => 3);
  t.ok(table.has('a'));
  t.notOk(table.has('b'));
  t.same([...table.values()], [1, 3]);
  t.throws(() => new LruTable(0), RangeError);
});

t.test('bad budgets are clear errors', async (t) => {
  t.throws(() => limiter({ setup: { perSecond: 0, burst: 5 } }), RateLimitConfigError);
  t.throws(
    () => limiter({ other: { perSecond: 1, burst: Number.NaN } }),
    /rate limit other requests: expected \{ perSecond > 0, burst > 0 \}/,
  );
  t.throws(
    () =>
      limiter({
        exemptions: [
          { name: 'sbc', from: new AddressAllowList([]), setup: { perSecond: -1, burst: 1 } },
        ],
      }),
    /exemption sbc setup/,
  );
});

t.test('throttled sources are logged once per interval, not per request', async (t) => {
  const clock = new ManualClock();
  const l = new SipRateLimiter({
    setup: { perSecond: 1, burst: 1 },
    other: { perSecond: 1, burst: 1 },
    now: () => clock.now(),
  });
  const { log, capture } = capturedLogger();
  const reporter = new ThrottleReporter(l, log, 10_000, clock);
  const summaries = () =>
    capture.lines.filter((x) => String(x.msg).startsWith('SIP requests throttled'));
  for (let i = 0; i < 500; i++) l.allow('192.0.2.66', 'INVITE');
  t.equal(summaries().length, 0);
  await clock.advanceAsync(10_000);
  t.equal(summaries().length, 1);
  t.match(summaries()[0], {
    level: 40,
    throttled: 499,
    sources: 1,
    top: [{ source: '192.0.2.66', setup: 499 }],
    msg: 'SIP requests throttled: 499 from 1 source(s) in 10 s',
  });
  await clock.advanceAsync(10_000);
  t.equal(summaries().length, 1, 'a quiet interval logs nothing');
  reporter.close();
  t.equal(clock.pending, 0, 'no timer left');
});
