// SIP call-rate benchmark: SIPp UAC → SIP server (embedded, or external via DRACHTIO_*) →
// drachtio-srf createB2BUA app → SIPp UAS, all on loopback over UDP. The rate steps up until
// a step has failed calls; the last line is JSON for the highest rate with none.
//
//   npm run bench:sip                     # default steps 50,100,200,300,400,600,800 cps, 3 s each
//   SIP_BENCH_STEPS=100,300 SIP_BENCH_SECONDS=5 npm run bench:sip
import { connectApp, installB2bua } from '../test/helpers/sip-app';
import { sipServerForTest } from '../test/helpers/sip-server';
import { startSipp } from '../test/helpers/sipp';

interface Step {
  cps: number;
  calls: number;
  successful: number;
  failed: number;
  setupP50Ms: number;
  setupP99Ms: number;
  wallMs: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length
    ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
    : NaN;

async function main(): Promise<void> {
  const steps = (process.env.SIP_BENCH_STEPS ?? '50,100,200,300,400,600,800')
    .split(',')
    .map(Number);
  const seconds = Number(process.env.SIP_BENCH_SECONDS ?? 3);
  const teardowns: Array<() => unknown> = [];
  const scope = { teardown: (fn: () => unknown) => void teardowns.push(fn) };
  try {
    const server = await sipServerForTest(scope, ['udp']);
    const addr = server.sip.udp;
    if (!addr) throw new Error('the SIP server offers no UDP address');
    const srf = await connectApp(scope, server);
    const uas = await startSipp(scope, { scenario: 'uas-basic.xml', timeoutMs: 600_000 });
    const app = installB2bua(srf, (req) => `sip:${req.calledNumber}@127.0.0.1:${uas.port}`);
    console.log(
      `SIP server: ${server.external ? 'external' : 'embedded'} udp ${addr.host}:${addr.port}`,
    );
    console.log('cps    calls  ok     failed  setup p50/p99 ms  wall s');

    const results: Step[] = [];
    for (const cps of steps) {
      const calls = Math.max(1, Math.round(cps * seconds));
      const started = Date.now();
      const failedBefore = app.failed;
      const uac = await startSipp(scope, {
        scenario: 'uac-basic.xml',
        remote: addr,
        calls,
        rate: cps,
        rtt: true,
        timeoutMs: (seconds + 20) * 1000,
      });
      const r = await uac.done;
      const rtt = [...r.rttMs].sort((a, b) => a - b);
      const step: Step = {
        cps,
        calls,
        successful: r.successful,
        failed: r.failed + (calls - r.successful - r.failed) + (app.failed - failedBefore),
        setupP50Ms: percentile(rtt, 50),
        setupP99Ms: percentile(rtt, 99),
        wallMs: Date.now() - started,
      };
      results.push(step);
      console.log(
        [
          String(cps).padEnd(6),
          String(calls).padEnd(6),
          String(step.successful).padEnd(6),
          String(step.failed).padEnd(7),
          `${step.setupP50Ms}/${step.setupP99Ms}`.padEnd(17),
          (step.wallMs / 1000).toFixed(1),
        ].join(' '),
      );
      if (step.failed > 0 || r.exitCode !== 0) break;
    }
    const best = results.filter((s) => s.failed === 0).pop();
    console.log(
      best
        ? `Highest rate with 0 failed calls: ${best.cps} cps (${best.calls} calls), setup p50 ${best.setupP50Ms} ms, p99 ${best.setupP99Ms} ms`
        : 'No step completed without failures.',
    );
    console.log(
      JSON.stringify({
        cps: best?.cps ?? 0,
        calls: best?.calls ?? 0,
        failed: best?.failed ?? results[0]?.failed ?? 0,
        setupP50Ms: best?.setupP50Ms ?? null,
        setupP99Ms: best?.setupP99Ms ?? null,
      }),
    );
  } finally {
    for (const fn of teardowns.reverse()) await fn();
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(err);
    process.exit(1);
  },
);
