// Fuzz (b): mutated SIP over UDP, TCP and WebSocket against a whole gateway. The process
// must not crash or log an internal error, rtpengine and /health must keep answering, the
// call set up before keeps two-way audio throughout, a call afterwards completes, and
// nothing is left once the fuzzed calls reach their maximum wait.
// FUZZ_SEED / FUZZ_COUNT override the seed and the count per transport.
import t from 'tap';
import { describeFailure, distinctFailures, pinpoint, runCampaign } from './fuzz-campaign';
import { startGatewayTarget } from './gateway-target';

const seed = Number(process.env.FUZZ_SEED ?? 4475);
const count = Number(process.env.FUZZ_COUNT ?? 2000);

// Against drachtio-server 0.9.10 the campaign measures drachtio-srf's parser, not holdfast:
// the server passes on requests drachtio-srf cannot parse (a lowercase `sip/2.0` request line,
// valid ABNF), which it reports as errors. The embedded server answers those itself.
const skip = process.env.DRACHTIO_HOST
  ? 'drachtio-server hands drachtio-srf messages it cannot parse (its own limit, not the gateway)'
  : false;

t.test(`gateway fuzz, seed ${seed}, ${count} messages per transport`, { skip }, async (t) => {
  const target = await startGatewayTarget(t);
  const report = await runCampaign(target, {
    seed,
    count,
    transports: ['udp', 'tcp', 'ws'],
    rate: 300,
    inviteHangMs: 10_000,
    log: (line) => t.comment(line),
  });
  const failures = distinctFailures(report.failures).slice(0, 10);
  for (const f of failures) await pinpoint(target, f);
  t.comment(
    `${report.durationMs} ms, ${report.goodCalls} audio checks, sent ${JSON.stringify(report.sent)}`,
  );
  t.comment(`responses ${JSON.stringify(report.statuses)}`);
  t.same(
    failures.map((f) => describeFailure(seed, f)),
    [],
    'no crash, internal error, unparseable hand-over or hung INVITE; rtpengine and /health up; audio all along',
  );
  t.ok(report.goodCalls >= 3, `the good call was checked alongside (${report.goodCalls} times)`);
  await target.finish();
  t.pass('the good call ends cleanly, a new one completes, nothing is left');
});
