// The board's stream on its own: the diff between two readings, one message per burst of
// events, nothing done without a reader, a slow reader's buffer bounded and brought back
// with a fresh snapshot, a stuck one disconnected, a cap on readers, nothing left after
// close(). Over real loopback sockets; the board's data is plain objects and the pacing
// timers a manual clock (the gateway itself is in board.test.ts and api-routes.test.ts).
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import type { CallSnapshot } from '../../gateway/call/call-view';
import {
  diffBoard,
  indexBoard,
  type BoardEpisode,
  type BoardReading,
} from '../../gateway/http/board-model';
import { BoardStream, type BoardStreamOptions } from '../../gateway/http/board-stream';
import { ManualClock } from '../fixtures/manual-clock';

function callOf(id: string, over: Partial<CallSnapshot> = {}): CallSnapshot {
  return {
    id,
    state: 'connected',
    phase: 'talking',
    priority: 0,
    held: false,
    muted: false,
    from: '+33100000000',
    startedAt: 0,
    legs: [{ role: 'customer', tag: 'customer', state: 'up' }],
    ...over,
  };
}

function episodeOf(agentId: string, t0: number): BoardEpisode {
  return {
    agentId,
    situation: 'disconnected',
    evidence: 'media-loss',
    t0,
    deadlinesAt: { reconnectWindow: t0 + 30_000, presenceTimeout: t0 + 150_000 },
    calls: [],
  };
}

t.test('diffBoard: upserts, removals, an episode replaced under the same agent', async (t) => {
  const a: BoardReading = {
    calls: [callOf('c1'), callOf('c2')],
    agents: [{ id: 'alice', status: 'busy', since: 0, engagements: [] }],
    episodes: [episodeOf('alice', 100)],
  };
  t.equal(diffBoard(indexBoard(a), indexBoard(a), 5), undefined, 'nothing changed: no message');
  const b: BoardReading = {
    calls: [callOf('c1', { held: true }), callOf('c3')],
    agents: [{ id: 'alice', status: 'disconnected', since: 4, engagements: [] }],
    episodes: [episodeOf('alice', 900)],
  };
  const d = diffBoard(indexBoard(a), indexBoard(b), 1000)!;
  t.same(
    d.calls!.upsert.map((c) => c.id),
    ['c1', 'c3'],
  );
  t.same(d.calls!.remove, ['c2']);
  t.same(d.agents!.upsert[0].status, 'disconnected');
  t.same(d.episodes!.remove, [
    {
      agentId: 'alice',
      t0: 100,
      endedAt: 1000,
      situation: 'disconnected',
      evidence: 'media-loss',
      agentStatus: 'disconnected',
    },
  ]);
  t.equal(d.episodes!.upsert[0].t0, 900, 'back and gone again: the old episode ended, a new one');
  const c = diffBoard(indexBoard(b), indexBoard({ ...b, episodes: [] }), 2000)!;
  t.same(c.episodes, {
    upsert: [],
    remove: [{ ...d.episodes!.remove[0], t0: 900, endedAt: 2000 }],
  });
  t.notOk(c.calls, 'sections that did not change are left out');
});

/** A board over plain data, served on loopback. */
async function serveBoard(t: Test, opts: Partial<BoardStreamOptions> = {}) {
  const clock = new ManualClock(1_000_000);
  const data: BoardReading = { calls: [], agents: [], episodes: [] };
  let poke = () => {};
  let subscribed = 0;
  let forward: ((e: unknown) => void) | undefined;
  const stream = new BoardStream({
    read: () => structuredClone(data),
    now: () => clock.now(),
    subscribe: (p) => {
      poke = p;
      subscribed++;
      return () => subscribed--;
    },
    events: (f) => {
      forward = f;
      return () => (forward = undefined);
    },
    timers: clock,
    ...opts,
  });
  const server = http.createServer((req, res) => stream.handle(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(async () => {
    stream.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  const port = (server.address() as AddressInfo).port;
  return {
    clock,
    data,
    stream,
    port,
    poke: () => poke(),
    subscribed: () => subscribed,
    /** Emits one of the gateway's own events (undefined once unsubscribed). */
    event: (e: unknown) => forward?.(e),
    eventsSubscribed: () => forward !== undefined,
  };
}

interface Received {
  event: string;
  data: { serverNow: number; calls?: unknown; events?: unknown[]; type?: string };
}

/** Reads the SSE stream of `port`, collecting messages (comments left out). */
function readStream(t: Test, port: number) {
  const got: Received[] = [];
  let status = 0;
  let buffer = '';
  const req = http.get({ host: '127.0.0.1', port, path: '/' }, (res) => {
    status = res.statusCode!;
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) got.push({ event, data: JSON.parse(data) });
      }
    });
  });
  req.on('error', () => {});
  t.teardown(() => req.destroy());
  return { got, status: () => status, req };
}

const until = async (pred: () => boolean, what: string, ms = 3000) => {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

t.test('a snapshot on connect, then one message per burst', async (t) => {
  const b = await serveBoard(t, { coalesceMs: 100, resyncMs: 1000 });
  b.data.agents.push({ id: 'alice', status: 'available', since: 0, engagements: [] });
  b.poke();
  t.equal(b.stream.stats.readings, 0, 'no reader: events cost nothing');
  t.equal(b.clock.pending, 0, 'and schedule nothing');

  const page = readStream(t, b.port);
  await until(() => page.got.length === 1, 'the snapshot');
  t.equal(page.got[0].event, 'snapshot');
  t.equal(page.got[0].data.serverNow, 1_000_000, 'with the gateway clock');
  t.match(page.got[0].data, { agents: [{ id: 'alice' }], calls: [] });

  // 200 events in a burst: calls arrive one by one.
  for (let i = 0; i < 200; i++) {
    b.data.calls.push(callOf(`c${i}`));
    b.poke();
  }
  const before = b.stream.stats.readings;
  b.clock.advance(100);
  t.equal(b.stream.stats.readings - before, 1, 'one reading for the burst');
  await until(() => page.got.length === 2, 'the changes');
  t.equal(page.got[1].event, 'changes');
  t.equal((page.got[1].data.calls as { upsert: unknown[] }).upsert.length, 200, 'all of them');

  // Something no event announces (hold) comes with the periodic reading.
  b.data.calls[0].held = true;
  b.clock.advance(1000);
  await until(() => page.got.length === 3, 'the resync');
  t.match(page.got[2].data, { calls: { upsert: [{ id: 'c0', held: true }], remove: [] } });
  b.clock.advance(5000);
  await new Promise((r) => setTimeout(r, 50));
  t.equal(page.got.length, 3, 'nothing changed: nothing sent');

  page.req.destroy();
  await until(() => b.stream.clientCount === 0, 'the reader gone');
  t.equal(b.clock.pending, 0, 'no reader left: no timer left');
});

t.test('a slow reader: bounded buffer, skipped messages, a fresh snapshot after', async (t) => {
  const max = 64 * 1024;
  const b = await serveBoard(t, { maxBufferedBytes: max, stallMs: 60_000 });
  // A raw socket that sends its request and then stops reading.
  const socket = net.connect(b.port, '127.0.0.1');
  t.teardown(() => socket.destroy());
  await new Promise<void>((r) => socket.once('connect', r));
  socket.write('GET / HTTP/1.1\r\nHost: board\r\n\r\n');
  let received = '';
  socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
  await until(() => b.stream.clientCount === 1 && received.includes('event: snapshot'), 'open');
  socket.pause();

  // Each round changes 100 calls of ~2 KB: ~200 KB per message, until the reader is behind.
  const conn = b.stream.connections[0];
  const big = 'x'.repeat(2000);
  let rounds = 0;
  let maxBuffered = 0;
  while (!conn.behind && rounds < 400) {
    b.data.calls = Array.from({ length: 100 }, (_, i) => callOf(`c${i}`, { from: big + rounds }));
    b.poke();
    b.clock.advance(100);
    rounds++;
    maxBuffered = Math.max(maxBuffered, conn.bufferedBytes);
    await new Promise((r) => setImmediate(r));
  }
  t.ok(conn.behind, `behind after ${rounds} rounds (the kernel's buffers took the first)`);
  const messageBytes = 100 * 2100;
  for (let i = 0; i < 20; i++) {
    for (const c of b.data.calls) c.from = `${big} ${i}`;
    b.poke();
    b.clock.advance(100);
    maxBuffered = Math.max(maxBuffered, conn.bufferedBytes);
  }
  t.ok(conn.skipped >= 20, `messages skipped while behind (${conn.skipped})`);
  t.ok(
    maxBuffered <= max + messageBytes * 1.2,
    `the gateway buffers at most the limit and one message (${maxBuffered} bytes)`,
  );
  b.data.calls[0].from = 'the latest';
  b.poke();
  b.clock.advance(100);

  // The reader catches up: it gets the whole board as it is now.
  received = '';
  socket.resume();
  await until(() => received.includes('the latest'), 'the resync snapshot', 10_000);
  t.equal(conn.resyncs, 1, 'one resync');
  const last = received.slice(received.lastIndexOf('event: '));
  t.match(last, /^event: snapshot\n/, 'as a snapshot');
  t.equal(b.stream.clientCount, 1, 'still connected');
});

t.test('a reader stuck behind is disconnected; a cap on readers; close()', async (t) => {
  const b = await serveBoard(t, { maxBufferedBytes: 16 * 1024, stallMs: 5000, maxClients: 2 });
  const socket = net.connect(b.port, '127.0.0.1');
  t.teardown(() => socket.destroy());
  await new Promise<void>((r) => socket.once('connect', r));
  socket.write('GET / HTTP/1.1\r\nHost: board\r\n\r\n');
  await until(() => b.stream.clientCount === 1, 'open');
  socket.pause();
  const conn = b.stream.connections[0];
  for (let i = 0; i < 400 && !conn.behind; i++) {
    b.data.calls = Array.from({ length: 50 }, (_, j) =>
      callOf(`c${j}`, { from: `${i}`.repeat(2000) }),
    );
    b.poke();
    b.clock.advance(100);
    await new Promise((r) => setImmediate(r));
  }
  t.ok(conn.behind, 'behind');
  b.clock.advance(4900);
  await new Promise((r) => setTimeout(r, 50));
  t.equal(b.stream.clientCount, 1, 'still there before stallMs');
  b.clock.advance(100);
  await until(() => b.stream.clientCount === 0, 'disconnected after stallMs behind');
  // A paused socket reads nothing, its end included: the reader sees it once it reads.
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  socket.resume();
  await closed;
  t.pass('the reader sees its stream end');

  const one = readStream(t, b.port);
  const two = readStream(t, b.port);
  await until(() => b.stream.clientCount === 2, 'two readers');
  const three = readStream(t, b.port);
  await until(() => three.status() !== 0, 'the third answered');
  t.equal(three.status(), 503, 'a third is refused');
  t.equal(b.subscribed(), 1);
  b.stream.close();
  await until(() => b.stream.clientCount === 0, 'all closed');
  t.equal(b.subscribed(), 0, 'unsubscribed from the gateway');
  t.notOk(b.eventsSubscribed(), "and from the gateway's events");
  t.equal(b.clock.pending, 0, 'no timer left');
  t.ok(one.got.length && two.got.length);
});

t.test(
  "the gateway's events: forwarded as they come, the latest few in every snapshot",
  async (t) => {
    const b = await serveBoard(t, { recentEvents: 3 });
    for (let i = 1; i <= 5; i++) b.event({ type: `before-${i}`, at: '2026-01-01T00:00:00.000Z' });
    const page = readStream(t, b.port);
    await until(() => page.got.length === 1, 'the snapshot');
    t.same(
      page.got[0].data.events!.map((e) => (e as { type: string }).type),
      ['before-3', 'before-4', 'before-5'],
      'the snapshot has the latest recentEvents, oldest first',
    );
    b.event({ type: 'conversation-kept', agentId: 'alice', at: '2026-01-01T00:00:01.000Z' });
    await until(() => page.got.length === 2, 'the event');
    t.equal(page.got[1].event, 'event');
    t.equal(page.got[1].data.type, 'conversation-kept', 'at once, not waiting for a reading');
  },
);
