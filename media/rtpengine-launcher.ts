// Gives holdfast an rtpengine: the external one named by RTPENGINE_HOST/RTPENGINE_PORT, or
// a private one started on loopback (userspace, no config file, its own ports) and stopped
// on stop() or when the process exits.
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { NgClient } from './ng-client';
import { RtpengineUnavailableError } from './errors';

export interface RtpengineHandle {
  /** ng control address. */
  host: string;
  port: number;
  /** Media port range of a launched instance. */
  portMin?: number;
  portMax?: number;
  /** pid of a launched instance (for CPU/RSS measurements); undefined when external. */
  pid?: number;
  external: boolean;
  /** Last lines rtpengine wrote to stderr (launched instance only). */
  logTail(): string[];
  /** Stops a launched instance (SIGTERM, then SIGKILL after the grace period). Idempotent. */
  stop(): Promise<void>;
}

export interface LaunchOptions {
  binary?: string;
  /** 1–7 (syslog levels); default 4 (warnings). */
  logLevel?: number;
  /** How many media ports to reserve; a random block of that size is picked. Default 1000. */
  portCount?: number;
  /** Seconds without RTP before rtpengine drops a call (its --timeout). Default 60. */
  rtpTimeoutSec?: number;
  /** Worker threads; default: rtpengine's own (one per core). */
  threads?: number;
  readyTimeoutMs?: number;
  stopGraceMs?: number;
  extraArgs?: string[];
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Only synchronous work is possible here: make sure no rtpengine outlives us.
  process.on('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

function freeUdpPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.once('error', reject);
    s.bind(0, host, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function freeTcpPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once rtpengine answers `ping`, or rejects at the deadline. */
export async function waitForPing(
  host: string,
  port: number,
  deadlineMs: number,
  aborted: () => Error | undefined = () => undefined,
): Promise<void> {
  const client = new NgClient({ host, port, timeoutMs: 250, maxInFlight: 1 });
  const until = Date.now() + deadlineMs;
  try {
    for (;;) {
      const abort = aborted();
      if (abort) throw abort;
      try {
        await client.ping();
        return;
      } catch (err) {
        if (Date.now() >= until) throw err;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    client.close();
  }
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
    return connectExternal(RTPENGINE_HOST, port, opts.readyTimeoutMs ?? 3000);
  }
  return launchRtpengine(opts);
}

export async function connectExternal(
  host: string,
  port: number,
  readyTimeoutMs = 3000,
): Promise<RtpengineHandle> {
  try {
    await waitForPing(host, port, readyTimeoutMs);
  } catch {
    throw new RtpengineUnavailableError(
      `rtpengine at ${host}:${port} (RTPENGINE_HOST/RTPENGINE_PORT) did not answer an ng ping ` +
        `within ${readyTimeoutMs} ms: check that it runs with --listen-ng=${host}:${port}`,
    );
  }
  return { host, port, external: true, logTail: () => [], stop: async () => {} };
}

export async function launchRtpengine(opts: LaunchOptions = {}): Promise<RtpengineHandle> {
  const host = '127.0.0.1';
  const binary = opts.binary ?? 'rtpengine';
  const portCount = opts.portCount ?? 1000;
  // A random block below the kernel's ephemeral range (32768+). If two runs pick the same
  // block, rtpengine skips ports already bound, so a collision costs nothing.
  const blocks = Math.floor((32768 - 16384) / portCount);
  const portMin = 16384 + Math.floor(Math.random() * blocks) * portCount;
  const portMax = portMin + portCount - 1;
  const [ngPort, cliPort] = await Promise.all([freeUdpPort(host), freeTcpPort(host)]);
  const args = [
    '--config-file=none',
    '--table=-1',
    `--interface=${host}`,
    `--listen-ng=${host}:${ngPort}`,
    `--listen-cli=${host}:${cliPort}`,
    `--port-min=${portMin}`,
    `--port-max=${portMax}`,
    '--foreground',
    '--log-stderr',
    `--log-level=${opts.logLevel ?? 4}`,
    '--delete-delay=0',
    `--timeout=${opts.rtpTimeoutSec ?? 60}`,
    ...(opts.threads ? [`--num-threads=${opts.threads}`] : []),
    ...(opts.extraArgs ?? []),
  ];
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const tail: string[] = [];
  let partial = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    tail.push(...lines);
    if (tail.length > 50) tail.splice(0, tail.length - 50);
  });
  let failure: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      failure =
        err.code === 'ENOENT'
          ? new RtpengineUnavailableError(
              `cannot start rtpengine: '${binary}' not found on PATH. Install it with ` +
                `'apt-get install rtpengine-daemon' (or run ./scripts/setup.sh), or point ` +
                `RTPENGINE_HOST/RTPENGINE_PORT at a running rtpengine`,
            )
          : new RtpengineUnavailableError(`cannot start rtpengine '${binary}': ${err.message}`);
      running.delete(child);
      resolve();
    });
    child.once('exit', (code, signal) => {
      failure ??= new RtpengineUnavailableError(
        `rtpengine exited (${signal ?? `code ${code}`}) before answering ng ping; ` +
          `its last words: ${tail.slice(-5).join(' | ') || '(none)'}`,
      );
      running.delete(child);
      resolve();
    });
  });
  running.add(child);
  installExitHook();

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null || !running.has(child)) {
        await exited;
        return;
      }
      child.kill('SIGTERM');
      const grace = setTimeout(() => child.kill('SIGKILL'), opts.stopGraceMs ?? 3000);
      await exited;
      clearTimeout(grace);
    })();
    return stopping;
  };

  try {
    await waitForPing(host, ngPort, opts.readyTimeoutMs ?? 10000, () => failure);
  } catch (err) {
    await stop();
    if (err instanceof RtpengineUnavailableError) throw err;
    throw new RtpengineUnavailableError(
      `rtpengine started (pid ${child.pid}) but did not answer ng ping on ${host}:${ngPort}; ` +
        `its last words: ${tail.slice(-5).join(' | ') || '(none)'}`,
    );
  }
  return {
    host,
    port: ngPort,
    portMin,
    portMax,
    pid: child.pid,
    external: false,
    logTail: () => [...tail],
    stop,
  };
}
