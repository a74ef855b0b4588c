// Load bench: SIPp customers with RTP (PCMU rtp_stream, both ways) through holdfast to SIPp
// static agents, on a private rtpengine and the SIP server, each in its own process.
//
//   concurrency  calls ramp up (at --ramp-rate) to each of --calls and stay up through a
//                window of --window-s; meanwhile --drop-share of the agents stop their RTP
//                (half of them, --return-share, resume it): the disconnect path under load
//   watchdog     at --compare-at calls, no drops: holdfast with its watchdog on (sparse
//                polls), dense (every --poll-ms, as before media/README.md's "Watchdog
//                cost"), off (a poll period of a day), and the baseline — rtpengine CPU compared
//   rate         short calls arriving at each of --rates per second, holdfast and baseline:
//                the highest rate set up with no failure and set-up p99 ≤ --max-setup-ms
//   --instances N  concurrency and rate, each step with one holdfast (its state in the
//                process; --single-redis: on Redis too) and again with N instances sharing a
//                redis-server of the bench's own, on the same SIP server and rtpengine: the
//                N / 1 ratios, and Redis round trips per call set-up and episode (MONITOR)
//
// The baseline (bench/load/baseline-b2bua.ts) is a bare drachtio-srf B2BUA anchoring media
// in the same rtpengine, no watchdog, no policy. Per step: calls held, failed, set-up
// p50/p99, detection (agent's RTP stops → watchdog loss; → prompt to the customer), false
// disconnects, CPU and RSS of the gateway, rtpengine and SIP server, the load average.
//
//   npm run bench:load -- [--calls 100,200,300,500] [--rates 20,40,60,80,120] [--only concurrency,watchdog,rate]
//        [--ramp-rate 25] [--window-s 20] [--loss-ms 2000] [--drop-share 0.1] [--return-share 0.5]
//        [--poll-ms 100] [--flowing-poll-ms N] [--compare-at N] [--no-dense] [--no-baseline]
//        [--music-delay-ms N] (holdfast's queue.musicDelayMs)
//        [--rate-s 15] [--rate-hold-ms 2000] [--max-setup-ms 2000] [--port-block N] [--keep-logs]
//        [--instances N [--single-redis]]
//
// Progress and a human summary on stdout; the last line is JSON.
import os from 'node:os';
import { describeNg } from './load/ng-phases';
import { runStep, type StepResult, type StepSpec } from './load/run-step';
import { printConcurrency, printRates, printWatchdog, type RateVerdict } from './load/report';
import { printInstances, type InstancesVerdict } from './load/multi-report';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
function num(name: string, fallback: number): number {
  const v = Number(arg(name, String(fallback)));
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} must be a number ≥ 0`);
  return v;
}
const list = (name: string, fallback: string) => arg(name, fallback).split(',').filter(Boolean);

const CALLS = list('calls', '100,200,300,500').map(Number);
const RATES = list('rates', '20,40,60,80,120').map(Number);
const INSTANCES = process.argv.includes('--instances') ? num('instances', 2) : undefined;
if (INSTANCES !== undefined && (!Number.isInteger(INSTANCES) || INSTANCES < 1))
  throw new Error('--instances must be a whole number ≥ 1');
const SINGLE_REDIS = process.argv.includes('--single-redis');
const ONLY = new Set(list('only', INSTANCES ? 'concurrency,rate' : 'concurrency,watchdog,rate'));
const RAMP_RATE = num('ramp-rate', 25);
const WINDOW_MS = num('window-s', 20) * 1000;
const LOSS_MS = num('loss-ms', 2000);
const DROP_SHARE = num('drop-share', 0.1);
const RETURN_SHARE = num('return-share', 0.5);
const POLL_MS = process.argv.includes('--poll-ms') ? num('poll-ms', 100) : undefined;
const COMPARE_AT = num('compare-at', Math.max(...CALLS));
const RATE_SECONDS = num('rate-s', 15);
const RATE_HOLD_MS = num('rate-hold-ms', 2000);
const MAX_SETUP_MS = num('max-setup-ms', 2000);
const FLOWING_POLL_MS = process.argv.includes('--flowing-poll-ms')
  ? num('flowing-poll-ms', 1000)
  : undefined;
const PORT_BLOCK = process.argv.includes('--port-block') ? num('port-block', 6000) : undefined;
const MUSIC_DELAY_MS = process.argv.includes('--music-delay-ms')
  ? num('music-delay-ms', 0)
  : undefined;
const BASELINE = !process.argv.includes('--no-baseline');
const DENSE = !process.argv.includes('--no-dense');
/** A poll period of a day: each call is queried once when watched, then never. */
const WATCHDOG_OFF_MS = 86_400_000;

const base = {
  lossMs: LOSS_MS,
  returnShare: RETURN_SHARE,
  mediaPollMs: POLL_MS,
  mediaFlowingPollMs: FLOWING_POLL_MS,
  portBlock: PORT_BLOCK,
  musicDelayMs: MUSIC_DELAY_MS,
  keepLogs: process.argv.includes('--keep-logs'),
};

const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
const load = () => os.loadavg()[0].toFixed(2);

async function step(spec: StepSpec): Promise<StepResult> {
  log(`${spec.label}: starting (load average ${load()})`);
  let r: StepResult;
  try {
    r = await runStep(spec);
  } catch (err) {
    // A port taken by another process on a shared machine, mostly: once more, afresh.
    log(`${spec.label}: ${(err as Error).message.split('\n')[0]}; trying once more`);
    r = await runStep(spec);
  }
  const d = r.disconnects;
  log(
    `${spec.label}: held ${r.held}/${r.calls}, failed ${r.failed}, set-up p50 ${r.setupMs.p50} p99 ` +
      `${r.setupMs.p99} ms` +
      (r.redis
        ? `, redis trips/set-up ${r.redis.perCallSetup ?? r.redis.perCall}` +
          (r.redis.perEpisode !== undefined ? ` /episode ${r.redis.perEpisode}` : '')
        : '') +
      (d
        ? `, stops ${d.stops}` +
          (d.stops ? `: → prompt p50 ${d.stopToPrompt.p50} p99 ${d.stopToPrompt.p99} ms` : '') +
          `, missed ${d.missed}, false ${d.falseDisconnects}`
        : '') +
      `; CPU ${Object.entries(r.usage.processes)
        .filter(([name]) => !name.startsWith('sipp'))
        .map(([name, u]) => `${name} ${u.cpuPct}%`)
        .join(' ')}; load ${r.usage.loadAvg.start}→${r.usage.loadAvg.end}`,
  );
  for (const n of r.notes) log(`  note: ${n.replace(/\n/g, ' | ')}`);
  for (const e of d?.examples ?? []) log(`  ${e}`);
  if (r.endReasons) log(`  calls ended: ${JSON.stringify(r.endReasons)}`);
  if (r.ng)
    log(`  rtpengine, set-up: ${describeNg(r.ng.setup)}; window: ${describeNg(r.ng.window)}`);
  if (Object.keys(r.problems).length) log(`  warnings: ${JSON.stringify(r.problems)}`);
  return r;
}

async function main(): Promise<void> {
  const agents = Math.ceil(Math.max(...CALLS, COMPARE_AT, ...RATES.map((r) => r * 4)) * 1.2) + 20;
  log(
    `load bench: ${os.cpus().length} cores, load average ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}; ` + `${agents} static agents, media.lossMs ${LOSS_MS}`,
  );
  const out: {
    concurrency: StepResult[];
    watchdog: StepResult[];
    rate: StepResult[];
    rateVerdict?: RateVerdict;
    instances?: InstancesVerdict;
  } = { concurrency: [], watchdog: [], rate: [] };
  // --instances N: each step with one instance, then with N (on Redis).
  const variants = INSTANCES
    ? [
        {
          name: SINGLE_REDIS ? '1 instance (redis)' : '1 instance',
          instances: SINGLE_REDIS ? 1 : undefined,
        },
        { name: `${INSTANCES} instances`, instances: INSTANCES },
      ]
    : [{ name: 'holdfast', instances: undefined }];

  if (ONLY.has('concurrency'))
    for (const calls of CALLS)
      for (const v of variants)
        out.concurrency.push(
          await step({
            ...base,
            label: `${v.name} ${calls} calls`,
            app: 'holdfast',
            instances: v.instances,
            calls,
            rate: RAMP_RATE,
            windowMs: WINDOW_MS,
            dropShare: DROP_SHARE,
            agents,
          }),
        );

  if (ONLY.has('watchdog')) {
    const same = { calls: COMPARE_AT, rate: RAMP_RATE, windowMs: WINDOW_MS, dropShare: 0, agents };
    out.watchdog.push(
      await step({
        ...base,
        ...same,
        label: `holdfast ${COMPARE_AT}, watchdog on`,
        app: 'holdfast',
      }),
    );
    if (DENSE)
      out.watchdog.push(
        await step({
          ...base,
          ...same,
          label: `holdfast ${COMPARE_AT}, watchdog dense`,
          app: 'holdfast',
          mediaFlowingPollMs: POLL_MS ?? 100,
        }),
      );
    out.watchdog.push(
      await step({
        ...base,
        ...same,
        label: `holdfast ${COMPARE_AT}, watchdog off`,
        app: 'holdfast',
        mediaPollMs: WATCHDOG_OFF_MS,
        mediaFlowingPollMs: WATCHDOG_OFF_MS,
      }),
    );
    if (BASELINE)
      out.watchdog.push(
        await step({ ...base, ...same, label: `baseline ${COMPARE_AT}`, app: 'baseline' }),
      );
  }

  const rateRuns = INSTANCES
    ? variants.map((v) => ({ ...v, app: 'holdfast' as const }))
    : [
        { name: 'holdfast', app: 'holdfast' as const, instances: undefined },
        ...(BASELINE ? [{ name: 'baseline', app: 'baseline' as const, instances: undefined }] : []),
      ];
  if (ONLY.has('rate'))
    for (const { name, app, instances } of rateRuns)
      for (const rate of RATES) {
        const r = await step({
          ...base,
          label: `${name} ${rate}/s`,
          app,
          instances,
          calls: Math.round(rate * RATE_SECONDS),
          rate,
          // The window covers the arrivals: every call is short (RATE_HOLD_MS).
          windowMs: 0,
          dropShare: 0,
          agents,
          holdMs: RATE_HOLD_MS,
        });
        out.rate.push(r);
        if (r.failed || !(r.setupMs.p99 <= MAX_SETUP_MS)) break; // past its capacity
      }

  console.log('');
  if (INSTANCES)
    out.instances = printInstances(out.concurrency, out.rate, {
      maxSetupMs: MAX_SETUP_MS,
      lossMs: LOSS_MS,
    });
  else if (out.concurrency.length) printConcurrency(out.concurrency, LOSS_MS);
  if (out.watchdog.length) printWatchdog(out.watchdog);
  if (!INSTANCES && out.rate.length) out.rateVerdict = printRates(out.rate, MAX_SETUP_MS);
  console.log(
    JSON.stringify({
      bench: 'load',
      cores: os.cpus().length,
      lossMs: LOSS_MS,
      dropShare: DROP_SHARE,
      rampRate: RAMP_RATE,
      windowMs: WINDOW_MS,
      ...out,
    }),
  );
}

main().catch((err: Error) => {
  console.error(`load bench failed: ${err.stack ?? err.message}`);
  process.exit(1);
});
