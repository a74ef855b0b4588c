// CPU and memory of processes from /proc (Linux): CPU as a percentage of one core over a
// window (utime + stime, children excluded), RSS now and its peak over the window, and the
// machine's own busy share and load average, which say how much the measurement is worth on
// a shared machine.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

const TICKS_PER_SEC = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SEC;
}

export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Busy and total jiffies of the whole machine (all cores). */
function machineTicks(): { busy: number; total: number } {
  const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1);
  const n = cpu.map(Number);
  const idle = n[3] + (n[4] ?? 0);
  const total = n.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

export interface ProcessUsage {
  /** Percent of one core over the window. */
  cpuPct: number;
  rssMb: number;
  peakRssMb: number;
}

export interface WindowUsage {
  seconds: number;
  processes: Record<string, ProcessUsage>;
  /** Busy share of all cores of the machine over the window, percent. */
  machineBusyPct: number;
  cores: number;
  loadAvg: { start: number; end: number };
}

/** Measures named processes from start() to stop(); RSS sampled every second meanwhile. */
export class UsageWindow {
  private readonly cpu0 = new Map<string, number>();
  private readonly peak = new Map<string, number>();
  private t0 = 0;
  private machine0 = machineTicks();
  private load0 = 0;
  private timer?: NodeJS.Timeout;

  constructor(private readonly pids: Record<string, number>) {}

  start(): void {
    this.t0 = performance.now();
    this.machine0 = machineTicks();
    this.load0 = os.loadavg()[0];
    for (const [name, pid] of Object.entries(this.pids)) this.cpu0.set(name, safe(cpuSeconds, pid));
    this.sampleRss();
    this.timer = setInterval(() => this.sampleRss(), 1000);
  }

  stop(): WindowUsage {
    if (this.timer) clearInterval(this.timer);
    this.sampleRss();
    const seconds = (performance.now() - this.t0) / 1000;
    const processes: Record<string, ProcessUsage> = {};
    for (const [name, pid] of Object.entries(this.pids)) {
      const cpu = safe(cpuSeconds, pid) - (this.cpu0.get(name) ?? NaN);
      processes[name] = {
        cpuPct: round1((cpu / seconds) * 100),
        rssMb: round1(safe(rssMb, pid)),
        peakRssMb: round1(this.peak.get(name) ?? NaN),
      };
    }
    const m = machineTicks();
    const busy = (m.busy - this.machine0.busy) / Math.max(1, m.total - this.machine0.total);
    return {
      seconds: round1(seconds),
      processes,
      machineBusyPct: round1(busy * 100),
      cores: os.cpus().length,
      loadAvg: { start: round2(this.load0), end: round2(os.loadavg()[0]) },
    };
  }

  private sampleRss(): void {
    for (const [name, pid] of Object.entries(this.pids)) {
      const r = safe(rssMb, pid);
      if (Number.isFinite(r) && r > (this.peak.get(name) ?? 0)) this.peak.set(name, r);
    }
  }
}

function safe(fn: (pid: number) => number, pid: number): number {
  try {
    return fn(pid);
  } catch {
    return NaN; // the process is gone
  }
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const round2 = (x: number) => Math.round(x * 100) / 100;
