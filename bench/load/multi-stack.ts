// The app side of a load step: one app process as before (holdfast in its own state, or the
// baseline), or N holdfast instances sharing their state through a redis-server of the
// step's own (loopback, no persistence), all on the same SIP server and rtpengine. Redis is
// watched with MONITOR (redis-trips.ts), so round trips are counted by Redis, not assumed.
import type { RtpengineHandle } from '../../media/rtpengine-launcher';
import { startRedis } from '../../test/state/redis-server';
import type { NgSnapshot } from './gateway-process';
import { RedisTrips } from './redis-trips';
import { startApp, type AppKind, type AppProcess, type SipServerProcess } from './stack';

export interface AppsOptions {
  kind: AppKind;
  /** undefined: one app, state in the process. N: N holdfast instances on Redis. */
  instances?: number;
  sip: SipServerProcess;
  rtpengine: RtpengineHandle;
  workDir: string;
  config: Record<string, unknown>;
  mediaPollMs?: number;
  mediaFlowingPollMs?: number;
  agentUris: string[];
}

export interface Apps {
  /** Process name → pid for the usage window: gateway (or gateway-1…N), redis. */
  pids: Record<string, number>;
  /** holdfast's JSON logs, one per instance. */
  logFiles: string[];
  /** Redis's own count of round trips; undefined without Redis. */
  trips?: RedisTrips;
  /** The one app's ng histogram (undefined with several instances or the baseline). */
  ngSnapshot(): Promise<NgSnapshot | undefined>;
  stop(): Promise<void>;
}

export async function startApps(o: AppsOptions): Promise<Apps> {
  const common = {
    kind: o.kind,
    sip: o.sip,
    rtpengine: o.rtpengine,
    workDir: o.workDir,
    mediaPollMs: o.mediaPollMs,
    mediaFlowingPollMs: o.mediaFlowingPollMs,
    agentUris: o.agentUris,
    config: o.config,
  };
  if (o.instances === undefined) {
    const app = await startApp(common);
    return {
      pids: { gateway: app.pid },
      logFiles: app.logFile ? [app.logFile] : [],
      ngSnapshot: () => app.ngSnapshot(),
      stop: () => app.stop(),
    };
  }
  if (o.kind !== 'holdfast') throw new Error('several instances: holdfast only');
  const redis = await startRedis();
  const stops: (() => Promise<void>)[] = [() => redis.stop()];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => {});
  };
  try {
    const trips = await RedisTrips.open(redis.port);
    stops.push(async () => trips.close());
    const apps: AppProcess[] = [];
    for (let i = 1; i <= o.instances; i++) {
      // One after the other: the first makes the shared digest secret and agents.
      const app = await startApp({
        ...common,
        name: `holdfast-${i}`,
        env: { HOLDFAST_REDIS_URL: redis.url, HOLDFAST_INSTANCE_ID: `hf-${i}` },
      });
      stops.push(() => app.stop());
      apps.push(app);
    }
    const pids: Record<string, number> = { redis: redis.pid };
    apps.forEach((a, i) => (pids[`gateway-${i + 1}`] = a.pid));
    return {
      pids,
      logFiles: apps.map((a) => a.logFile!),
      trips,
      ngSnapshot: async () => undefined,
      // The gateways first (their last writes), then the monitor and Redis.
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
