// The load bench's human summary: one table per part, the ratios the targets are about, and
// the verdict of the rate ramp.
import type { StepResult } from './run-step';

const pad = (v: unknown, n: number) => String(v).padStart(n);
const cpu = (r: StepResult, name: string) => r.usage.processes[name]?.cpuPct ?? NaN;
const rss = (r: StepResult, name: string) => r.usage.processes[name]?.peakRssMb ?? NaN;
const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;

function usageCells(r: StepResult): string {
  return (
    `${pad(cpu(r, 'gateway'), 6)} ${pad(rss(r, 'gateway'), 6)} ` +
    `${pad(cpu(r, 'rtpengine'), 6)} ${pad(rss(r, 'rtpengine'), 6)} ` +
    `${pad(cpu(r, 'sipserver'), 6)} ${pad(rss(r, 'sipserver'), 6)} ` +
    `${pad(r.usage.machineBusyPct, 5)} ${pad(`${r.usage.loadAvg.start}→${r.usage.loadAvg.end}`, 11)}`
  );
}
const USAGE_HEAD = ' gw%CPU  gwMB  rtp%CPU rtpMB sip%CPU sipMB  busy%   load avg';

export function printConcurrency(rows: StepResult[], lossMs: number): void {
  console.log(
    `Concurrency (holdfast; agents stopping RTP in the window; detection target p99 ≤ ${lossMs + 300} ms to the prompt)`,
  );
  console.log(
    ' calls  held fail setup50 setup99 stops loss50 loss99 prompt50 prompt99 miss false' +
      USAGE_HEAD,
  );
  for (const r of rows) {
    const d = r.disconnects;
    console.log(
      `${pad(r.calls, 6)} ${pad(r.held, 5)} ${pad(r.failed, 4)} ${pad(r.setupMs.p50, 7)} ${pad(r.setupMs.p99, 7)} ` +
        `${pad(d?.stops ?? '-', 5)} ${pad(d?.stopToLoss.p50 ?? '-', 6)} ${pad(d?.stopToLoss.p99 ?? '-', 6)} ` +
        `${pad(d?.stopToPrompt.p50 ?? '-', 8)} ${pad(d?.stopToPrompt.p99 ?? '-', 8)} ` +
        `${pad(d?.missed ?? '-', 4)} ${pad(d?.falseDisconnects ?? '-', 5)}` +
        usageCells(r),
    );
  }
  for (const r of rows)
    if (Object.keys(r.problems).length || r.leftInRtpengine)
      console.log(
        `  ${r.label}: left in rtpengine ${r.leftInRtpengine}; warnings ${JSON.stringify(r.problems)}`,
      );
  console.log('');
}

export function printWatchdog(rows: StepResult[]): void {
  console.log('Watchdog cost (no drops, same load)');
  console.log(' step                              held fail setup50 setup99' + USAGE_HEAD);
  for (const r of rows)
    console.log(
      `${r.label.padEnd(32)} ${pad(r.held, 6)} ${pad(r.failed, 4)} ${pad(r.setupMs.p50, 7)} ${pad(r.setupMs.p99, 7)}` +
        usageCells(r),
    );
  const on = rows.find((r) => r.label.endsWith('watchdog on'));
  const off = rows.find((r) => r.label.endsWith('watchdog off'));
  const dense = rows.find((r) => r.label.endsWith('watchdog dense'));
  const bare = rows.find((r) => r.app === 'baseline');
  if (on && off) {
    const extra = cpu(on, 'rtpengine') - cpu(off, 'rtpengine');
    console.log(
      `  rtpengine CPU watchdog on/off: ${ratio(cpu(on, 'rtpengine'), cpu(off, 'rtpengine'))} ` +
        `(+${Math.round(extra * 10) / 10} points = ${Math.round((extra / cpu(on, 'rtpengine')) * 1000) / 10} % of rtpengine's CPU; target ≤ 10 %)`,
    );
  }
  if (dense && off) {
    const extra = cpu(dense, 'rtpengine') - cpu(off, 'rtpengine');
    console.log(
      `  dense polling (every poll-ms) on/off: ${ratio(cpu(dense, 'rtpengine'), cpu(off, 'rtpengine'))} ` +
        `(+${Math.round(extra * 10) / 10} points = ${Math.round((extra / cpu(dense, 'rtpengine')) * 1000) / 10} % of rtpengine's CPU)`,
    );
  }
  if (on && bare)
    console.log(
      `  rtpengine CPU holdfast/baseline: ${ratio(cpu(on, 'rtpengine'), cpu(bare, 'rtpengine'))}`,
    );
  console.log('');
}

export interface RateVerdict {
  /** Highest offered rate each app set up with no failure and set-up p99 within bound. */
  holdfast?: number;
  baseline?: number;
  /** holdfast / baseline (target ≥ 0.9). */
  ratio?: number;
}

export function printRates(rows: StepResult[], maxSetupMs: number): RateVerdict {
  console.log(
    `Call rate (short calls; a rate holds when nothing failed and set-up p99 ≤ ${maxSetupMs} ms)`,
  );
  console.log(' app        rate calls fail setup50 setup99' + USAGE_HEAD);
  const verdict: RateVerdict = {};
  for (const r of rows) {
    console.log(
      `${r.app.padEnd(9)} ${pad(r.rate, 5)} ${pad(r.calls, 5)} ${pad(r.failed, 4)} ${pad(r.setupMs.p50, 7)} ${pad(r.setupMs.p99, 7)}` +
        usageCells(r),
    );
    if (!r.failed && r.setupMs.p99 <= maxSetupMs)
      verdict[r.app] = Math.max(verdict[r.app] ?? 0, r.rate);
  }
  if (verdict.holdfast && verdict.baseline)
    verdict.ratio = ratio(verdict.holdfast, verdict.baseline);
  console.log(
    `  highest rate held: holdfast ${verdict.holdfast ?? 'none'}/s, baseline ${verdict.baseline ?? 'none'}/s` +
      (verdict.ratio !== undefined ? `, ratio ${verdict.ratio} (target ≥ 0.9)` : ''),
  );
  console.log('');
  return verdict;
}
