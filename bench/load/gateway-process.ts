// The gateway under load, in a process of its own so that its CPU and RSS are its own:
// forked by the load bench with a JSON job file (argv[2]) holding the raw configuration,
// the watchdog's poll period and where to log. DRACHTIO_* and RTPENGINE_* in the
// environment point it at the bench's SIP server and rtpengine. Logs JSON lines at info
// (the production default) to the job's log file: the call records are read from there.
// Tells the parent {ready} once it takes calls; stops on {stop}, then exits.
import fs from 'node:fs';
import pino from 'pino';
import { parseConfig } from '../../gateway/config/load-config';
import { startGateway } from '../../gateway/gateway';
import { createLogger } from '../../gateway/logging/logger';

export interface GatewayJob {
  config: Record<string, unknown>;
  /** The watchdog's poll period; huge = the watchdog is, in effect, off. */
  mediaPollMs?: number;
  mediaFlowingPollMs?: number;
  logFile: string;
}

export type FromGateway = { ready: true } | { failed: string } | { ng: NgSnapshot };

/** Per ng command: requests so far, their total time, and the cumulative histogram. */
export type NgSnapshot = Record<
  string,
  { count: number; sumMs: number; buckets: [number, number][] }
>;

interface MetricJson {
  name: string;
  values: { value: number; labels: Record<string, string | number>; metricName?: string }[];
}

/** What the gateway's own rtpengine_request_seconds histogram holds. */
async function ngSnapshot(metrics: { registry: { getMetricsAsJSON(): Promise<unknown> } }) {
  const all = (await metrics.registry.getMetricsAsJSON()) as MetricJson[];
  const h = all.find((m) => m.name === 'holdfast_rtpengine_request_seconds');
  const out: NgSnapshot = {};
  for (const v of h?.values ?? []) {
    const cmd = String(v.labels.command);
    const entry = (out[cmd] ??= { count: 0, sumMs: 0, buckets: [] });
    if (v.metricName?.endsWith('_count')) entry.count = v.value;
    else if (v.metricName?.endsWith('_sum')) entry.sumMs = v.value * 1000;
    else if (v.metricName?.endsWith('_bucket') && v.labels.le !== '+Inf')
      entry.buckets.push([Number(v.labels.le) * 1000, v.value]);
  }
  return out;
}

async function main(): Promise<void> {
  const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')) as GatewayJob;
  const config = parseConfig(job.config, { env: process.env });
  const logger = createLogger({
    level: config.log.level,
    destination: pino.destination({ dest: job.logFile, sync: true }),
  });
  const gw = await startGateway(config, {
    logger,
    mediaPollMs: job.mediaPollMs,
    mediaFlowingPollMs: job.mediaFlowingPollMs,
    processMetrics: false,
  });
  process.on('message', (msg: { stop?: boolean; report?: boolean }) => {
    if (msg.report)
      void ngSnapshot(gw.metrics).then((ng) => process.send!({ ng } satisfies FromGateway));
    if (msg.stop) void gw.stop().finally(() => process.disconnect());
  });
  process.send!({ ready: true } satisfies FromGateway);
}

main().catch((err: Error) => {
  process.send?.({ failed: err.stack ?? err.message } satisfies FromGateway);
  process.exitCode = 1;
  process.disconnect?.();
});
