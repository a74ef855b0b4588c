// One step of the load bench, from nothing back to nothing: a fresh rtpengine, SIP server
// and app (holdfast or the baseline), SIPp agents and customers; calls arrive at `rate` per
// second up to `calls`, every call stays up through the measuring window, then all hang up.
// In the window the processes' CPU is measured and (holdfast) a share of the agents stops
// its RTP, some resuming later. Returns what was measured.
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NgClient } from '../../media/ng-client';
import { freePort } from '../../test/helpers/sip-ports';
import { describeSipp, type SippResult } from '../../test/helpers/sipp';
import { ngBetween, type NgPhase } from './ng-phases';
import { UsageWindow, type WindowUsage } from './proc-usage';
import { Cleanup, readAgentLog, startAgents, startCustomers } from './sipp-load';
import { startApps } from './multi-stack';
import { redisPhases, type RedisPhases } from './redis-trips';
import { startRtpengine, startSipServerProcess, type AppKind } from './stack';
import {
  disconnectMetrics,
  endReasons,
  heldThrough,
  readCallRecords,
  readProblems,
  summarize,
  unansweredRecords,
  type DisconnectMetrics,
  type Summary,
} from './step-metrics';

export interface StepSpec {
  label: string;
  app: AppKind;
  /** undefined: one holdfast, its state in the process. N: N instances sharing Redis. */
  instances?: number;
  calls: number;
  /** Call arrivals per second. */
  rate: number;
  /** Length of the measuring window once every call is up (ms). */
  windowMs: number;
  /** Share of agents stopping their RTP in the window; 0 = none. */
  dropShare: number;
  returnShare: number;
  lossMs: number;
  /** holdfast's watchdog poll period (undefined: its default; huge: in effect off). */
  mediaPollMs?: number;
  /** holdfast's poll period while legs flow (undefined: its default, sparse). */
  mediaFlowingPollMs?: number;
  /** Static agents configured (and reachable). */
  agents: number;
  /** Extra holdfast configuration merged over the bench's (e.g. policy). */
  config?: Record<string, unknown>;
  /**
   * Rate mode: every call talks this long, and the window is the arrivals (no drops).
   * Unset: concurrency mode, every call up through the window.
   */
  holdMs?: number;
  /** holdfast's queue.musicDelayMs (undefined: its default). */
  musicDelayMs?: number;
  /** rtpengine's media ports. Default 12 a concurrent call (at least 1024). */
  portBlock?: number;
  /** Keep the step's folder (holdfast's log, SIPp's logs) instead of removing it. */
  keepLogs?: boolean;
}

export interface StepResult {
  label: string;
  app: AppKind;
  instances?: number;
  calls: number;
  rate: number;
  held: number;
  failed: number;
  setupMs: Summary;
  disconnects?: DisconnectMetrics;
  usage: WindowUsage;
  /** rtpengine sessions left once every call ended (0 = nothing leaked). */
  leftInRtpengine: number;
  problems: Record<string, number>;
  /** holdfast: its rtpengine requests while calls were set up, and in the window. */
  ng?: { setup: NgPhase; window: NgPhase };
  /** holdfast: how its calls ended (call records), by reason. */
  endReasons?: Record<string, number>;
  /** Several instances: Redis round trips per call set-up, episode, call end (MONITOR). */
  redis?: RedisPhases;
  notes: string[];
}

const SETTLE_MS = 3000;
const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));

export async function runStep(s: StepSpec): Promise<StepResult> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'holdfast-load-'));
  const cleanup = new Cleanup();
  const stops: (() => Promise<unknown>)[] = [];
  const notes: string[] = [];
  try {
    // 8 ports a call at the peak (every call mid-reroute, port-range.ts) and half as many
    // again, in a block of its own: 6000 for 500 calls. Short calls (rate mode) overlap for
    // their talk time and set-up only.
    const concurrent =
      s.holdMs === undefined ? s.calls : Math.min(s.calls, s.rate * (s.holdMs / 1000 + 3));
    const rtpengine = await startRtpengine(
      s.portBlock ?? Math.max(1024, Math.ceil(concurrent * 8 * 1.5)),
    );
    stops.push(() => rtpengine.stop());
    const sip = await startSipServerProcess();
    stops.push(() => sip.stop());
    // The agents' URIs name their port before SIPp starts: hold it until then.
    const agentPort = await freePort();
    const hold = dgram.createSocket('udp4');
    await new Promise<void>((r) => hold.bind(agentPort, '127.0.0.1', r));
    const release = () => {
      try {
        hold.close();
      } catch {
        // closed already
      }
    };
    stops.push(async () => release());
    const agentIds = Array.from({ length: s.agents }, (_, i) => `a${i}`);
    const uri = (id: string) => `sip:${id}@127.0.0.1:${agentPort}`;
    const app = await startApps({
      kind: s.app,
      instances: s.instances,
      sip,
      rtpengine,
      workDir,
      mediaPollMs: s.mediaPollMs,
      mediaFlowingPollMs: s.mediaFlowingPollMs,
      agentUris: agentIds.map(uri),
      config: holdfastConfig(
        s,
        agentIds.map((id) => ({ id, uri: uri(id), token: `${id}-t` })),
      ),
    });
    stops.push(() => app.stop());
    const ng0 = await app.ngSnapshot();
    const idleFrom = Date.now();

    // The timeline, from the first INVITE: arrivals, settle, window, the hang-ups. With
    // Redis, 3 s without calls first: its idle round trips.
    const start = Date.now() + (app.trips ? 3000 : 500);
    const arrivalsMs = (s.calls / s.rate) * 1000;
    const rateMode = s.holdMs !== undefined;
    const windowFrom = rateMode
      ? start + Math.min(2000, arrivalsMs / 2)
      : start + arrivalsMs + SETTLE_MS;
    const windowTo = rateMode ? start + arrivalsMs : windowFrom + s.windowMs;
    const goneMs = s.lossMs + 2000;
    const holdMs = s.holdMs ?? windowTo - start + 1000;
    const timeoutMs = holdMs + arrivalsMs + 60_000;
    release();
    const agents = await startAgents({
      cleanup,
      workDir,
      dropShare: rateMode ? 0 : s.dropShare,
      returnShare: s.returnShare,
      dropFromMs: windowFrom + 1000,
      dropToMs: windowTo - goneMs - s.lossMs - 1500,
      goneMs,
      timeoutMs,
      localPort: agentPort,
    });
    stops.push(() => agents.sipp.stop(3000));
    await sleepUntil(start);
    const customers = await startCustomers({
      cleanup,
      sipPort: sip.sipPort,
      calls: s.calls,
      rate: s.rate,
      holdMs,
      timeoutMs,
    });
    stops.push(() => customers.stop(3000));
    const usage = new UsageWindow({
      ...app.pids,
      rtpengine: rtpengine.pid!,
      sipserver: sip.pid,
      sippCustomers: customers.pid,
      sippAgents: agents.sipp.pid,
    });
    await sleepUntil(windowFrom);
    const ng1 = await app.ngSnapshot();
    usage.start();
    await sleepUntil(windowTo);
    const window = usage.stop();
    const ng2 = await app.ngSnapshot();
    const cust = await customers.done;
    const agentResult = await agents.sipp.stop(3000);
    const leftInRtpengine = await sessionsLeft(rtpengine.host, rtpengine.port);
    const endedAt = Date.now();
    await app.stop();
    stops.pop();

    const records = app.logFiles.flatMap(readCallRecords);
    const episodes = records
      .flatMap((r) => r.disconnects)
      .filter((d) => {
        const t0 = Date.parse(d.t0);
        return t0 >= windowFrom && t0 < windowTo;
      }).length;
    const redis = app.trips
      ? redisPhases(app.trips, {
          idle: [idleFrom + 500, start],
          calls: s.calls,
          ...(rateMode
            ? { all: [start, endedAt] as [number, number] }
            : {
                setup: [start, windowFrom] as [number, number],
                window: [windowFrom, windowTo] as [number, number],
                end: [windowTo, endedAt] as [number, number],
                episodes,
              }),
        })
      : undefined;
    const media = readAgentLog(agents.logFile);
    const failed = customerFailures(cust) + agentResult.failed + unansweredRecords(records);
    if (customerFailures(cust)) notes.push(`customers: ${describeSipp(cust).slice(0, 600)}`);
    if (agentResult.failed) notes.push(`agents: ${describeSipp(agentResult).slice(0, 600)}`);
    return {
      label: s.label,
      app: s.app,
      instances: s.instances,
      calls: s.calls,
      rate: s.rate,
      held:
        s.app === 'holdfast' && !rateMode
          ? heldThrough(records, windowFrom, windowTo)
          : Math.min(s.calls, cust.successful),
      failed,
      setupMs: summarize(cust.rttMs),
      disconnects: s.app === 'holdfast' ? disconnectMetrics(records, media) : undefined,
      usage: window,
      leftInRtpengine,
      problems: mergeCounts(app.logFiles.map(readProblems)),
      endReasons: app.logFiles.length ? endReasons(records) : undefined,
      redis,
      ng: ng2 ? { setup: ngBetween(ng0, ng1), window: ngBetween(ng1, ng2) } : undefined,
      notes,
    };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    await cleanup.run();
    if (s.keepLogs) console.log(`  ${s.label}: logs kept in ${workDir}`);
    else fs.rmSync(workDir, { recursive: true, force: true });
  }
}

function mergeCounts(all: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of all) for (const [k, n] of Object.entries(c)) out[k] = (out[k] ?? 0) + n;
  return out;
}

/** Calls SIPp did not complete: failed, or never finished (created but not successful). */
function customerFailures(r: SippResult): number {
  return Math.max(r.failed, r.created - r.successful);
}

function holdfastConfig(s: StepSpec, agents: { id: string; uri: string; token: string }[]) {
  return {
    sip: { contacts: ['sip:127.0.0.1:0;transport=udp'] },
    http: { listen: '127.0.0.1:0', adminToken: 'load-bench-admin' },
    agents,
    // Nobody is rerouted within a step: a silent agent stays assigned until the hang-up.
    policy: { reconnectWindowMs: 600_000, presenceTimeoutMs: 900_000 },
    media: { lossMs: s.lossMs },
    queue: {
      maxQueued: 5000,
      ...(s.musicDelayMs !== undefined ? { musicDelayMs: s.musicDelayMs } : {}),
    },
    log: { level: 'info' },
    ...s.config,
  };
}

async function sessionsLeft(host: string, port: number): Promise<number> {
  const ng = new NgClient({ host, port });
  try {
    await new Promise((r) => setTimeout(r, 500));
    const reply = await ng.request('list', { limit: 100_000 });
    return (reply.calls as string[] | undefined)?.length ?? 0;
  } catch {
    return NaN;
  } finally {
    ng.close();
  }
}
