// holdfast's rtpengine latency per ng command between two snapshots of its own histogram
// (gateway-process.ts): how many requests, their mean, and the bucket bound under which 99 %
// of them fell. Says whether a slow set-up waited for rtpengine, and for which command.
import type { NgSnapshot } from './gateway-process';

export type NgPhase = Record<string, { n: number; meanMs: number; p99Ms: number }>;

export function ngBetween(a: NgSnapshot | undefined, b: NgSnapshot | undefined): NgPhase {
  const out: NgPhase = {};
  if (!b) return out;
  for (const [cmd, end] of Object.entries(b)) {
    const start = a?.[cmd];
    const n = end.count - (start?.count ?? 0);
    if (n <= 0) continue;
    const sumMs = end.sumMs - (start?.sumMs ?? 0);
    const counts = end.buckets.map(([le, c]) => {
      const before = start?.buckets.find(([l]) => l === le)?.[1] ?? 0;
      return [le, c - before] as const;
    });
    const p99 = counts.find(([, c]) => c >= 0.99 * n)?.[0] ?? Infinity;
    out[cmd] = { n, meanMs: Math.round((sumMs / n) * 10) / 10, p99Ms: p99 };
  }
  return out;
}

/** "offer 500×4.1ms(p99≤10)" … for a log line. */
export function describeNg(phase: NgPhase): string {
  return Object.entries(phase)
    .sort((x, y) => y[1].n - x[1].n)
    .map(([cmd, v]) => `${cmd} ${v.n}×${v.meanMs}ms(p99≤${v.p99Ms})`)
    .join(', ');
}
