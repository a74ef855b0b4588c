// The ng client and launcher on failure: rtpengine down or silent → each request fails
// with a clear error within its timeout; nothing stays pending; bad environment is named.
import t, { type Test } from 'tap';
import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { NgClient } from '../../media/ng-client';
import { RtpengineError } from '../../media/errors';
import { launchRtpengine, rtpengineFromEnv } from '../../media/rtpengine-launcher';
import { rtpengineForTest } from '../helpers/rtp-engine';

/** A UDP socket that swallows everything: an rtpengine that never answers. */
async function silentPeer(t: Test): Promise<number> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => sock.close(() => r())));
  return sock.address().port;
}

t.test(
  'a silent rtpengine: every request rejects with a timeout error naming the address',
  async (t) => {
    const port = await silentPeer(t);
    const client = new NgClient({ host: '127.0.0.1', port, timeoutMs: 300, maxInFlight: 2 });
    t.teardown(() => client.close());
    const started = performance.now();
    const results = await Promise.allSettled(
      [1, 2, 3, 4, 5].map((i) => client.request('query', { 'call-id': `c${i}` })),
    );
    const elapsed = performance.now() - started;
    for (const r of results) {
      t.equal(r.status, 'rejected');
      const err = (r as PromiseRejectedResult).reason as RtpengineError;
      t.ok(err instanceof RtpengineError);
      t.equal(err.kind, 'timeout');
      t.match(
        err.message,
        new RegExp(
          `rtpengine at 127\\.0\\.0\\.1:${port}: 'query' for call c\\d failed: no reply within 300 ms`,
        ),
      );
    }
    // 5 requests, 2 at a time, 300 ms each → 3 rounds.
    t.ok(elapsed >= 850 && elapsed < 3000, `bounded by the queue: ${elapsed.toFixed(0)} ms`);
  },
);

t.test('close() settles everything pending at once and later requests fail', async (t) => {
  const port = await silentPeer(t);
  const client = new NgClient({ host: '127.0.0.1', port, timeoutMs: 5000, maxInFlight: 1 });
  const pending = [client.ping(), client.ping()];
  client.close();
  client.close();
  for (const p of pending) await t.rejects(p, { name: 'RtpengineError', kind: 'closed' });
  await t.rejects(client.ping(), /closed/);
});

t.test('a queue beyond maxQueued fails fast', async (t) => {
  const port = await silentPeer(t);
  const client = new NgClient({
    host: '127.0.0.1',
    port,
    timeoutMs: 200,
    maxInFlight: 1,
    maxQueued: 1,
  });
  t.teardown(() => client.close());
  const a = client.ping();
  const b = client.ping();
  t.equal(((await client.ping().catch((e) => e)) as RtpengineError).kind, 'overloaded');
  await Promise.allSettled([a, b]);
});

t.test('rtpengine errors carry the command, call-id and reason', async (t) => {
  const re = await rtpengineForTest(t);
  const err = (await re.client
    .request('play media', { 'call-id': 'nope', 'from-tag': 'x', file: '/x.wav' })
    .catch((e) => e)) as RtpengineError;
  t.equal(err.command, 'play media');
  t.equal(err.callId, 'nope');
  t.equal(err.kind, 'refused');
  t.match(err.reason, /Unknown call-id/i);
  t.ok(err.unknownCall);
});

t.test('launcher: missing binary, bad or silent external rtpengine', async (t) => {
  await t.rejects(launchRtpengine({ binary: 'rtpengine-does-not-exist' }), {
    name: 'RtpengineUnavailableError',
    message: /not found on PATH.*apt-get install rtpengine-daemon.*setup\.sh/,
  });
  const port = await silentPeer(t);
  await t.rejects(
    rtpengineFromEnv(
      { readyTimeoutMs: 400 },
      { RTPENGINE_HOST: '127.0.0.1', RTPENGINE_PORT: String(port) },
    ),
    {
      message: new RegExp(
        `rtpengine at 127\\.0\\.0\\.1:${port} .*did not answer an ng ping within 400 ms`,
      ),
    },
  );
  await t.rejects(rtpengineFromEnv({}, { RTPENGINE_HOST: '127.0.0.1' }), /must both be set/);
  await t.rejects(
    launchRtpengine({ extraArgs: ['--no-such-option'] }),
    /exited .* before answering/,
  );
});

t.test('launcher: a launched rtpengine answers, exposes its pid and stops', async (t) => {
  const handle = await launchRtpengine({ portCount: 512 });
  t.teardown(() => handle.stop());
  t.ok(handle.pid && handle.pid > 0);
  t.ok(handle.portMin! >= 16384 && handle.portMax! < 32768);
  const client = new NgClient({ host: handle.host, port: handle.port, timeoutMs: 500 });
  t.equal((await client.ping()).result, 'pong');
  await handle.stop();
  await handle.stop();
  let alive = true;
  try {
    process.kill(handle.pid!, 0);
  } catch {
    alive = false;
  }
  t.notOk(alive, 'the process is gone');
  t.equal(((await client.ping().catch((e) => e)) as RtpengineError).kind, 'timeout');
  client.close();
});

t.test(
  'a frozen rtpengine (SIGSTOP): requests time out in bounded rounds; all recovers on SIGCONT',
  { skip: process.env.RTPENGINE_HOST ? 'needs a private rtpengine to stop' : false },
  async (t) => {
    const re = await rtpengineForTest(t, { supervision: { restart: false } });
    const client = new NgClient({
      host: re.handle.host,
      port: re.handle.port,
      timeoutMs: 400,
      maxInFlight: 4,
    });
    t.teardown(() => client.close());
    const pid = re.handle.pid!;
    process.kill(pid, 'SIGSTOP');
    let frozen = true;
    t.teardown(() => {
      if (frozen) process.kill(pid, 'SIGCONT');
    });
    const started = performance.now();
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => client.ping()));
    const elapsed = performance.now() - started;
    t.ok(
      results.every(
        (r) => r.status === 'rejected' && (r.reason as RtpengineError).kind === 'timeout',
      ),
    );
    // 12 requests, 4 at a time, 400 ms each: 3 rounds.
    t.ok(elapsed >= 1100 && elapsed < 4000, `bounded: ${elapsed.toFixed(0)} ms`);
    t.same(client.load, { inFlight: 0, queued: 0 }, 'nothing left pending');
    process.kill(pid, 'SIGCONT');
    frozen = false;
    // The replies to the timed-out requests arrive late and are dropped; new ones work.
    const after = performance.now();
    const replies = await Promise.all(Array.from({ length: 8 }, () => client.ping()));
    t.ok(replies.every((r) => r.result === 'pong'));
    t.ok(performance.now() - after < 400, 'answered at once after the freeze');
    t.same(client.load, { inFlight: 0, queued: 0 });
  },
);

/** An rtpengine that answers 'ok' to everything, one request at a time, `delayMs` each. */
async function slowPeer(t: Test, delayMs: number): Promise<{ port: number; seen: string[] }> {
  const sock = dgram.createSocket('udp4');
  const seen: string[] = [];
  let busyUntil = 0;
  sock.on('message', (msg, from) => {
    const text = msg.toString('latin1');
    const cookie = text.slice(0, text.indexOf(' '));
    const command = /7:command(\d+):/.exec(text);
    seen.push(command ? text.substr(command.index + command[0].length, Number(command[1])) : '?');
    busyUntil = Math.max(busyUntil, Date.now()) + delayMs;
    setTimeout(
      () => sock.send(`${cookie} d6:result2:oke`, from.port, from.address),
      busyUntil - Date.now(),
    );
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => sock.close(() => r())));
  return { port: sock.address().port, seen };
}

t.test("call control goes ahead of the watchdog's queries", async (t) => {
  const peer = await slowPeer(t, 20);
  const client = new NgClient({
    host: '127.0.0.1',
    port: peer.port,
    maxInFlight: 32,
    maxBackgroundInFlight: 2,
  });
  t.teardown(() => client.close());
  const queries = [...Array(20).keys()].map((i) => client.request('query', { 'call-id': `q${i}` }));
  const offer = client.request('offer', { 'call-id': 'new', sdp: 'v=0' });
  const started = performance.now();
  await offer;
  const offerMs = performance.now() - started;
  await Promise.all(queries);
  t.equal(peer.seen.indexOf('offer'), 2, 'the offer is sent behind two queries, not twenty');
  t.ok(offerMs < 200, `the offer answered in ${offerMs.toFixed(0)} ms (twenty queries: 400)`);
  t.equal(peer.seen.length, 21, 'every query still goes out');
});
