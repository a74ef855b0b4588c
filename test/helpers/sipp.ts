// SIPp as a child process on loopback, for tests and benchmarks.
//
//   const uas = await startSipp(t, { scenario: 'uas-basic.xml' });          // listens on uas.port
//   const uac = await startSipp(t, { scenario: 'uac-basic.xml', remote: sip.udp, calls: 10 });
//   const r = await uac.done;        // { successful: 10, failed: 0, exitCode: 0, ... }
//
// Every run gets its own SIP, media and control ports, a private working directory for its
// statistics files, a global timeout (it never outlives `timeoutMs`) and a teardown that kills
// it. `scenario` is a file in sipp-scenarios/ (or any path), or a built-in name ('uac', 'uas').
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { freePort, portIsFree } from './sip-ports';

export interface Teardownable {
  teardown(fn: () => unknown): void;
}

export interface SippOptions {
  /** A file name in sipp-scenarios/, a path, or a built-in scenario name such as 'uac'. */
  scenario: string;
  /** Where a UAC sends its requests (`sipp host:port`). Omit for a pure UAS. */
  remote?: { host: string; port: number };
  /** 'udp' (one socket, default) or 'tcp' (one connection); 'un'/'tn' = one per call. */
  transport?: 'udp' | 'tcp' | 'un' | 'tn';
  /** Stop after this many calls (-m). Default: unlimited for a UAS, 1 for a UAC. */
  calls?: number;
  /** Calls started per `ratePeriodMs` (-r, -rp; defaults 10 per 1000 ms). */
  rate?: number;
  ratePeriodMs?: number;
  /** Most calls in progress at once (-l). */
  maxConcurrent?: number;
  /** Hard bound on the whole run (-timeout); reaching it counts as an error. Default 30 s. */
  timeoutMs?: number;
  /** Request-URI user part (-s, the [service] keyword). */
  service?: string;
  /** `[key]` substitutions for the scenario (-key key value). */
  keys?: Record<string, string | number>;
  /** Scenario variables preset before each call (-set var value). */
  vars?: Record<string, string | number>;
  /** Address and port written into SDP ([media_ip], [media_port]); default 127.0.0.1 and a free port. */
  mediaIp?: string;
  mediaPort?: number;
  /** Local SIP port (-p); default a free one. */
  localPort?: number;
  /** Length of the pause in scenarios' bare `<pause/>` (-d), i.e. the call's talk time. */
  callDurationMs?: number;
  /** Lose this percentage of packets on send and receive (-lost). */
  lostPercent?: number;
  /** Record INVITE→final response times of `rtd` markers (-trace_rtt) into `result.rttMs`. */
  rtt?: boolean;
  /** Any further SIPp arguments, appended last. */
  extraArgs?: string[];
}

export interface SippResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Final cumulative counters from the statistics file (0 when SIPp never wrote it). */
  successful: number;
  failed: number;
  created: number;
  /** Every cumulative counter of the last statistics row, by SIPp's name without "(C)". */
  counters: Record<string, string>;
  /** Response times in ms, one per rtd marker reached (only with `rtt`). */
  rttMs: number[];
  /** Unexpected-message log and the tail of the screen output, for failure messages. */
  errors: string;
  output: string;
}

export interface Sipp {
  readonly port: number;
  readonly mediaPort: number;
  readonly pid: number;
  readonly args: string[];
  /** Settles when SIPp exits (never rejects). */
  readonly done: Promise<SippResult>;
  /** Soft stop (SIGUSR1: finish the screen and stats), then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<SippResult>;
}

const OUTPUT_TAIL = 8 * 1024;

function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

export const SCENARIO_DIR = join(repoRoot(), 'sipp-scenarios');

function scenarioArgs(scenario: string): string[] {
  if (!scenario.endsWith('.xml')) return ['-sn', scenario];
  const file = isAbsolute(scenario) ? scenario : resolve(SCENARIO_DIR, scenario);
  if (!existsSync(file)) throw new Error(`SIPp scenario not found: ${file}`);
  return ['-sf', file];
}

const TRANSPORT: Record<NonNullable<SippOptions['transport']>, string> = {
  udp: 'u1',
  tcp: 't1',
  un: 'un',
  tn: 'tn',
};

function buildArgs(o: SippOptions, port: number, mediaPort: number, controlPort: number): string[] {
  const args: string[] = [];
  if (o.remote) args.push(`${o.remote.host}:${o.remote.port}`);
  args.push(...scenarioArgs(o.scenario));
  args.push('-i', '127.0.0.1', '-p', String(port), '-cp', String(controlPort));
  args.push('-mi', o.mediaIp ?? '127.0.0.1', '-mp', String(mediaPort));
  args.push('-t', TRANSPORT[o.transport ?? 'udp']);
  args.push('-nostdin', '-timeout', `${Math.ceil((o.timeoutMs ?? 30_000) / 1000)}s`);
  args.push('-timeout_error');
  args.push('-trace_stat', '-stf', 'stats.csv', '-fd', '1', '-trace_err');
  const calls = o.calls ?? (o.remote ? 1 : undefined);
  if (calls !== undefined) args.push('-m', String(calls));
  if (o.rate !== undefined) args.push('-r', String(o.rate));
  if (o.ratePeriodMs !== undefined) args.push('-rp', `${o.ratePeriodMs}ms`);
  if (o.maxConcurrent !== undefined) args.push('-l', String(o.maxConcurrent));
  if (o.service !== undefined) args.push('-s', o.service);
  if (o.callDurationMs !== undefined) args.push('-d', String(o.callDurationMs));
  if (o.lostPercent !== undefined) args.push('-lost', String(o.lostPercent));
  if (o.rtt) args.push('-trace_rtt', '-rtt_freq', '1');
  for (const [k, v] of Object.entries(o.keys ?? {})) args.push('-key', k, String(v));
  for (const [k, v] of Object.entries(o.vars ?? {})) args.push('-set', k, String(v));
  args.push(...(o.extraArgs ?? []));
  return args;
}

/** Last row of SIPp's ';'-separated statistics file, cumulative counters keyed by name. */
export function parseStatsCsv(text: string): Record<string, string> {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length < 2) return {};
  const names = lines[0].split(';');
  const values = lines[lines.length - 1].split(';');
  const out: Record<string, string> = {};
  names.forEach((name, i) => {
    if (name.endsWith('(P)')) return;
    out[name.replace(/\(C\)$/, '')] = values[i] ?? '';
  });
  return out;
}

/** Response times from SIPp's `*_rtt.csv` (`Date_ms;response_time_ms;rtd_no`). */
export function parseRttCsv(text: string): number[] {
  return text
    .split('\n')
    .slice(1)
    .map((l) => Number(l.split(';')[1]))
    .filter((n) => Number.isFinite(n));
}

function readMatching(dir: string, suffix: string): string {
  const name = readdirSync(dir).find((f) => f.endsWith(suffix));
  return name ? readFileSync(join(dir, name), 'latin1') : '';
}

function collect(
  dir: string,
  output: string,
  code: number | null,
  signal: NodeJS.Signals | null,
): SippResult {
  const statsFile = join(dir, 'stats.csv');
  const counters = existsSync(statsFile) ? parseStatsCsv(readFileSync(statsFile, 'latin1')) : {};
  const num = (k: string) => Number(counters[k] ?? 0) || 0;
  return {
    exitCode: code,
    signal,
    successful: num('SuccessfulCall'),
    failed: num('FailedCall'),
    created: num('TotalCallCreated'),
    counters,
    rttMs: parseRttCsv(readMatching(dir, '_rtt.csv')),
    errors: readMatching(dir, '_errors.log').slice(-OUTPUT_TAIL),
    output,
  };
}

/** True once something holds `port` on loopback (we can no longer bind it ourselves). */
async function portTaken(port: number, tcp: boolean): Promise<boolean> {
  return (await portIsFree(port, tcp)) === false;
}

/**
 * Resolves once SIPp has bound its SIP port (its first screen comes earlier than that),
 * rejects if it exits first or takes longer than 5 s.
 */
async function waitUntilRunning(
  port: number,
  tcp: boolean,
  exited: () => SippResult | undefined,
): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const r = exited();
    if (r)
      throw new Error(`SIPp exited at start (${r.exitCode ?? r.signal}): ${r.output.slice(-1500)}`);
    if (await portTaken(port, tcp)) return;
    if (Date.now() > deadline) throw new Error(`SIPp did not bind port ${port} within 5 s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Starts SIPp; resolves once it is running. Killed on `t`'s teardown if still alive.
 * Ports we picked can be taken by another process before SIPp binds them: then we retry
 * with fresh ones (twice at most).
 */
export async function startSipp(t: Teardownable | null, options: SippOptions): Promise<Sipp> {
  const ownPorts = options.localPort === undefined && options.mediaPort === undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(t, options);
    } catch (err) {
      if (!ownPorts || attempt >= 3 || !/exited at start/.test((err as Error).message)) throw err;
    }
  }
}

async function startOnce(t: Teardownable | null, options: SippOptions): Promise<Sipp> {
  const port = options.localPort ?? (await freePort());
  const mediaPort = options.mediaPort ?? (await freePort(true));
  const controlPort = await freePort();
  const args = buildArgs(options, port, mediaPort, controlPort);
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-sipp-'));
  const child = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('latin1')).slice(-OUTPUT_TAIL);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);

  let finished: SippResult | undefined;
  const done = new Promise<SippResult>((resolveDone) => {
    child.once('error', (err) => {
      output += `\nspawn failed: ${err.message}`;
    });
    child.once('close', (code, signal) => {
      const result = collect(dir, output, code, signal);
      rmSync(dir, { recursive: true, force: true });
      finished = result;
      resolveDone(result);
    });
  });

  const stop = async (graceMs = 2000): Promise<SippResult> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGUSR1');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await done;
      clearTimeout(timer);
      return result;
    }
    return done;
  };
  t?.teardown(() => stop(500));

  const tcp = options.transport === 'tcp' || options.transport === 'tn';
  await waitUntilRunning(port, tcp, () => finished);
  return { port, mediaPort, pid: child.pid ?? -1, args, done, stop };
}

/** One-line description of a result, for assertion messages. */
export function describeSipp(r: SippResult): string {
  const errors = r.errors.trim() ? `\nerrors:\n${r.errors.slice(-2000)}` : '';
  return `sipp exit=${r.exitCode ?? r.signal} ok=${r.successful} failed=${r.failed}${errors}`;
}
