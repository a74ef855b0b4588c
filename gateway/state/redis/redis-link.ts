// The connection to Redis for commands (the scripts are defined once and sent by SHA),
// and, on demand, one subscribed to the events channel. Every request sent (a command, a
// script, a MULTI) is counted as one round trip: the cost of sharing, as bench and tests
// measure it.
import Redis from 'ioredis';
import * as scripts from './redis-scripts';

export type ScriptName = keyof typeof scripts;
type Arg = string | number;

export interface RedisLinkOptions {
  url: string;
  prefix: string;
  instanceId: string;
  /** A connection problem after start-up (reconnection is automatic). */
  onError?: (err: Error) => void;
  /** Gives up connecting at start-up after this long: a clear error, not a hang. */
  connectTimeoutMs?: number;
  /** The command connection is back after it was lost (Redis may have restarted empty). */
  onReconnect?: () => void;
}

export class RedisLink {
  readonly prefix: string;
  readonly me: string;
  private readonly cmd: Redis;
  private sub?: Redis;
  private trips = 0;
  private readonly byName = new Map<string, number>();
  private closed = false;
  private lost = false;

  private constructor(private readonly o: RedisLinkOptions) {
    this.prefix = o.prefix;
    this.me = o.instanceId;
    this.cmd = this.connection();
    this.cmd.on('close', () => (this.lost = !this.closed));
    this.cmd.on('ready', () => {
      if (!this.lost || this.closed) return;
      this.lost = false;
      this.o.onReconnect?.();
    });
    for (const [name, lua] of Object.entries(scripts))
      this.cmd.defineCommand(name, { numberOfKeys: 0, lua });
  }

  /** Connects, or throws an error that names the URL's host (never its password). */
  static async open(o: RedisLinkOptions): Promise<RedisLink> {
    const link = new RedisLink(o);
    try {
      await link.cmd.connect();
      await link.cmd.ping();
    } catch (err) {
      link.closed = true;
      link.cmd.disconnect();
      throw new Error(`redis at ${new URL(o.url).host} did not answer: ${(err as Error).message}`);
    }
    return link;
  }

  get roundTrips(): number {
    return this.trips;
  }

  /** Round trips by script (or 'command', 'multi'), for measurements. */
  get roundTripsBy(): Record<string, number> {
    return Object.fromEntries(this.byName);
  }

  private count(name: string): void {
    this.trips++;
    this.byName.set(name, (this.byName.get(name) ?? 0) + 1);
  }

  key(...parts: string[]): string {
    return this.prefix + parts.join(':');
  }

  /** Runs one of redis-scripts.ts with (prefix, me, ...args). */
  script<T = unknown>(name: ScriptName, ...args: Arg[]): Promise<T> {
    this.count(name);
    const run = (this.cmd as unknown as Record<string, (...a: Arg[]) => Promise<T>>)[name];
    return run.call(this.cmd, this.prefix, this.me, ...args);
  }

  /** One plain command (counted). */
  get redis(): Redis {
    this.count('command');
    return this.cmd;
  }

  /** Several commands in one round trip, atomically (MULTI/EXEC). */
  async multi(fill: (m: ReturnType<Redis['multi']>) => void): Promise<void> {
    this.count('multi');
    const m = this.cmd.multi();
    fill(m);
    const results = await m.exec();
    const failed = results?.find(([err]) => err);
    if (failed) throw failed[0] as Error;
  }

  /** The events channel's messages, parsed (a second connection, opened on first use). */
  async subscribe(onMessage: (msg: Record<string, unknown>) => void): Promise<() => void> {
    const channel = this.key('events');
    if (!this.sub) {
      this.sub = this.connection();
      await this.sub.connect();
      await this.sub.subscribe(channel);
    }
    const handler = (ch: string, text: string) => {
      if (ch !== channel) return;
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return;
      }
      onMessage(msg);
    };
    this.sub.on('message', handler);
    return () => this.sub?.off('message', handler);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([this.cmd.quit(), this.sub?.quit()]);
  }

  private connection(): Redis {
    const c = new Redis(this.o.url, {
      lazyConnect: true,
      connectTimeout: this.o.connectTimeoutMs ?? 5000,
      maxRetriesPerRequest: 3,
      // After start-up, reconnects forever, at most a second apart: Redis restarts happen.
      retryStrategy: (times: number) => Math.min(times * 100, 1000),
    });
    c.on('error', (err: Error) => {
      if (!this.closed) this.o.onError?.(err);
    });
    return c;
  }
}
