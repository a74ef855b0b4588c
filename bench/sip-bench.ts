// SIP call-rate benchmark: SIPp UAC → SIP server → drachtio-srf createB2BUA app (in this
// process) → SIPp UAS, all on loopback over UDP. The rate ramps through the steps; each step
// reports calls, failures, INVITE→200 setup p50/p99, the server's CPU share and the load
// average. The last line is JSON for every step.
//
//   npm run bench:sip                                  # holdfast sipserver as a child process
//   SIP_BENCH_STEPS=200,300,400,500 SIP_BENCH_SECONDS=10 npm run bench:sip
//   SIP_BENCH_SERVER=inline npm run bench:sip          # the server inside this process
//   SIP_BENCH_SERVER=external DRACHTIO_HOST=… DRACHTIO_PORT=… DRACHTIO_SECRET=… \
//     SIP_BENCH_SIP=127.0.0.1:5080 SIP_BENCH_SERVER_PID=<pid> npm run bench:sip
//   SIP_BENCH_STOP_ON_FAIL=1   stop at the first step with failed calls
//   SIP_BENCH_PROFILE=<dir>    run the child server under node --cpu-prof (profile in <dir>)
import { loadavg } from 'node:os';
import { connectApp, installB2bua } from '../test/helpers/sip-app';
import { startSipp } from '../test/helpers/sipp';
import { cpuSeconds, startBenchServer, udpDrops, type ServerMode } from './sip-bench-server';

interface Step {
  cps: number;
  calls: number;
  successful: number;
  failed: number;
  setupP50Ms: number;
  setupP99Ms: number;
  wallMs: number;
  /** Of `failed`: calls SIPp saw fail, calls it never finished; and B2BUAs the app saw fail. */
  uacFailed: number;
  unfinished: number;
  appFailed: number;
  /** Share of one core the server process used during the step (child or external only). */
  serverCpu?: number;
  /** The server's CPU time per call, ms: the measure least disturbed by other load. */
  serverCpuMsPerCall?: number;
  /** Share of one core this process (the drachtio-srf app) used during the step. */
  appCpu: number;
  /** Datagrams the kernel dropped at the server's SIP port (full receive buffer). */
  serverUdpDrops?: number;
  load1: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length
    ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
    : NaN;

async function main(): Promise<void> {
  const steps = (process.env.SIP_BENCH_STEPS ?? '100,200,300,350,400,450,500,600')
    .split(',')
    .map(Number);
  const seconds = Number(process.env.SIP_BENCH_SECONDS ?? 5);
  const stopOnFail = process.env.SIP_BENCH_STOP_ON_FAIL === '1';
  const mode = (process.env.SIP_BENCH_SERVER ??
    (process.env.DRACHTIO_HOST ? 'external' : 'process')) as ServerMode;
  const teardowns: Array<() => unknown> = [];
  const scope = { teardown: (fn: () => unknown) => void teardowns.push(fn) };
  try {
    const server = await startBenchServer(mode, process.env.SIP_BENCH_PROFILE);
    teardowns.push(() => server.stop());
    const addr = server.under.sip.udp;
    if (!addr) throw new Error('the SIP server offers no UDP address');
    const srf = await connectApp(scope, server.under);
    const uas = await startSipp(scope, { scenario: 'uas-basic.xml', timeoutMs: 3_600_000 });
    const app = await installB2bua(srf, (req) => `sip:${req.calledNumber}@127.0.0.1:${uas.port}`);
    console.log(
      `SIP server: ${mode}${server.pid ? ` (pid ${server.pid})` : ''} udp ${addr.host}:${addr.port}`,
    );
    console.log(
      'cps    calls  ok     failed (uac/unfin/app)  setup p50/p99 ms  cpu server/app  ms/call  udp drops  load1  wall s',
    );

    const results: Step[] = [];
    for (const cps of steps) {
      const calls = Math.max(1, Math.round(cps * seconds));
      const started = Date.now();
      const cpuBefore = cpuSeconds(server.pid);
      const appCpuBefore = process.cpuUsage();
      const dropsBefore = udpDrops(addr.port);
      const failedBefore = app.failed;
      const uac = await startSipp(scope, {
        scenario: 'uac-basic.xml',
        remote: addr,
        calls,
        rate: cps,
        rtt: true,
        timeoutMs: (seconds + 40) * 1000,
      });
      const r = await uac.done;
      const wallMs = Date.now() - started;
      const cpuAfter = cpuSeconds(server.pid);
      const rtt = [...r.rttMs].sort((a, b) => a - b);
      const appCpu = process.cpuUsage(appCpuBefore);
      const unfinished = Math.max(0, calls - r.successful - r.failed);
      const dropsAfter = udpDrops(addr.port);
      const step: Step = {
        cps,
        calls,
        successful: r.successful,
        failed: r.failed + unfinished,
        uacFailed: r.failed,
        unfinished,
        appFailed: app.failed - failedBefore,
        appCpu: Math.round(((appCpu.user + appCpu.system) / 1000 / wallMs) * 100) / 100,
        serverUdpDrops:
          dropsBefore !== undefined && dropsAfter !== undefined
            ? dropsAfter - dropsBefore
            : undefined,
        setupP50Ms: percentile(rtt, 50),
        setupP99Ms: percentile(rtt, 99),
        wallMs,
        serverCpu:
          cpuBefore !== undefined && cpuAfter !== undefined
            ? Math.round(((cpuAfter - cpuBefore) / (wallMs / 1000)) * 100) / 100
            : undefined,
        serverCpuMsPerCall:
          cpuBefore !== undefined && cpuAfter !== undefined
            ? Math.round(((cpuAfter - cpuBefore) * 1000 * 100) / calls) / 100
            : undefined,
        load1: Math.round(loadavg()[0] * 100) / 100,
      };
      results.push(step);
      console.log(
        [
          String(cps).padEnd(6),
          String(calls).padEnd(6),
          String(step.successful).padEnd(6),
          `${step.failed} (${step.uacFailed}/${step.unfinished}/${step.appFailed})`.padEnd(23),
          `${step.setupP50Ms}/${step.setupP99Ms}`.padEnd(17),
          `${step.serverCpu === undefined ? '-' : `${Math.round(step.serverCpu * 100)}%`}/${Math.round(step.appCpu * 100)}%`.padEnd(
            15,
          ),
          String(step.serverCpuMsPerCall ?? '-').padEnd(8),
          String(step.serverUdpDrops ?? '-').padEnd(10),
          String(step.load1).padEnd(6),
          (wallMs / 1000).toFixed(1),
        ].join(' '),
      );
      if (app.errors.length) console.log(`  app errors: ${app.errors.splice(0).join('; ')}`);
      if (stopOnFail && (step.failed > 0 || r.exitCode !== 0)) break;
      await new Promise((res) => setTimeout(res, 2000)); // let the last calls' timers settle
    }
    const best = results.filter((s) => s.failed === 0).pop();
    console.log(
      best
        ? `Highest rate with 0 failed calls: ${best.cps} cps (${best.calls} calls), setup p50 ${best.setupP50Ms} ms, p99 ${best.setupP99Ms} ms`
        : 'No step completed without failures.',
    );
    console.log(JSON.stringify({ mode, best: best?.cps ?? 0, steps: results }));
    if (process.env.SIP_BENCH_DEBUG) {
      const u = await uas.stop(2000);
      console.log(`UAS: ${JSON.stringify(u.counters)}\n${u.errors.slice(-3000)}`);
    }
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
