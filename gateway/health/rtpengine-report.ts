// Makes rtpengine's supervision visible: every down, up, lost call state and failed restart
// is logged; holdfast_rtpengine_up and holdfast_rtpengine_restarts_total follow it; /ready
// fails while rtpengine is down; /health shows its state; a port range too small for the
// target call count is warned about at start. Acting on lost calls is the
// gateway's business (handle.health 'stateLost'), not this file's.
import type { Logger } from 'pino';
import type { NgClient } from '../../media/ng-client';
import { portRangeWarning, TARGET_CALLS } from '../../media/port-range';
import type { RtpengineHandle } from '../../media/rtpengine-launcher';
import type { GatewayMetrics } from '../metrics/gateway-metrics';
import type { Readiness } from './readiness';

export interface RtpengineReportDeps {
  rtpengine: RtpengineHandle;
  readiness: Readiness;
  metrics: GatewayMetrics;
  log: Logger;
  /** The gateway's ng client: /ready also pings through it (its queue must move too). */
  ng?: Pick<NgClient, 'ping'>;
  /** Calls the private rtpengine's port range should carry; warned about at start. Default 500. */
  targetCalls?: number;
}

/** Starts reporting; returns the function that stops it. */
export function reportRtpengine(deps: RtpengineReportDeps): () => void {
  const { health } = deps.rtpengine;
  const log = deps.log.child({ rtpengine: health.address, external: health.external });
  const { ports } = deps.rtpengine;
  const small = ports && portRangeWarning(ports, deps.targetCalls ?? TARGET_CALLS);
  if (small) log.warn(small);
  let counted = health.restarts;
  const countRestarts = (restarts: number) => {
    if (restarts > counted) deps.metrics.rtpengineRestarted(restarts - counted);
    counted = Math.max(counted, restarts);
  };
  const onDown = (e: { cause: string; reason: string; restarts: number }) => {
    deps.metrics.setRtpengineUp(false);
    log.error({ cause: e.cause, reason: e.reason, restarts: e.restarts }, 'rtpengine down');
  };
  const onUp = (e: { restarts: number; downForMs: number; pid?: number; stateLost: boolean }) => {
    deps.metrics.setRtpengineUp(true);
    countRestarts(e.restarts);
    log.warn(
      {
        restarts: e.restarts,
        downForMs: Math.round(e.downForMs),
        pid: e.pid,
        stateLost: e.stateLost,
      },
      e.stateLost ? 'rtpengine up again, restarted without its calls' : 'rtpengine answers again',
    );
  };
  const onStateLost = (e: { cause: string; answering: boolean; restarts: number }) => {
    countRestarts(e.restarts);
    log.error(
      { cause: e.cause, answering: e.answering, restarts: e.restarts },
      'rtpengine lost the media of every call',
    );
  };
  const onRestartFailed = (e: { attempt: number; error: Error; nextInMs: number }) =>
    log.error(
      { attempt: e.attempt, err: e.error.message, nextInMs: e.nextInMs },
      'rtpengine restart failed',
    );
  health.on('down', onDown);
  health.on('up', onUp);
  health.on('stateLost', onStateLost);
  health.on('restartFailed', onRestartFailed);
  deps.metrics.setRtpengineUp(health.up);

  const removeCheck = deps.readiness.add(
    'rtpengine',
    async () => {
      if (!health.up) {
        const why = health.snapshot().down?.reason;
        throw new Error(`rtpengine ${health.state}${why ? `: ${why}` : ''}`);
      }
      await deps.ng?.ping();
    },
    { timeoutMs: 1000 },
  );
  const removeDetail = deps.readiness.addDetail('rtpengine', () => ({
    ok: health.up,
    ...health.snapshot(),
  }));
  return () => {
    health.off('down', onDown);
    health.off('up', onUp);
    health.off('stateLost', onStateLost);
    health.off('restartFailed', onRestartFailed);
    removeCheck();
    removeDetail();
  };
}
