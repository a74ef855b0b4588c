// The load bench's summary with --instances N: every step with one instance and with N, the
// N / 1 ratios for watched calls (concurrency) and call set-up rate, and what Redis counted
// per call set-up, per episode and per call end.
import type { StepResult } from './run-step';

const pad = (v: unknown, n: number) => String(v).padStart(n);
const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 100) / 100 : NaN);
const isMany = (r: StepResult) => (r.instances ?? 1) > 1;

/** CPU % and peak RSS of each process but SIPp: "gateway-1 12.3%/85MB …". */
function processCells(r: StepResult): string {
  return Object.entries(r.usage.processes)
    .filter(([name]) => !name.startsWith('sipp'))
    .map(
      ([name, u]) => `${name.replace('gateway', 'gw')} ${u.cpuPct}%/${Math.round(u.peakRssMb)}MB`,
    )
    .join(' ');
}

/** Every gateway process's CPU together (percent of one core). */
export function gatewaysCpu(r: StepResult): number {
  const all = Object.entries(r.usage.processes).filter(([name]) => name.startsWith('gateway'));
  return Math.round(all.reduce((n, [, u]) => n + u.cpuPct, 0) * 10) / 10;
}

function variant(r: StepResult): string {
  return r.instances === undefined ? '1' : r.instances === 1 ? '1 (redis)' : String(r.instances);
}

export interface InstancesVerdict {
  /** Per concurrency step: calls held through the window, one instance and N. */
  watched: { calls: number; one: number; many: number; ratio: number; cpuRatio: number }[];
  /** Highest call rate held (no failure, set-up p99 within bound), one instance and N. */
  setupRate: { one?: number; many?: number; ratio?: number };
  /** Redis round trips, averaged over the N-instance steps. */
  redis: { perCallSetup?: number; perEpisode?: number; perCallEnd?: number; perShortCall?: number };
}

const mean = (xs: (number | undefined)[]) => {
  const ok = xs.filter((x): x is number => x !== undefined && Number.isFinite(x));
  return ok.length ? Math.round((ok.reduce((a, b) => a + b, 0) / ok.length) * 10) / 10 : undefined;
};

export function printInstances(
  concurrency: StepResult[],
  rate: StepResult[],
  o: { maxSetupMs: number; lossMs: number },
): InstancesVerdict {
  const verdict: InstancesVerdict = { watched: [], setupRate: {}, redis: {} };
  if (concurrency.length) {
    console.log(
      `Concurrency, one instance and several (agents stopping RTP in the window; detection target p99 ≤ ${o.lossMs + 300} ms to the prompt)`,
    );
    console.log(
      '     inst calls  held fail setup50 setup99 stops prompt50 prompt99 miss false gw%CPU  ' +
        'redis/setup /episode /end  processes (CPU, peak RSS)  load avg',
    );
    for (const r of concurrency) {
      const d = r.disconnects;
      console.log(
        `${pad(variant(r), 9)} ${pad(r.calls, 5)} ${pad(r.held, 5)} ${pad(r.failed, 4)} ` +
          `${pad(r.setupMs.p50, 7)} ${pad(r.setupMs.p99, 7)} ${pad(d?.stops ?? '-', 5)} ` +
          `${pad(d?.stopToPrompt.p50 ?? '-', 8)} ${pad(d?.stopToPrompt.p99 ?? '-', 8)} ` +
          `${pad(d?.missed ?? '-', 4)} ${pad(d?.falseDisconnects ?? '-', 5)} ${pad(gatewaysCpu(r), 6)}  ` +
          `${pad(r.redis?.perCallSetup ?? '-', 11)} ${pad(r.redis?.perEpisode ?? '-', 8)} ` +
          `${pad(r.redis?.perCallEnd ?? '-', 4)}  ${processCells(r)}  ` +
          `${r.usage.loadAvg.start}→${r.usage.loadAvg.end}`,
      );
    }
    for (const many of concurrency.filter(isMany)) {
      const one = concurrency.find((r) => !isMany(r) && r.calls === many.calls);
      if (!one) continue;
      const row = {
        calls: many.calls,
        one: one.held,
        many: many.held,
        ratio: ratio(many.held, one.held),
        cpuRatio: ratio(gatewaysCpu(many), gatewaysCpu(one)),
      };
      verdict.watched.push(row);
      console.log(
        `  ${many.instances} instances / 1 instance at ${many.calls} calls: watched calls held ` +
          `${row.many}/${row.one} = ${row.ratio}; gateways' CPU together ${gatewaysCpu(many)}/` +
          `${gatewaysCpu(one)} % = ${row.cpuRatio}; set-up p99 ${many.setupMs.p99}/${one.setupMs.p99} ms`,
      );
    }
    console.log('');
  }
  if (rate.length) {
    console.log(
      `Call rate, one instance and several (short calls; a rate holds when nothing failed and set-up p99 ≤ ${o.maxSetupMs} ms)`,
    );
    console.log(
      '     inst  rate calls fail setup50 setup99 gw%CPU redis/call  processes (CPU, peak RSS)  load avg',
    );
    for (const r of rate) {
      console.log(
        `${pad(variant(r), 9)} ${pad(r.rate, 5)} ${pad(r.calls, 5)} ${pad(r.failed, 4)} ` +
          `${pad(r.setupMs.p50, 7)} ${pad(r.setupMs.p99, 7)} ${pad(gatewaysCpu(r), 6)} ` +
          `${pad(r.redis?.perCall ?? '-', 10)}  ${processCells(r)}  ` +
          `${r.usage.loadAvg.start}→${r.usage.loadAvg.end}`,
      );
      if (!r.failed && r.setupMs.p99 <= o.maxSetupMs) {
        const key = isMany(r) ? 'many' : 'one';
        verdict.setupRate[key] = Math.max(verdict.setupRate[key] ?? 0, r.rate);
      }
    }
    const { one, many } = verdict.setupRate;
    if (one && many) verdict.setupRate.ratio = ratio(many, one);
    const n = rate.find(isMany)?.instances ?? 'N';
    console.log(
      `  ${n} instances / 1 instance, highest call set-up rate held: ${many ?? 'none'}/s / ` +
        `${one ?? 'none'}/s = ${verdict.setupRate.ratio ?? '-'}` +
        (one && one === Math.max(...rate.map((r) => r.rate))
          ? ' (one instance held the highest rate offered: offer more for the true ratio)'
          : ''),
    );
    console.log('');
  }
  const many = [...concurrency, ...rate].filter(isMany);
  verdict.redis = {
    perCallSetup: mean(many.map((r) => r.redis?.perCallSetup)),
    perEpisode: mean(many.map((r) => r.redis?.perEpisode)),
    perCallEnd: mean(many.map((r) => r.redis?.perCallEnd)),
    perShortCall: mean(many.map((r) => r.redis?.perCall)),
  };
  const idle = mean(many.map((r) => r.redis?.backgroundPerSec));
  console.log(
    `Redis round trips counted by Redis (MONITOR; heartbeat and sweep apart, ${idle ?? '-'}/s for ` +
      `all instances): per call set-up ${verdict.redis.perCallSetup ?? '-'}, per episode ` +
      `${verdict.redis.perEpisode ?? '-'}, per call end ${verdict.redis.perCallEnd ?? '-'}, ` +
      `per short call (set-up and end) ${verdict.redis.perShortCall ?? '-'}`,
  );
  const byName = many.find((r) => r.redis?.setupByName)?.redis?.setupByName;
  if (byName) console.log(`  set-up phase by request: ${JSON.stringify(byName)}`);
  console.log('');
  return verdict;
}
