// One rtpengine process on loopback: spawned with the given ports, ready once it answers an
// ng ping, its stderr kept (last lines), its exit reported, killed at our exit. The
// supervisor (rtpengine-supervisor.ts) starts a new one when it dies.
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { RtpengineUnavailableError } from './errors';
import { NgClient } from './ng-client';
import type { PortRange } from './port-range';

export interface RtpengineProcessOptions {
  binary: string;
  host: string;
  ngPort: number;
  ports: PortRange;
  logLevel: number;
  rtpTimeoutSec: number;
  threads?: number;
  extraArgs: string[];
  readyTimeoutMs: number;
  stopGraceMs: number;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** What rtpengine wrote last (stderr). */
  lastWords: string;
}

export interface RtpengineProcess {
  readonly pid: number;
  /** Settles when the process is gone, whatever the reason. */
  readonly exited: Promise<ProcessExit>;
  logTail(): string[];
  /** SIGTERM, then SIGKILL after the grace period. Idempotent. */
  stop(): Promise<void>;
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

export function freeUdpPort(host: string): Promise<number> {
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

/** Starts rtpengine and resolves once it answers ping; rejects (and kills it) otherwise. */
export async function startRtpengineProcess(
  opts: RtpengineProcessOptions,
): Promise<RtpengineProcess> {
  const { host, binary } = opts;
  // A fresh CLI port each time: nobody uses it, and a restart must not wait for the old one.
  const cliPort = await freeTcpPort(host);
  const args = [
    '--config-file=none',
    '--table=-1',
    `--interface=${host}`,
    `--listen-ng=${host}:${opts.ngPort}`,
    `--listen-cli=${host}:${cliPort}`,
    `--port-min=${opts.ports.min}`,
    `--port-max=${opts.ports.max}`,
    '--foreground',
    '--log-stderr',
    `--log-level=${opts.logLevel}`,
    '--delete-delay=0',
    `--timeout=${opts.rtpTimeoutSec}`,
    ...(opts.threads ? [`--num-threads=${opts.threads}`] : []),
    ...opts.extraArgs,
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
  const lastWords = () => tail.slice(-5).join(' | ') || '(none)';
  let failure: Error | undefined;
  const exited = new Promise<ProcessExit>((resolve) => {
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
      resolve({ code: null, signal: null, lastWords: err.message });
    });
    child.once('exit', (code, signal) => {
      failure ??= new RtpengineUnavailableError(
        `rtpengine exited (${signal ?? `code ${code}`}) before answering ng ping; ` +
          `its last words: ${lastWords()}`,
      );
      running.delete(child);
      resolve({ code, signal, lastWords: lastWords() });
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
      // A stopped (SIGSTOP) process cannot act on SIGTERM until it runs again.
      child.kill('SIGCONT');
      const grace = setTimeout(() => child.kill('SIGKILL'), opts.stopGraceMs);
      await exited;
      clearTimeout(grace);
    })();
    return stopping;
  };

  try {
    await waitForPing(host, opts.ngPort, opts.readyTimeoutMs, () => failure);
  } catch (err) {
    await stop();
    if (err instanceof RtpengineUnavailableError) throw err;
    throw new RtpengineUnavailableError(
      `rtpengine started (pid ${child.pid}) but did not answer ng ping on ${host}:${opts.ngPort}; ` +
        `its last words: ${lastWords()}`,
    );
  }
  return { pid: child.pid!, exited, logTail: () => [...tail], stop };
}
