// Redis round trips as Redis itself saw them: a MONITOR connection logs every command the
// server runs, with its time and client. A round trip is one request from a client: a plain
// command, a script (EVALSHA; the commands it runs show as "lua" and are not counted), or a
// MULTI … EXEC (counted once, at EXEC). Scripts are named by the SHA1 of their source, as
// ioredis sends them. The background beat (HF_HEARTBEAT, HF_INSTANCES) is counted apart.
import { createHash } from 'node:crypto';
import net from 'node:net';
import * as scripts from '../../gateway/state/redis/redis-scripts';

const BACKGROUND = new Set(['HF_HEARTBEAT', 'HF_INSTANCES']);
const NAME_BY_SHA = new Map(
  Object.entries(scripts).map(([name, lua]) => [
    createHash('sha1').update(lua).digest('hex'),
    name,
  ]),
);

interface Trip {
  at: number;
  name: string;
}

export interface TripCount {
  /** Round trips for calls and agents (background beat left out). */
  work: number;
  /** Heartbeats and the sweep for dead instances. */
  background: number;
  /** work, by script or command name. */
  byName: Record<string, number>;
}

export class RedisTrips {
  private readonly trips: Trip[] = [];
  private readonly inMulti = new Set<string>();
  private buffer = '';
  private me = '';

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => this.feed(d));
    socket.on('error', () => {}); // the server stopped first: nothing more to count
  }

  static async open(port: number): Promise<RedisTrips> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const m = new RedisTrips(socket);
    m.me = `127.0.0.1:${socket.localPort}`;
    socket.write('MONITOR\r\n');
    return m;
  }

  /** Round trips whose time is in [fromMs, toMs). */
  count(fromMs: number, toMs: number): TripCount {
    const out: TripCount = { work: 0, background: 0, byName: {} };
    for (const t of this.trips) {
      if (t.at < fromMs || t.at >= toMs) continue;
      if (BACKGROUND.has(t.name)) out.background++;
      else {
        out.work++;
        out.byName[t.name] = (out.byName[t.name] ?? 0) + 1;
      }
    }
    return out;
  }

  close(): void {
    this.socket.destroy();
  }

  private feed(data: string): void {
    this.buffer += data;
    let nl: number;
    while ((nl = this.buffer.indexOf('\r\n')) >= 0) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 2);
      this.line(line);
    }
  }

  /** `+1796145409.847811 [0 127.0.0.1:48410] "evalsha" "<sha>" …` */
  private line(line: string): void {
    const m = /^\+(\d+)\.(\d+) \[\d+ ([^\]]+)\] "([^"]+)"(?: "([^"]*)")?/.exec(line);
    if (!m) return;
    const [, sec, micro, client, command, first] = m;
    if (client === 'lua' || client === this.me) return;
    const cmd = command.toLowerCase();
    if (cmd === 'multi') {
      this.inMulti.add(client);
      return;
    }
    if (this.inMulti.has(client) && cmd !== 'exec' && cmd !== 'discard') return;
    this.inMulti.delete(client);
    const name =
      cmd === 'evalsha'
        ? (NAME_BY_SHA.get(first ?? '') ?? 'script?')
        : cmd === 'exec'
          ? 'multi'
          : cmd;
    this.trips.push({ at: Number(sec) * 1000 + Number(micro) / 1000, name });
  }
}

export interface RedisPhases {
  /** Work round trips per second with no call (subtracted from the phases below). */
  idlePerSec: number;
  /** Background (heartbeat + sweep) per second, every instance together. */
  backgroundPerSec: number;
  /** Concurrency mode: from the first INVITE to the window (every call set up). */
  perCallSetup?: number;
  /** Concurrency mode: in the window, per disconnect episode. */
  perEpisode?: number;
  episodes?: number;
  /** Concurrency mode: from the window's end until every call ended, per call. */
  perCallEnd?: number;
  /** Rate mode: set-up and end of a short call together. */
  perCall?: number;
  setupByName?: Record<string, number>;
}

export interface PhaseTimes {
  idle: [number, number];
  calls: number;
  /** Concurrency mode: [start, window from), [window from, to), [window to, all ended). */
  setup?: [number, number];
  window?: [number, number];
  end?: [number, number];
  episodes?: number;
  /** Rate mode: [start, all ended). */
  all?: [number, number];
}

/** Round trips per call set-up, per episode and per call end, net of the idle rate. */
export function redisPhases(trips: RedisTrips, p: PhaseTimes): RedisPhases {
  const idle = trips.count(...p.idle);
  const idleS = Math.max(0.001, (p.idle[1] - p.idle[0]) / 1000);
  const idlePerSec = idle.work / idleS;
  const net = (span: [number, number]) =>
    Math.max(0, trips.count(...span).work - (idlePerSec * (span[1] - span[0])) / 1000);
  const per = (n: number, d: number) => (d > 0 ? Math.round((n / d) * 10) / 10 : NaN);
  const out: RedisPhases = {
    idlePerSec: Math.round(idlePerSec * 10) / 10,
    backgroundPerSec: Math.round((idle.background / idleS) * 10) / 10,
  };
  if (p.setup) {
    out.perCallSetup = per(net(p.setup), p.calls);
    out.setupByName = trips.count(...p.setup).byName;
  }
  if (p.window && p.episodes !== undefined) {
    out.episodes = p.episodes;
    out.perEpisode = per(net(p.window), p.episodes);
  }
  if (p.end) out.perCallEnd = per(net(p.end), p.calls);
  if (p.all) out.perCall = per(net(p.all), p.calls);
  return out;
}
