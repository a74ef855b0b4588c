// The operations board's live feed (GET /v1/events, admin token): on connect a `snapshot`
// of the whole board, then `changes` with only what differs from the last message. The
// gateway's events (calls, legs, agents, engagements) only mark the board dirty; one
// reading and one diff follow `coalesceMs` later, however many events came in between,
// and the same text goes to every page. A slow reader's buffer is bounded
// (sse-connection.ts). A reading every `resyncMs` is a safety net for a change no event
// announces (hold and mute asked through the API poke the stream themselves); nothing
// runs while no page is connected. The gateway's own events
// (conversations kept or rerouted, …) go out as they come, as `event` messages; the last
// few are in every snapshot, so a page that connects or resyncs has them too.
import type http from 'node:http';
import type { Logger } from 'pino';
import type { Clock, Timer } from '../../time/clock';
import {
  diffBoard,
  indexBoard,
  snapshotOf,
  type BoardIndex,
  type BoardReading,
} from './board-model';
import { SseConnection, sseMessage } from './sse-connection';

export interface BoardStreamOptions {
  /** Reads the whole board now (board-model.ts's readBoard on the gateway's objects). */
  read(): BoardReading;
  /** The gateway clock (the absences' t0 and deadlines are on it), sent as serverNow. */
  now(): number;
  /** Calls `poke` whenever something on the board may have changed; returns the unsubscribe. */
  subscribe(poke: () => void): () => void;
  /** The gateway's events (events/ops-events.ts), if any; returns the unsubscribe. */
  events?(forward: (event: unknown) => void): () => void;
  /** How many of them a snapshot carries; default 50. */
  recentEvents?: number;
  /** Pacing timers (coalescing, resync, heartbeats, stalls): not the gateway's deadlines. */
  timers: Clock;
  log?: Logger;
  /** Default 100 ms. */
  coalesceMs?: number;
  /** Default 5000 ms (a reading of 1000 calls takes ~10-20 ms). */
  resyncMs?: number;
  /** A comment line so that proxies and the page see the stream is alive; default 15 s. */
  heartbeatMs?: number;
  /** Default 16. */
  maxClients?: number;
  /** Per page; default 256 KiB. */
  maxBufferedBytes?: number;
  /** A page behind this long is disconnected; default 30 s. */
  stallMs?: number;
}

export class BoardStream {
  private readonly clients = new Set<SseConnection>();
  private readonly unsubscribe: () => void;
  private readonly unsubscribeEvents: () => void;
  private readonly recent: unknown[] = [];
  private last?: BoardIndex;
  private pending?: Timer;
  private resync?: Timer;
  private heartbeat?: Timer;
  /** Readings made and messages broadcast (observability, tests). */
  readonly stats = { readings: 0, broadcasts: 0 };

  constructor(private readonly o: BoardStreamOptions) {
    this.unsubscribe = o.subscribe(() => this.poke());
    this.unsubscribeEvents = o.events?.((e) => this.forward(e)) ?? (() => {});
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** The connections, for tests and diagnostics. */
  get connections(): readonly SseConnection[] {
    return [...this.clients];
  }

  /** Something may have changed: a reading follows within coalesceMs (one per burst). */
  poke(): void {
    if (!this.clients.size || this.pending) return;
    this.pending = this.o.timers.after(this.o.coalesceMs ?? 100, () => {
      this.pending = undefined;
      this.flush();
    });
  }

  /** Serves an authenticated request: a new page on the stream. */
  handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (this.clients.size >= (this.o.maxClients ?? 16)) {
      const body = JSON.stringify({ error: 'too_many_clients', message: 'too many board pages' });
      res.writeHead(503, { 'Content-Type': 'application/json', 'Retry-After': '5' }).end(body);
      return;
    }
    // Others are connected: bring them up to date first, so that `last` is now.
    if (this.clients.size) this.flush();
    else this.last = this.read();
    const conn: SseConnection = new SseConnection(res, {
      maxBufferedBytes: this.o.maxBufferedBytes ?? 256 * 1024,
      stallMs: this.o.stallMs ?? 30_000,
      timers: this.o.timers,
      resync: () => this.snapshotMessage(),
      onClose: () => this.leave(conn),
    });
    req.socket.setNoDelay(true);
    this.clients.add(conn);
    conn.open('holdfast board');
    conn.send(this.snapshotMessage());
    if (this.clients.size === 1) this.startTimers();
  }

  /** Shutdown: every page's stream ends, nothing stays scheduled. */
  close(): void {
    this.unsubscribe();
    this.unsubscribeEvents();
    for (const c of [...this.clients]) c.close();
    this.stopTimers();
  }

  private read(): BoardIndex {
    this.stats.readings++;
    return indexBoard(this.o.read());
  }

  private snapshotMessage(): string {
    const index = (this.last ??= this.read());
    return sseMessage('snapshot', { ...snapshotOf(index, this.o.now()), events: this.recent });
  }

  private forward(event: unknown): void {
    this.recent.push(event);
    if (this.recent.length > (this.o.recentEvents ?? 50)) this.recent.shift();
    if (!this.clients.size) return;
    const text = sseMessage('event', event);
    for (const c of this.clients) c.send(text);
  }

  private flush(): void {
    this.pending?.cancel();
    this.pending = undefined;
    const next = this.read();
    const prev = this.last;
    this.last = next;
    if (!prev) return;
    const changes = diffBoard(prev, next, this.o.now());
    if (!changes) return;
    const text = sseMessage('changes', changes);
    this.stats.broadcasts++;
    for (const c of this.clients) c.send(text);
  }

  private leave(conn: SseConnection): void {
    this.clients.delete(conn);
    if (this.clients.size) return;
    this.stopTimers();
    this.last = undefined;
  }

  private startTimers(): void {
    const resync = () => {
      this.resync = this.o.timers.after(this.o.resyncMs ?? 5000, () => {
        if (!this.pending) this.flush();
        resync();
      });
    };
    const beat = () => {
      this.heartbeat = this.o.timers.after(this.o.heartbeatMs ?? 15_000, () => {
        for (const c of this.clients) c.send(': ping\n\n');
        beat();
      });
    };
    resync();
    beat();
  }

  private stopTimers(): void {
    for (const t of [this.pending, this.resync, this.heartbeat]) t?.cancel();
    this.pending = this.resync = this.heartbeat = undefined;
    this.o.log?.debug('board stream idle');
  }
}
