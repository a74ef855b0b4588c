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
  logFile: string;
}

export type FromGateway = { ready: true } | { failed: string };

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
    processMetrics: false,
  });
  process.on('message', (msg: { stop?: boolean }) => {
    if (!msg.stop) return;
    void gw.stop().finally(() => process.disconnect());
  });
  process.send!({ ready: true } satisfies FromGateway);
}

main().catch((err: Error) => {
  process.send?.({ failed: err.stack ?? err.message } satisfies FromGateway);
  process.exitCode = 1;
  process.disconnect?.();
});
