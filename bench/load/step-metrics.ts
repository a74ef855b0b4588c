// What a load step measured, from holdfast's call records (its log) and the agents' log of
// when each stopped and resumed its RTP: calls held through the window, detection times,
// misses and false disconnects.
import fs from 'node:fs';
import type { CallRecord } from '../../gateway/call-records/call-record';
import type { AgentMediaLog } from './sipp-load';

export interface Summary {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarize(values: number[]): Summary {
  const s = values.filter(Number.isFinite).sort((a, b) => a - b);
  const at = (p: number) =>
    s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
  const r = (x: number) => Math.round(x);
  return { n: s.length, p50: r(at(50)), p99: r(at(99)), max: r(s[s.length - 1] ?? NaN) };
}

/** Every call record holdfast logged ("call record" lines of its JSON log). */
export function readCallRecords(logFile: string): CallRecord[] {
  if (!fs.existsSync(logFile)) return [];
  const out: CallRecord[] = [];
  for (const line of fs.readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.includes('"call record"')) continue;
    try {
      const rec = (JSON.parse(line) as { callRecord?: CallRecord }).callRecord;
      if (rec) out.push(rec);
    } catch {
      // a torn last line
    }
  }
  return out;
}

/** Log lines at warn or above, by message: what went wrong under load. */
export function readProblems(logFile: string): Record<string, number> {
  const out: Record<string, number> = {};
  if (!fs.existsSync(logFile)) return out;
  for (const line of fs.readFileSync(logFile, 'utf8').split('\n')) {
    if (!/"level":(40|50|60)/.test(line)) continue;
    const msg = /"msg":"([^"]*)"/.exec(line)?.[1] ?? '?';
    out[msg] = (out[msg] ?? 0) + 1;
  }
  return out;
}

export interface DisconnectMetrics {
  /** Agents that stopped their RTP (agents' log). */
  stops: number;
  /** Stopped agent → watchdog's loss (episode t0), ms. */
  stopToLoss: Summary;
  /** Stopped agent → prompt to the customer (episode promptAt), ms. */
  stopToPrompt: Summary;
  /** Stops with no episode on that call. */
  missed: number;
  /** Calls with a prompt whose agent never stopped (or before it stopped). */
  falseDisconnects: number;
  /** Episodes that ended with the agent reattached. */
  reattached: number;
  resumes: number;
  /** A few of the misses and false disconnects, to see why. */
  examples: string[];
}

export function disconnectMetrics(records: CallRecord[], media: AgentMediaLog): DisconnectMetrics {
  const byId = new Map(records.map((r) => [r.callId, r]));
  const stopToLoss: number[] = [];
  const stopToPrompt: number[] = [];
  let missed = 0;
  const examples: string[] = [];
  const example = (line: string) => examples.length < 6 && examples.push(line);
  for (const [callId, stopAt] of media.stops) {
    const rec = byId.get(callId);
    const ep = rec?.disconnects.find((d) => Date.parse(d.t0) >= stopAt - 50);
    if (!ep) {
      missed++;
      example(
        `missed ${callId}: ${rec ? `ended ${Math.round(Date.parse(rec.endedAt) - stopAt)} ms after the stop (${rec.endReason}), episodes ${JSON.stringify(rec.disconnects.map((d) => d.t0))}` : 'no record'}`,
      );
      continue;
    }
    stopToLoss.push(Date.parse(ep.t0) - stopAt);
    if (ep.promptAt) stopToPrompt.push(Date.parse(ep.promptAt) - stopAt);
  }
  let falseDisconnects = 0;
  let reattached = 0;
  for (const rec of records) {
    const stopAt = media.stops.get(rec.callId);
    for (const ep of rec.disconnects) {
      if (ep.outcome === 'reattached') reattached++;
      if (stopAt === undefined || Date.parse(ep.t0) < stopAt - 50) {
        falseDisconnects++;
        example(
          `false ${rec.callId}: ${ep.evidence} at ${ep.t0}, ${stopAt === undefined ? 'agent never stopped' : `${Math.round(stopAt - Date.parse(ep.t0))} ms before its stop`}`,
        );
      }
    }
  }
  return {
    stops: media.stops.size,
    stopToLoss: summarize(stopToLoss),
    stopToPrompt: summarize(stopToPrompt),
    missed,
    falseDisconnects,
    reattached,
    resumes: media.resumes.size,
    examples,
  };
}

/** Calls answered by `fromMs` and still up at `toMs` (epoch ms). */
export function heldThrough(records: CallRecord[], fromMs: number, toMs: number): number {
  return records.filter(
    (r) => r.answeredAt && Date.parse(r.answeredAt) <= fromMs && Date.parse(r.endedAt) >= toMs,
  ).length;
}

/** Records whose call did not end as answered (failed, abandoned, overflowed…). */
export function unansweredRecords(records: CallRecord[]): number {
  return records.filter((r) => r.outcome !== 'answered').length;
}

/** How the calls ended, by reason. */
export function endReasons(records: CallRecord[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) out[r.endReason] = (out[r.endReason] ?? 0) + 1;
  return out;
}
