// Media watchdog benchmark: N monitored calls through a real rtpengine with RTP flowing both
// ways, a fifth of the agent legs stopping at random moments. Measures how late each loss
// is detected (after lossMs of silence), false alarms, and the CPU/RSS of rtpengine and of
// the "gateway" (this process: ng client, sessions, watchdog). The RTP endpoints run in a
// child process so that their cost is not counted as the gateway's.
//
//   npm run bench:media [-- --calls 50,100,200 --loss-ms 1000 --poll-ms 100 --max-qps 250]
//
// Prints a human summary, then as its last line: {"runs":[{calls, detectP50Ms, ...}]}.
import { fork, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { launchRtpengine } from '../media/rtpengine-launcher';
import { NgClient } from '../media/ng-client';
import { MediaSession } from '../media/media-session';
import { MediaWatchdog } from '../media/media-watchdog';

// ---------- child: the RTP endpoints ----------

type ToChild =
  | { cmd: 'open'; count: number }
  | { cmd: 'remotes'; ports: number[] }
  | { cmd: 'pause'; index: number }
  | { cmd: 'resume'; index: number }
  | { cmd: 'exit' };
type FromChild =
  { ev: 'opened'; ports: number[] } | { ev: 'paused' | 'resumed'; index: number; at: number };

const wallNow = () => performance.timeOrigin + performance.now();

function runEndpoints(): void {
  const sockets: dgram.Socket[] = [];
  const remotes: number[] = [];
  const paused = new Set<number>();
  const seq: number[] = [];
  const payload = Buffer.alloc(160, 0xd5); // near-silent μ-law
  let timer: NodeJS.Timeout | undefined;
  const send = (i: number) => {
    const header = Buffer.alloc(12);
    header[0] = 0x80;
    header[1] = 0;
    header.writeUInt16BE(seq[i] & 0xffff, 2);
    header.writeUInt32BE((seq[i] * 160) >>> 0, 4);
    header.writeUInt32BE(0x1000 + i, 8);
    seq[i]++;
    sockets[i].send([header, payload], remotes[i], '127.0.0.1');
  };
  process.on('message', async (msg: ToChild) => {
    if (msg.cmd === 'open') {
      for (let i = 0; i < msg.count; i++) {
        const s = dgram.createSocket('udp4');
        s.on('message', () => {}); // received and dropped
        s.on('error', () => {});
        await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
        sockets.push(s);
        seq.push(0);
      }
      process.send!({
        ev: 'opened',
        ports: sockets.map((s) => s.address().port),
      } satisfies FromChild);
    } else if (msg.cmd === 'remotes') {
      remotes.push(...msg.ports);
      const start = performance.now();
      let ticks = 0;
      const tick = () => {
        const due = Math.floor((performance.now() - start) / 20) + 1;
        if (due - ticks > 5) ticks = due - 5;
        for (; ticks < due; ticks++)
          for (let i = 0; i < sockets.length; i++) if (!paused.has(i)) send(i);
        timer = setTimeout(tick, start + ticks * 20 - performance.now());
      };
      tick();
    } else if (msg.cmd === 'pause') {
      paused.add(msg.index);
      process.send!({ ev: 'paused', index: msg.index, at: wallNow() } satisfies FromChild);
    } else if (msg.cmd === 'resume') {
      paused.delete(msg.index);
      send(msg.index);
      process.send!({ ev: 'resumed', index: msg.index, at: wallNow() } satisfies FromChild);
    } else if (msg.cmd === 'exit') {
      if (timer) clearTimeout(timer);
      for (const s of sockets) s.close();
      process.disconnect();
    }
  });
}

// ---------- parent: the gateway side ----------

interface RunResult {
  calls: number;
  detectP50Ms: number;
  detectP99Ms: number;
  restoreP50Ms: number;
  missed: number;
  falseAlarms: number;
  queriesPerSec: number;
  rtpengineCpuPct: number;
  rtpengineRssMb: number;
  gatewayCpuPct: number;
}

function percentile(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

function procCpuTicks(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

function procRssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

const sdpFor = (port: number) =>
  `v=0\r\no=- ${port} 1 IN IP4 127.0.0.1\r\ns=bench\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n` +
  `m=audio ${port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n`;
const portOf = (sdp: string) => Number(/^m=audio (\d+)/m.exec(sdp)![1]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runOnce(
  calls: number,
  opts: { lossMs: number; pollMs: number; maxQps: number },
): Promise<RunResult> {
  const engine = await launchRtpengine({ portCount: Math.max(1000, calls * 8), logLevel: 3 });
  const client = new NgClient({ host: engine.host, port: engine.port, maxInFlight: 32 });
  const child: ChildProcess = fork(__filename, ['--endpoints'], { execArgv: process.execArgv });
  const waitFor = <T extends FromChild['ev']>(ev: T) =>
    new Promise<Extract<FromChild, { ev: T }>>((resolve) => {
      const on = (m: FromChild) => {
        if (m.ev === ev) {
          child.off('message', on);
          resolve(m as Extract<FromChild, { ev: T }>);
        }
      };
      child.on('message', on);
    });
  const sessions: MediaSession[] = [];
  const watchdog = new MediaWatchdog({
    lossMs: opts.lossMs,
    pollMs: opts.pollMs,
    maxQueriesPerSec: opts.maxQps,
  });
  try {
    child.send({ cmd: 'open', count: calls * 2 } satisfies ToChild);
    const { ports } = await waitFor('opened');
    // Endpoint 2i is call i's customer, 2i+1 its agent.
    const remotes: number[] = [];
    for (let i = 0; i < calls; i++) {
      const s = new MediaSession(client, `bench-${process.pid}-${calls}-${i}`);
      s.addLeg('cust', 'rtp');
      s.addLeg('agent', 'rtp');
      const toAgent = await s.offer('cust', sdpFor(ports[2 * i]), 'agent');
      const toCust = await s.answer('agent', sdpFor(ports[2 * i + 1]), 'cust');
      remotes.push(portOf(toCust), portOf(toAgent));
      sessions.push(s);
    }
    child.send({ cmd: 'remotes', ports: remotes } satisfies ToChild);
    await sleep(1000);
    const lost = new Map<string, number>();
    const restored = new Map<string, number>();
    let falseAlarms = 0;
    const stopped = new Map<string, number>(); // callId → pause time (wall)
    const resumed = new Map<string, number>();
    watchdog.on('lost', (e) => {
      if (e.tag !== 'agent' || !stopped.has(e.callId) || lost.has(e.callId)) falseAlarms++;
      else lost.set(e.callId, performance.timeOrigin + e.at);
    });
    watchdog.on('restored', (e) => {
      if (lost.has(e.callId)) restored.set(e.callId, performance.timeOrigin + e.at);
    });
    for (const s of sessions) {
      watchdog.watch(s, 'cust');
      watchdog.watch(s, 'agent');
    }
    // Warm-up: every leg seen flowing before measuring.
    await sleep(Math.max(1500, (calls / opts.maxQps) * 1000 * 2));
    const cpu0 = process.cpuUsage();
    const ticks0 = procCpuTicks(engine.pid!);
    const queries0 = (watchdog as unknown as { scheduler: { started: number } }).scheduler.started;
    const t0 = performance.now();

    const victims = sessions.filter((_, i) => i % 5 === 2); // a fifth of the agents stop
    child.on('message', (m: FromChild) => {
      if (m.ev === 'paused') stopped.set(sessions[(m.index - 1) / 2].callId, m.at);
      if (m.ev === 'resumed') resumed.set(sessions[(m.index - 1) / 2].callId, m.at);
    });
    const spread = 4000;
    const plan = victims.map((s) => ({ s, at: Math.random() * spread }));
    const effectiveMs = Math.max(opts.pollMs, (calls / opts.maxQps) * 1000);
    const holdMs = opts.lossMs + 2 * effectiveMs + 1500;
    await Promise.all(
      plan.map(async ({ s, at }) => {
        await sleep(at);
        const index = sessions.indexOf(s) * 2 + 1;
        child.send({ cmd: 'pause', index } satisfies ToChild);
        await sleep(holdMs);
        child.send({ cmd: 'resume', index } satisfies ToChild);
      }),
    );
    await sleep(2 * effectiveMs + 1000);

    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const ticks = procCpuTicks(engine.pid!) - ticks0;
    const queries =
      (watchdog as unknown as { scheduler: { started: number } }).scheduler.started - queries0;
    const detect: number[] = [];
    const restore: number[] = [];
    for (const [callId, at] of stopped) {
      const l = lost.get(callId);
      if (l !== undefined) detect.push(l - at - opts.lossMs);
      const r = restored.get(callId);
      const back = resumed.get(callId);
      if (r !== undefined && back !== undefined) restore.push(r - back);
    }
    return {
      calls,
      detectP50Ms: Math.round(percentile(detect, 50)),
      detectP99Ms: Math.round(percentile(detect, 99)),
      restoreP50Ms: Math.round(percentile(restore, 50)),
      missed: stopped.size - detect.length,
      falseAlarms,
      queriesPerSec: Math.round((queries / wallMs) * 1000),
      rtpengineCpuPct: Math.round(((ticks / 100) * 1000 * 1000) / wallMs) / 10,
      rtpengineRssMb: Math.round(procRssMb(engine.pid!) * 10) / 10,
      gatewayCpuPct: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 1000) / 10,
    };
  } finally {
    watchdog.close();
    await Promise.allSettled(sessions.map((s) => s.close()));
    child.send({ cmd: 'exit' } satisfies ToChild);
    await new Promise((r) => child.once('exit', r));
    client.close();
    await engine.stop();
  }
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const callCounts = arg('calls', '50,100,200').split(',').map(Number);
  const opts = {
    lossMs: Number(arg('loss-ms', '1000')),
    pollMs: Number(arg('poll-ms', '100')),
    maxQps: Number(arg('max-qps', '1000')),
  };
  console.log(
    `media bench: lossMs=${opts.lossMs} pollMs=${opts.pollMs} maxQueriesPerSec=${opts.maxQps}`,
  );
  const runs: RunResult[] = [];
  for (const calls of callCounts) {
    const r = await runOnce(calls, opts);
    runs.push(r);
    console.log(
      `${String(calls).padStart(4)} calls: loss detected +${r.detectP50Ms} ms p50 / +${r.detectP99Ms} ms p99 ` +
        `after lossMs (missed ${r.missed}), restored +${r.restoreP50Ms} ms p50, false alarms ${r.falseAlarms}, ` +
        `${r.queriesPerSec} queries/s; rtpengine ${r.rtpengineCpuPct}% CPU ${r.rtpengineRssMb} MB RSS; ` +
        `gateway ${r.gatewayCpuPct}% CPU`,
    );
  }
  console.log(JSON.stringify({ runs }));
}

if (process.argv.includes('--endpoints')) runEndpoints();
else
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
