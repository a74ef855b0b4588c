// Gives holdfast an rtpengine: the external one named by RTPENGINE_HOST/RTPENGINE_PORT, or
// a private one started on loopback (userspace, no config file, its own ports) and stopped
// on stop() or when the process exits. Either way it is watched (handle.health): a private
// one is restarted when it dies (rtpengine-supervisor.ts), an external one is pinged and
// its restarts detected from its uptime (rtpengine-monitor.ts).
import { systemClock, type Clock } from '../time/clock';
import { RtpengineUnavailableError } from './errors';
import { claimPortBlock } from './port-block-claim';
import { checkPortRange, DEFAULT_PORT_COUNT, type PortRange } from './port-range';
import { RtpengineHealth } from './rtpengine-health';
import { RtpengineMonitor, type MonitorOptions } from './rtpengine-monitor';
import { freeUdpPort, startRtpengineProcess, waitForPing } from './rtpengine-process';
import { RtpengineSupervisor, type BackoffOptions } from './rtpengine-supervisor';

export { waitForPing } from './rtpengine-process';

export interface RtpengineHandle {
  /** ng control address. */
  host: string;
  port: number;
  /** Media port range of a launched instance. */
  ports?: PortRange;
  portMin?: number;
  portMax?: number;
  /** pid of the launched instance now running (it changes on restart); undefined when external. */
  readonly pid?: number;
  external: boolean;
  /** Up/down, restarts, and the events down, up, stateLost, restartFailed. */
  health: RtpengineHealth;
  /** Last lines rtpengine wrote to stderr (launched instance only). */
  logTail(): string[];
  /** Stops watching, and stops a launched instance (SIGTERM, then SIGKILL). Idempotent. */
  stop(): Promise<void>;
}

export interface SupervisionOptions {
  /** Restart a launched rtpengine that exits. Default true. */
  restart?: boolean;
  backoff?: BackoffOptions;
  monitor?: MonitorOptions;
  clock?: Clock;
}

export interface LaunchOptions {
  binary?: string;
  /** 1–7 (syslog levels); default 4 (warnings). */
  logLevel?: number;
  /** Media ports. Default: a random block of portCount ports in 16384–32767. */
  ports?: PortRange;
  /** Size of the random block when `ports` is not given. Default 6000 (port-range.ts). */
  portCount?: number;
  /** ng port; default a free one. */
  ngPort?: number;
  /** Seconds without RTP before rtpengine drops a call (its --timeout). Default 60. */
  rtpTimeoutSec?: number;
  /** Worker threads; default: rtpengine's own (one per core). */
  threads?: number;
  readyTimeoutMs?: number;
  stopGraceMs?: number;
  extraArgs?: string[];
  supervision?: SupervisionOptions;
}

export interface ConnectOptions {
  /** Time for the first ping to be answered. Default 3000 ms. */
  readyTimeoutMs?: number;
  supervision?: Pick<SupervisionOptions, 'monitor' | 'clock'>;
}

/** The rtpengine of the environment if RTPENGINE_HOST/PORT are set, else a launched one. */
export async function rtpengineFromEnv(
  opts: LaunchOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<RtpengineHandle> {
  const { RTPENGINE_HOST, RTPENGINE_PORT } = env;
  if (RTPENGINE_HOST || RTPENGINE_PORT) {
    const port = Number(RTPENGINE_PORT);
    if (!RTPENGINE_HOST || !Number.isInteger(port) || port <= 0 || port > 65535) {
      throw new RtpengineUnavailableError(
        `RTPENGINE_HOST and RTPENGINE_PORT must both be set (host and ng UDP port); got ` +
          `RTPENGINE_HOST=${RTPENGINE_HOST ?? ''} RTPENGINE_PORT=${RTPENGINE_PORT ?? ''}`,
      );
    }
    return connectExternal(RTPENGINE_HOST, port, {
      readyTimeoutMs: opts.readyTimeoutMs ?? 3000,
      supervision: opts.supervision,
    });
  }
  return launchRtpengine(opts);
}

export async function connectExternal(
  host: string,
  port: number,
  opts: ConnectOptions = {},
): Promise<RtpengineHandle> {
  const readyTimeoutMs = opts.readyTimeoutMs ?? 3000;
  try {
    await waitForPing(host, port, readyTimeoutMs);
  } catch {
    throw new RtpengineUnavailableError(
      `rtpengine at ${host}:${port} (RTPENGINE_HOST/RTPENGINE_PORT) did not answer an ng ping ` +
        `within ${readyTimeoutMs} ms: check that it runs with --listen-ng=${host}:${port}`,
    );
  }
  const clock = opts.supervision?.clock ?? systemClock;
  const health = new RtpengineHealth(true, `${host}:${port}`, clock);
  const monitor = new RtpengineMonitor(host, port, health, true, {
    ...opts.supervision?.monitor,
    clock,
  });
  await monitor.start();
  return {
    host,
    port,
    external: true,
    health,
    logTail: () => [],
    stop: async () => {
      monitor.stop();
      health.reportStopped();
    },
  };
}

export async function launchRtpengine(opts: LaunchOptions = {}): Promise<RtpengineHandle> {
  const host = '127.0.0.1';
  // A block of its own unless told (see port-block-claim.ts); released on stop.
  const claim = opts.ports ? undefined : claimPortBlock(opts.portCount ?? DEFAULT_PORT_COUNT);
  const ports = opts.ports ?? claim!.range;
  checkPortRange(ports);
  const processOptions = {
    binary: opts.binary ?? 'rtpengine',
    host,
    ngPort: opts.ngPort ?? (await freeUdpPort(host)),
    ports,
    logLevel: opts.logLevel ?? 4,
    rtpTimeoutSec: opts.rtpTimeoutSec ?? 60,
    threads: opts.threads,
    extraArgs: opts.extraArgs ?? [],
    readyTimeoutMs: opts.readyTimeoutMs ?? 10000,
    stopGraceMs: opts.stopGraceMs ?? 3000,
  };
  let first;
  try {
    first = await startRtpengineProcess(processOptions);
  } catch (err) {
    claim?.release();
    throw err;
  }
  const sup = opts.supervision ?? {};
  const clock = sup.clock ?? systemClock;
  claim?.heldAlsoBy(first.pid);
  const health = new RtpengineHealth(false, `${host}:${processOptions.ngPort}`, clock, first.pid);
  // The process's exit is seen at once; pings add what an exit does not show (a frozen one).
  const monitor = new RtpengineMonitor(host, processOptions.ngPort, health, false, {
    ...sup.monitor,
    clock,
  });
  await monitor.start();
  const restart = sup.restart ?? true;
  const supervisor = restart
    ? new RtpengineSupervisor(first, {
        process: processOptions,
        health,
        backoff: sup.backoff,
        clock,
        onRestarted: (pid) => {
          claim?.heldAlsoBy(pid);
          monitor.rebase();
        },
      })
    : undefined;
  if (!supervisor) {
    void first.exited.then((exit) => {
      health.reportDown('exited', `rtpengine ${exit.signal ?? `code ${exit.code}`}`);
      health.reportStateLost('exited', false);
    });
  }
  let stopping: Promise<void> | undefined;
  return {
    host,
    port: processOptions.ngPort,
    ports,
    portMin: ports.min,
    portMax: ports.max,
    get pid() {
      return supervisor ? supervisor.pid : first.pid;
    },
    external: false,
    health,
    logTail: () => (supervisor ? supervisor.logTail() : first.logTail()),
    stop: () =>
      (stopping ??= (async () => {
        monitor.stop();
        health.reportStopped();
        await (supervisor ? supervisor.stop() : first.stop());
        claim?.release();
      })()),
  };
}
