// The processes a load step runs against, each its own (so that /proc measures each): a
// private rtpengine, the SIP server (`holdfast sipserver`), and the app — holdfast's gateway
// (gateway-process.ts) or the baseline B2BUA (baseline-b2bua.ts) — connected to both as to
// an external drachtio-server and rtpengine. stop() undoes it all, in reverse.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { launchRtpengine, type RtpengineHandle } from '../../media/rtpengine-launcher';
import type { BaselineJob } from './baseline-b2bua';
import type { FromGateway, GatewayJob, NgSnapshot } from './gateway-process';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const START_MS = 20_000;

export type AppKind = 'holdfast' | 'baseline';

export interface SipServerProcess {
  pid: number;
  drachtio: { host: string; port: number; secret: string };
  /** Its UDP SIP port on 127.0.0.1. */
  sipPort: number;
  stop(): Promise<void>;
}

export async function startRtpengine(portCount: number): Promise<RtpengineHandle> {
  // Warnings only: at info it logs every offer and answer, which is not what is measured.
  return launchRtpengine({ portCount, logLevel: 4, supervision: { restart: false } });
}

export async function startSipServerProcess(): Promise<SipServerProcess> {
  const secret = randomBytes(8).toString('hex');
  const child = spawn(
    process.execPath,
    [
      path.join(ROOT, 'bin', 'holdfast'),
      'sipserver',
      '--secret',
      secret,
      '--contact',
      'sip:127.0.0.1:0;transport=udp',
      '--port',
      '0',
      '--loglevel',
      'warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
  const line = await until(
    () => /drachtio apps on ([\d.]+):(\d+); SIP on .*udp\/127\.0\.0\.1:(\d+)/.exec(out),
    child,
    () => `the SIP server did not start: ${out}`,
  );
  return {
    pid: child.pid!,
    drachtio: { host: line[1], port: Number(line[2]), secret },
    sipPort: Number(line[3]),
    stop: () => stopChild(child, 'SIGTERM'),
  };
}

export interface AppProcess {
  kind: AppKind;
  pid: number;
  /** holdfast's JSON log (call records); undefined for the baseline. */
  logFile?: string;
  /** holdfast: its ng latency histogram now (undefined for the baseline). */
  ngSnapshot(): Promise<NgSnapshot | undefined>;
  stop(): Promise<void>;
}

export interface AppOptions {
  kind: AppKind;
  sip: SipServerProcess;
  rtpengine: RtpengineHandle;
  workDir: string;
  /** holdfast: the raw configuration (agents, policy, media…). */
  config?: Record<string, unknown>;
  mediaPollMs?: number;
  mediaFlowingPollMs?: number;
  /** baseline: where its agents are. */
  agentUris?: string[];
  /** Names its job and log files (several gateways in one folder); default the kind. */
  name?: string;
  /** More environment (one of several instances: HOLDFAST_REDIS_URL, its id). */
  env?: Record<string, string>;
}

export async function startApp(o: AppOptions): Promise<AppProcess> {
  const name = o.name ?? o.kind;
  const jobFile = path.join(o.workDir, `${name}-job.json`);
  const logFile = o.kind === 'holdfast' ? path.join(o.workDir, `${name}.log`) : undefined;
  const job: GatewayJob | BaselineJob =
    o.kind === 'holdfast'
      ? {
          config: o.config ?? {},
          mediaPollMs: o.mediaPollMs,
          mediaFlowingPollMs: o.mediaFlowingPollMs,
          logFile: logFile!,
        }
      : { agentUris: o.agentUris ?? [] };
  fs.writeFileSync(jobFile, JSON.stringify(job));
  const entry = path.join(
    __dirname,
    o.kind === 'holdfast' ? 'gateway-process.js' : 'baseline-b2bua.js',
  );
  const child = fork(entry, [jobFile], {
    env: {
      ...process.env,
      DRACHTIO_HOST: o.sip.drachtio.host,
      DRACHTIO_PORT: String(o.sip.drachtio.port),
      DRACHTIO_SECRET: o.sip.drachtio.secret,
      RTPENGINE_HOST: o.rtpengine.host,
      RTPENGINE_PORT: String(o.rtpengine.port),
      ...o.env,
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const reply = await new Promise<FromGateway>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${o.kind} did not start in time`)), START_MS);
    child.once('message', (m: FromGateway) => {
      clearTimeout(timer);
      resolve(m);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${o.kind} exited at start (${code})`));
    });
  });
  if ('failed' in reply) {
    await stopChild(child, 'SIGKILL');
    throw new Error(`${o.kind} failed to start: ${reply.failed}`);
  }
  return {
    kind: o.kind,
    pid: child.pid!,
    logFile,
    ngSnapshot: async () => {
      if (o.kind !== 'holdfast' || !child.connected) return undefined;
      const reply = new Promise<NgSnapshot | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(undefined), 5000);
        const on = (m: FromGateway) => {
          if (!('ng' in m)) return;
          clearTimeout(timer);
          child.off('message', on);
          resolve(m.ng);
        };
        child.on('message', on);
      });
      child.send({ report: true });
      return reply;
    },
    stop: async () => {
      if (child.connected) child.send({ stop: true });
      await stopChild(child, null, 15_000);
    },
  };
}

/** Sends `signal` (if any), waits up to graceMs for the exit, then kills. */
async function stopChild(
  child: ChildProcess,
  signal: NodeJS.Signals | null,
  graceMs = 5000,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  if (signal) child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

async function until<T>(
  probe: () => T | null | undefined,
  child: ChildProcess,
  failure: () => string,
): Promise<T> {
  const end = Date.now() + START_MS;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (child.exitCode !== null || Date.now() > end) {
      child.kill('SIGKILL');
      throw new Error(failure());
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
