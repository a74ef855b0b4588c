// The soak itself: a steady stream of calls through the rig (soak-rig.ts), each carrying
// its kind's fault, with the gateway-wide faults (fault-plan.ts) on top; then the end
// checks (end-checks.ts). `npm run soak` and test/soak/soak-short.test.ts both run this.
import fs from 'node:fs';
import path from 'node:path';
import { kindDeck } from './call-kinds';
import { evaluate, type SoakReport } from './end-checks';
import { FaultPlan } from './fault-plan';
import type { GatewayProbe } from './gateway-process';
import type { RelayStats } from './lossy-relay';
import type { AgentHooks } from './soak-agent';
import { SoakCall, type CallResult } from './soak-call';
import type { SoakOptions } from './soak-options';
import { startRig, TIMING, type Rig } from './soak-rig';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Longer than Node's HTTP keepAliveTimeout (5 s), the gateway's. */
const HTTP_IDLE_MS = 6000;

/**
 * The gateway at rest: the lowest RSS of a few probes, each after a full collection, over
 * about two seconds. V8 and malloc hand freed pages back over a moment, not at the GC, so
 * one probe right after a busy spell reads tens of MB the gateway no longer holds.
 */
async function restingProbe(rig: Rig): Promise<GatewayProbe> {
  let best = await rig.gateway.probe({ gc: true });
  for (let i = 0; i < 3; i++) {
    await sleep(700);
    const p = await rig.gateway.probe({ gc: true });
    if (p.rssKb < best.rssKb) best = p;
  }
  return best;
}

export async function runSoak(o: SoakOptions, say: (line: string) => void): Promise<SoakReport> {
  const t0 = Date.now();
  const deadline = t0 + o.minutes * 60_000;
  const calls = new Map<string, SoakCall>();
  const results: CallResult[] = [];
  const lossStats: RelayStats = { forwarded: 0, dropped: 0 };
  const random = Math.random;
  const hooks: AgentHooks = {
    ringing: (key) => {
      const call = calls.get(key);
      const race = call?.kind === 'cancel-race' && !call.raced;
      if (race) call.raced = true;
      // The agent a hangup-reroute call is rerouted to rings long enough to be hung up on.
      const slow = call?.kind === 'hangup-reroute' && call.agents.length > 0;
      return {
        ringMs: slow ? 2000 : 150 + random() * 550,
        // CANCEL and 200 OK leave at the same instant: they cross in the gateway.
        onAnswer: race ? () => void call.customer.cancel() : undefined,
      };
    },
    answered: (key, agent) => calls.get(key)?.agentAnswered(agent),
    released: (key, agent) => {
      if (agent.awayFor !== key) return;
      agent.awayFor = undefined;
      setTimeout(() => void agent.signalConnected(), 300);
    },
  };
  say(`soak: starting the SIP server, the gateway (with its rtpengine) and ${o.agents} agents`);
  const rig = await startRig({ agents: o.agents, hooks, logDir: o.logDir });
  const idle = await rig.gateway.probe({ gc: true });
  const deck = kindDeck(random);
  const faults = new FaultPlan({
    rtpengineKills: o.rtpengineKills,
    sipserverRestarts: o.sipserverRestarts,
  });
  // After the warm-up: how far the run is, by calls or by time, whichever is further.
  let main: { calls: number; at: number } | undefined;
  const progress = () =>
    main
      ? Math.max(
          (started - main.calls) / Math.max(1, o.calls - main.calls),
          (Date.now() - main.at) / Math.max(1, deadline - main.at),
        )
      : -1;
  let started = 0;
  let last: GatewayProbe = idle;
  const ticker = setInterval(() => {
    void rig.gateway.probe().then(
      (p) => {
        last = p;
        if (!o.quiet) say(progressLine(t0, started, results, calls.size, rig, p, faults));
      },
      () => undefined,
    );
  }, o.progressS * 1000);

  const runOne = async (n: number) => {
    const key = `c${n}`;
    const loss = random() < o.lossyShare ? o.loss : 0;
    const call = new SoakCall(key, deck(), {
      sip: rig.sip,
      timing: TIMING,
      loss,
      lossStats,
      random,
    });
    calls.set(key, call);
    const result = await call.run();
    calls.delete(key);
    for (const agent of call.agents) {
      agent.forget(key);
      if (agent.awayFor === key) {
        agent.awayFor = undefined;
        void agent.signalConnected();
      }
    }
    results.push(result);
    // Which agent answers is the gateway's choice: a ws-close that met a UDP agent waits
    // for the next call, so that every run closes WebSockets as often as it meant to.
    if (result.kind !== result.ran) deck.putBack(result.kind);
    if (result.end === 'stuck' || result.end === 'error')
      say(
        `call ${key} (${result.ran}, ${result.sipCallId ?? 'no Call-ID'}): ${result.end} ${result.error ?? ''}`,
      );
  };

  const launch = async (upTo: number) => {
    const inflight = new Set<Promise<void>>();
    let next = Date.now();
    while (started < upTo && Date.now() < deadline) {
      if (inflight.size >= o.concurrency) {
        faults.poll(progress(), rig, say);
        await Promise.race(inflight);
        continue;
      }
      const wait = next - Date.now();
      if (wait > 0) await sleep(wait);
      next = Math.max(next + 1000 / o.rate, Date.now() - 1000);
      faults.poll(progress(), rig, say);
      const p: Promise<void> = runOne(started++).finally(() => inflight.delete(p));
      inflight.add(p);
    }
    await Promise.all(inflight);
  };

  let warm: GatewayProbe | undefined;
  let final: GatewayProbe | undefined;
  let settleError: string | undefined;
  let agentsAvailable = { available: 0, others: [] as string[] };
  let gatewayExit: number | null = null;
  try {
    await launch(Math.min(o.warmupCalls, o.calls));
    await settle(rig);
    warm = await restingProbe(rig);
    say(
      `soak: warm-up of ${started} calls done; baseline RSS ${mb(warm.rssKb)} MB, ${warm.fds} fds`,
    );
    main = { calls: started, at: Date.now() };
    await launch(o.calls);
    // A fault still due (the run ended early) fires now: every run has them all.
    for (let p = 1; faults.pending; p++) {
      faults.poll(p, rig, say);
      await faults.settled();
    }
    await faults.settled();
    say(
      `soak: ${started} calls run in ${Math.round((Date.now() - t0) / 1000)} s; waiting for the gateway to settle`,
    );
    settleError = await settle(rig, 120_000).then(
      () => undefined,
      (err: Error) => err.message,
    );
    if (settleError)
      say(`soak: calls left in the gateway: ${JSON.stringify(await rig.api('/v1/calls'))}`);
    await waitForRecords(rig, results, 30_000);
    agentsAvailable = await availableAgents(rig);
    // The agents' last API calls leave keep-alive connections open in the gateway for its
    // HTTP keepAliveTimeout (5 s): descriptors are counted once those have closed.
    await sleep(HTTP_IDLE_MS);
    final = await restingProbe(rig);
  } finally {
    clearInterval(ticker);
    gatewayExit = (await rig.close()).gatewayExit;
    if (o.logDir) writeDetails(o.logDir, results, rig);
  }
  return evaluate({
    options: o,
    wallS: (Date.now() - t0) / 1000,
    results,
    records: rig.inbox,
    idle,
    warm,
    final: final ?? last,
    faults: faults.counts,
    faultsPending: faults.pending,
    lossStats,
    settleError,
    agentsAvailable,
    agents: o.agents,
    gatewayExit,
    promptMs: TIMING.promptMs,
  });
}

/** Until nothing of any call is left in the gateway or its rtpengine. */
async function settle(rig: Rig, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let p: GatewayProbe | undefined;
  for (;;) {
    p = await rig.gateway.probe().catch(() => p);
    const s = p?.stats;
    if (
      s &&
      s.calls === 0 &&
      s.queued === 0 &&
      s.engagements === 0 &&
      s.deadlines === 0 &&
      s.watchedCalls === 0 &&
      s.dialogs === 0 &&
      p!.rtpengineCalls === 0
    )
      return;
    if (Date.now() > until)
      throw new Error(
        `not settled after ${timeoutMs / 1000} s: ${JSON.stringify({ ...s, rtpengineCalls: p?.rtpengineCalls })}`,
      );
    await sleep(500);
  }
}

async function waitForRecords(rig: Rig, results: CallResult[], timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  const owed = results.filter((r) => r.reached && r.sipCallId);
  while (Date.now() < until && owed.some((r) => !rig.inbox.bySipCallId.has(r.sipCallId!)))
    await sleep(500);
}

/** The agents the gateway has as available, and how the others stand (id: status). */
async function availableAgents(rig: Rig): Promise<{ available: number; others: string[] }> {
  // Dropped agents signal their return a moment after their leg is released; WebSocket
  // agents may still be registering again after the last SIP server restart.
  const until = Date.now() + 15_000;
  let nudged = false;
  for (;;) {
    const { agents } = (await rig.api('/v1/agents')) as {
      agents: { id: string; status: string; absence?: string }[];
    };
    // An agent the gateway still holds as away (its return signal came before the gateway
    // saw it go, as a call ended) comes back now, as a desktop eventually does. One left
    // 'disconnected' with no absence is the gateway's fault: that one fails the check.
    if (!nudged) {
      nudged = true;
      const away = agents.filter((a) => a.absence).map((a) => a.id);
      await Promise.all(
        rig.agents.filter((a) => away.includes(a.id)).map((a) => a.signalConnected()),
      );
      if (away.length) continue;
    }
    const others = agents
      .filter((a) => a.status !== 'available')
      .map((a) => `${a.id}: ${a.status}${a.absence ? ` (${a.absence})` : ''}`);
    if (!others.length || Date.now() > until)
      return { available: agents.length - others.length, others };
    await sleep(500);
  }
}

/** Every call's result and every record, one JSON line each, for a failed run's post-mortem. */
function writeDetails(dir: string, results: CallResult[], rig: Rig): void {
  const lines = (xs: unknown[]) => xs.map((x) => JSON.stringify(x)).join('\n') + '\n';
  fs.writeFileSync(path.join(dir, 'results.jsonl'), lines(results));
  fs.writeFileSync(path.join(dir, 'records.jsonl'), lines([...rig.inbox.bySipCallId.values()]));
}

const mb = (kb: number) => Math.round(kb / 102.4) / 10;

function progressLine(
  t0: number,
  started: number,
  results: CallResult[],
  inflight: number,
  rig: Rig,
  p: GatewayProbe,
  faults: FaultPlan,
): string {
  const by: Record<string, number> = {};
  for (const r of results) by[r.end] = (by[r.end] ?? 0) + 1;
  const s = Math.round((Date.now() - t0) / 1000);
  return (
    `[${String(s).padStart(5)} s] started ${started}, done ${results.length}, in flight ${inflight} ` +
    `(${Object.entries(by)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}) | records ${rig.inbox.size} | ` +
    `gateway calls ${p.stats.calls}, rtpengine ${p.rtpengineCalls ?? '?'}, RSS ${mb(p.rssKb)} MB, ` +
    `fds ${p.fds} | faults: rtpengine kills ${faults.counts.rtpengineKills}, sipserver restarts ${faults.counts.sipserverRestarts}`
  );
}
