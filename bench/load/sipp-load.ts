// The SIPp parties of a load step: one UAS for every static agent (load-agent.xml: RTP,
// keep-alives, a share of them stopping their RTP in the steady window, some resuming), one
// UAC for every customer (load-customer.xml: RTP, set-up times as rtd "setup"), and what
// the agents' log says about when each stopped and resumed.
import fs from 'node:fs';
import path from 'node:path';
import { startSipp, type Sipp } from '../../test/helpers/sipp';
import { agentScenario } from '../../test/e2e/fixtures/sipp-parties';

/** Collects the teardowns agentScenario registers (its temporary folder). */
export class Cleanup {
  private readonly fns: (() => unknown)[] = [];
  teardown(fn: () => unknown): void {
    this.fns.push(fn);
  }
  async run(): Promise<void> {
    for (const fn of this.fns.splice(0).reverse()) await fn();
  }
}

export interface AgentsOptions {
  cleanup: Cleanup;
  workDir: string;
  /** Share of the calls whose agent stops its RTP once (0 = none). */
  dropShare: number;
  /** Share of those that resume it after goneMs. */
  returnShare: number;
  /** The stops happen at random times in [fromMs, toMs] (epoch ms). */
  dropFromMs: number;
  dropToMs: number;
  goneMs: number;
  timeoutMs: number;
  /** Its SIP port (the agents' URIs name it before it starts). */
  localPort: number;
}

export interface AgentsRun {
  sipp: Sipp;
  logFile: string;
}

export async function startAgents(o: AgentsOptions): Promise<AgentsRun> {
  const scenario = agentScenario(o.cleanup, 'load-agent.xml', 700, {
    DROP_SHARE: o.dropShare,
    RETURN_SHARE: o.returnShare,
    DROP_FROM_S: (o.dropFromMs / 1000).toFixed(3),
    DROP_TO_S: (Math.max(o.dropToMs, o.dropFromMs) / 1000).toFixed(3),
    GONE_S: (o.goneMs / 1000).toFixed(3),
  });
  const logFile = path.join(o.workDir, 'agents-log.txt');
  const sipp = await startSipp(null, {
    scenario,
    localPort: o.localPort,
    timeoutMs: o.timeoutMs,
    // An OPTIONS keep-alive that comes while a call steps through its <nop>s is unexpected
    // there, and SIPp would abort the call (and its RTP: a false disconnect; seen at 100-500
    // calls, "aborted at index 10/19"): ignored instead, the gateway retransmits it.
    extraArgs: ['-trace_logs', '-log_file', logFile, '-default_behaviors', 'all,-abortunexp'],
  });
  return { sipp, logFile };
}

export interface CustomersOptions {
  cleanup: Cleanup;
  sipPort: number;
  calls: number;
  /** New calls per second. */
  rate: number;
  /** Each call's talk time after the answer (SIPp -d). */
  holdMs: number;
  timeoutMs: number;
}

export async function startCustomers(o: CustomersOptions): Promise<Sipp> {
  const scenario = agentScenario(o.cleanup, 'load-customer.xml', 400);
  return startSipp(null, {
    scenario,
    remote: { host: '127.0.0.1', port: o.sipPort },
    service: 'support',
    calls: o.calls,
    rate: o.rate,
    ratePeriodMs: 1000,
    maxConcurrent: o.calls,
    callDurationMs: o.holdMs,
    timeoutMs: o.timeoutMs,
    rtt: true,
  });
}

export interface AgentMediaLog {
  /** holdfast call id → when its agent stopped its RTP (epoch ms). */
  stops: Map<string, number>;
  resumes: Map<string, number>;
}

/** "stop <call> <s> <us>" / "resume <call> <s> <us>" lines of load-agent.xml's log. */
export function readAgentLog(file: string): AgentMediaLog {
  const out: AgentMediaLog = { stops: new Map(), resumes: new Map() };
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'latin1') : '';
  for (const line of text.split('\n')) {
    const m = /^(stop|resume) (\S+) ([\d.]+) ([\d.]+)/.exec(line.trim());
    if (!m) continue;
    const at = Math.floor(Number(m[3])) * 1000 + Number(m[4]) / 1000;
    (m[1] === 'stop' ? out.stops : out.resumes).set(m[2], at);
  }
  return out;
}
