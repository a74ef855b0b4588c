import http from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { HealthRoutes } from '../../gateway/health/health-routes';
import { Readiness } from '../../gateway/health/readiness';
import { ManualClock } from '../fixtures/manual-clock';

async function serve(routes: HealthRoutes) {
  const server = http.createServer((req, res) => {
    if (routes.handle(req, res)) return;
    res.writeHead(404).end(); // the gateway's own routing would go here
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const get = async (path: string, method = 'GET') => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { method });
    const text = await res.text();
    return {
      status: res.status,
      type: res.headers.get('content-type'),
      body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
    };
  };
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return { get, close };
}

t.test('/health is 200 while /ready follows its checks as they flip', async (t) => {
  let drachtio = true;
  let rtpengine: string | undefined;
  const readiness = new Readiness({ timeoutMs: 1000 });
  readiness.add('drachtio', async () => {
    if (!drachtio) throw new Error('not connected to drachtio-server at 127.0.0.1:9022');
  });
  readiness.add('rtpengine', async () => {
    if (rtpengine) throw new Error(rtpengine);
  });
  const http = await serve(new HealthRoutes(readiness));
  t.teardown(http.close);

  t.same(await http.get('/health'), {
    status: 200,
    type: 'application/json',
    body: { status: 'ok' },
  });
  t.same(await http.get('/ready'), {
    status: 200,
    type: 'application/json',
    body: { status: 'ready', checks: ['drachtio', 'rtpengine'] },
  });

  drachtio = false;
  rtpengine = 'no answer to ping from 127.0.0.1:22222';
  const down = await http.get('/ready?verbose=1');
  t.equal(down.status, 503);
  t.same(down.body, {
    status: 'not ready',
    failing: [
      { name: 'drachtio', reason: 'not connected to drachtio-server at 127.0.0.1:9022' },
      { name: 'rtpengine', reason: 'no answer to ping from 127.0.0.1:22222' },
    ],
  });
  t.equal((await http.get('/health')).status, 200, 'liveness does not depend on readiness');

  drachtio = true;
  t.same((await http.get('/ready')).body, {
    status: 'not ready',
    failing: [{ name: 'rtpengine', reason: 'no answer to ping from 127.0.0.1:22222' }],
  });
  rtpengine = undefined;
  t.equal((await http.get('/ready')).status, 200);

  t.same(await http.get('/health', 'HEAD'), {
    status: 200,
    type: 'application/json',
    body: undefined,
  });
  t.equal((await http.get('/ready', 'POST')).status, 405);
  t.equal((await http.get('/v1/agents')).status, 404, 'other paths are left to the server');
});

t.test(
  'a check that hangs fails after its timeout; one that throws synchronously fails too',
  async (t) => {
    const clock = new ManualClock();
    const readiness = new Readiness({ clock, timeoutMs: 2000 });
    readiness.add('hangs', () => new Promise<void>(() => {}), { timeoutMs: 500 });
    readiness.add('throws', () => {
      throw new Error('boom');
    });
    readiness.add('ok', async () => {});
    const report = readiness.run();
    await new Promise((r) => setImmediate(r)); // the quick checks settle at t = 0
    await clock.advanceAsync(500);
    t.same(await report, {
      ready: false,
      checks: [
        { name: 'hangs', ok: false, reason: 'no answer within 500 ms', ms: 500 },
        { name: 'throws', ok: false, reason: 'boom', ms: 0 },
        { name: 'ok', ok: true, ms: 0 },
      ],
    });
    t.equal(clock.pending, 0, 'every timeout timer is cleared');
  },
);

t.test('concurrent probes share one run; removing a check; no checks means ready', async (t) => {
  const clock = new ManualClock();
  const readiness = new Readiness({ clock });
  let runs = 0;
  const remove = readiness.add('counted', async () => {
    runs++;
  });
  const [a, b] = await Promise.all([readiness.run(), readiness.run()]);
  t.equal(runs, 1);
  t.equal(a, b);
  await readiness.run();
  t.equal(runs, 2, 'a later probe runs the checks again');
  remove();
  t.same(readiness.names, []);
  t.same(await readiness.run(), { ready: true, checks: [] });
  t.throws(() => readiness.add('', async () => {}), /needs a name/);
  t.throws(
    () => readiness.add('x', async () => {}, { timeoutMs: 0 }),
    /timeoutMs must be positive/,
  );
});
