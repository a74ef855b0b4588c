// Fuzz (a): mutated SIP over UDP, TCP and WebSocket against the embedded server and a
// drachtio-srf B2BUA app; nothing may crash, log an internal error, hand the app something
// it cannot parse or leave an INVITE hanging, and a good call keeps completing meanwhile.
// FUZZ_SEED / FUZZ_COUNT override the seed and the count per transport.
import t from 'tap';
import { describeFailure, distinctFailures, pinpoint, runCampaign } from './fuzz-campaign';
import { startSipserverTarget } from './sipserver-target';

const seed = Number(process.env.FUZZ_SEED ?? 4475);
const count = Number(process.env.FUZZ_COUNT ?? 2000);

t.test(`sipserver fuzz, seed ${seed}, ${count} messages per transport`, async (t) => {
  const target = await startSipserverTarget(t);
  const report = await runCampaign(target, {
    seed,
    count,
    transports: ['udp', 'tcp', 'ws'],
    rate: 400,
    inviteHangMs: 8000,
    log: (line) => t.comment(line),
  });
  const failures = distinctFailures(report.failures).slice(0, 10);
  for (const f of failures) await pinpoint(target, f);
  t.comment(
    `${report.durationMs} ms, ${report.goodCalls} good calls, sent ${JSON.stringify(report.sent)}`,
  );
  t.comment(
    `responses ${JSON.stringify(report.statuses)}, reconnects ${JSON.stringify(report.reconnects)}`,
  );
  t.same(
    failures.map((f) => describeFailure(seed, f)),
    [],
    'no crash, internal error, unparseable hand-over or hung INVITE',
  );
  t.ok(report.goodCalls >= 3, `good calls completed alongside (${report.goodCalls})`);
  for (const proto of ['udp', 'tcp', 'ws'] as const)
    t.equal(report.sent[proto], count, `${proto}: all sent`);
});
