// What a soak run proves, checked once it is over: every call the gateway saw has its call
// record; nothing is left in the gateway or rtpengine; memory and descriptors are back near
// where they were; every fault happened; the gateway exited cleanly. Plus the numbers.
import { CALL_KINDS, type CallKind } from './call-kinds';
import type { FaultCounts } from './fault-plan';
import type { GatewayProbe } from './gateway-process';
import type { RelayStats } from './lossy-relay';
import type { RecordInbox } from './record-inbox';
import { hangupPhase, type HangupPhase } from './record-phases';
import type { CallResult } from './soak-call';
import type { SoakOptions } from './soak-options';

export interface Check {
  name: string;
  ok: boolean;
  value: string;
  want: string;
}

export interface SoakReport {
  ok: boolean;
  checks: Check[];
  summary: Record<string, unknown>;
}

export interface EvaluateInput {
  options: SoakOptions;
  wallS: number;
  results: CallResult[];
  records: RecordInbox;
  idle: GatewayProbe;
  warm?: GatewayProbe;
  final: GatewayProbe;
  faults: FaultCounts;
  faultsPending: number;
  lossStats: RelayStats;
  settleError?: string;
  agentsAvailable: { available: number; others: string[] };
  agents: number;
  gatewayExit: number | null;
  promptMs: number;
}

const count = <T>(items: T[], key: (t: T) => string | undefined) => {
  const out: Record<string, number> = {};
  for (const i of items) {
    const k = key(i);
    if (k !== undefined) out[k] = (out[k] ?? 0) + 1;
  }
  return out;
};

export function evaluate(x: EvaluateInput): SoakReport {
  const { results, records, final } = x;
  const owed = results.filter((r) => r.reached);
  const unrecorded = owed.filter((r) => !r.sipCallId || !records.bySipCallId.has(r.sipCallId));
  const recs = [...records.bySipCallId.values()];
  const phases = count(recs, (r) => hangupPhase(r, x.promptMs));
  const episodes = count(
    recs.flatMap((r) => r.disconnects),
    (e) => e.outcome,
  );
  const evidence = count(
    recs.flatMap((r) => r.disconnects),
    (e) => e.evidence,
  );
  const talked = results.filter((r) => r.heardAgent !== undefined);
  const heard = talked.filter((r) => r.heardAgent).length;
  const again = results.filter((r) => r.heardAgain !== undefined);
  const ranKinds = count(results, (r) => r.ran);
  const s = final.stats;
  const warm = x.warm ?? x.idle;
  const rssGrowth = (final.rssKb - warm.rssKb) / warm.rssKb;
  const fdLimit = x.idle.fds + Math.max(5, Math.round(x.idle.fds * 0.05));
  const checks: Check[] = [];
  const check = (name: string, ok: boolean, value: unknown, want: string) =>
    checks.push({ name, ok, value: String(value), want });
  const minFault = Math.max(1, Math.min(3, Math.floor(results.length / 50)));
  check('calls run', results.length > 0, results.length, '> 0');
  check(
    'every call the gateway saw has a record',
    unrecorded.length === 0,
    `${owed.length - unrecorded.length}/${owed.length}`,
    'all',
  );
  check(
    'no duplicate or unnamed records',
    records.duplicates + records.unnamed === 0,
    records.duplicates + records.unnamed,
    '0',
  );
  check('gateway settled', !x.settleError, x.settleError ?? 'yes', 'yes');
  check(
    'gateway calls left',
    s.calls === 0 && s.queued === 0,
    `${s.calls} (+${s.queued} queued)`,
    '0',
  );
  check(
    'rtpengine sessions left',
    final.rtpengineCalls === 0,
    final.rtpengineCalls ?? 'unknown',
    '0',
  );
  check('SIP dialogs left', s.dialogs === 0, s.dialogs, '0');
  check('deadlines left', s.deadlines === 0, s.deadlines, '0');
  check('engagements left', s.engagements === 0, s.engagements, '0');
  check('media watches left', s.watchedCalls === 0, s.watchedCalls, '0');
  check(
    'agents available at the end',
    x.agentsAvailable.available === x.agents,
    `${x.agentsAvailable.available}/${x.agents}${x.agentsAvailable.others.length ? ` (${x.agentsAvailable.others.join(', ')})` : ''}`,
    'all',
  );
  check(
    'gateway RSS growth after warm-up',
    rssGrowth < 0.1,
    `${(rssGrowth * 100).toFixed(1)} % (${mb(warm.rssKb)} → ${mb(final.rssKb)} MB)`,
    '< 10 %',
  );
  check('gateway open fds', final.fds <= fdLimit, `${x.idle.fds} → ${final.fds}`, `≤ ${fdLimit}`);
  check(
    'customers heard their agent',
    talked.length > 0 && heard / talked.length >= x.options.heardShare,
    `${heard}/${talked.length}`,
    `≥ ${Math.round(x.options.heardShare * 100)} %`,
  );
  // After a reattach or reroute; the few misses are calls an rtpengine kill caught.
  const heardAgain = again.filter((r) => r.heardAgain).length;
  check(
    'customers heard an agent again after its return',
    again.length > 0 && heardAgain / again.length >= x.options.heardShare,
    `${heardAgain}/${again.length}`,
    `≥ ${Math.round(x.options.heardShare * 100)} %`,
  );
  check(
    'stuck or failed scripts',
    !results.some((r) => r.end === 'stuck' || r.end === 'error'),
    results.filter((r) => r.end === 'stuck' || r.end === 'error').length,
    '0',
  );
  for (const k of CALL_KINDS)
    check(`calls of kind ${k}`, (ranKinds[k] ?? 0) >= minFault, ranKinds[k] ?? 0, `≥ ${minFault}`);
  for (const p of ['ringing', 'talking', 'prompt', 'reroute'] as HangupPhase[])
    check(`hang-ups while ${p}`, (phases[p] ?? 0) >= 1, phases[p] ?? 0, '≥ 1');
  // Wait music, after the prompt or in the queue (waiting for a free agent).
  const music = (phases.music ?? 0) + (phases.queued ?? 0);
  check(
    'hang-ups while music/queued',
    music >= 1,
    `${phases.music ?? 0} + ${phases.queued ?? 0}`,
    '≥ 1',
  );
  check(
    'episodes reattached',
    (episodes.reattached ?? 0) >= minFault,
    episodes.reattached ?? 0,
    `≥ ${minFault}`,
  );
  check('episodes rerouted', (episodes.rerouted ?? 0) >= 1, episodes.rerouted ?? 0, '≥ 1');
  const wantKills = x.options.rtpengineKills;
  check(
    'rtpengine killed and restarted',
    x.faults.rtpengineRestartsSeen === wantKills,
    `${x.faults.rtpengineRestartsSeen}/${wantKills}`,
    `${wantKills}`,
  );
  const wantRestarts = x.options.sipserverRestarts;
  check(
    'SIP server restarted',
    x.faults.sipserverRestarts === wantRestarts,
    `${x.faults.sipserverRestarts}/${wantRestarts}`,
    `${wantRestarts}`,
  );
  check(
    'UDP datagrams dropped by the lossy relays',
    x.options.lossyShare === 0 || x.lossStats.dropped > 0,
    x.lossStats.dropped,
    '> 0',
  );
  check('gateway exit code', x.gatewayExit === 0, x.gatewayExit, '0');
  const summary = {
    bench: 'soak',
    ok: checks.every((c) => c.ok),
    calls: results.length,
    wallS: Math.round(x.wallS),
    cps: Math.round((results.length / x.wallS) * 100) / 100,
    ends: count(results, (r) => r.end),
    kinds: ranKinds as Record<CallKind, number>,
    recordOutcomes: count(recs, (r) => r.outcome),
    endReasons: count(recs, (r) => r.endReason),
    hangupPhases: phases,
    episodes,
    evidence,
    heardAgent: { heard, of: talked.length },
    heardAgainAfterReturn: { heard: heardAgain, of: again.length },
    loss: { ...x.lossStats, lossyCalls: results.filter((r) => r.lossy).length },
    faults: x.faults,
    gateway: { idle: usage(x.idle), warm: usage(warm), final: usage(final) },
    left: { ...s, rtpengineCalls: final.rtpengineCalls },
    failed: checks.filter((c) => !c.ok).map((c) => c.name),
  };
  return { ok: summary.ok, checks, summary };
}

const mb = (kb: number) => Math.round(kb / 102.4) / 10;
const usage = (p: GatewayProbe) => ({ rssMb: mb(p.rssKb), fds: p.fds });

/** The checks as a table, one line each. */
export function checkTable(checks: Check[]): string {
  const w = Math.max(...checks.map((c) => c.name.length));
  const v = Math.max(...checks.map((c) => c.value.length));
  return checks
    .map(
      (c) =>
        `${c.ok ? 'ok  ' : 'FAIL'}  ${c.name.padEnd(w)}  ${c.value.padEnd(v)}  (want ${c.want})`,
    )
    .join('\n');
}
