// rtpengine supervision made visible, with a real rtpengine killed with SIGKILL: the log
// says it went down, lost its calls and came back; the metrics follow; /ready fails while
// it is down; /health stays 200 but says 'degraded' with rtpengine's state.
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { HealthRoutes } from '../../gateway/health/health-routes';
import { Readiness } from '../../gateway/health/readiness';
import { reportRtpengine } from '../../gateway/health/rtpengine-report';
import { GatewayMetrics } from '../../gateway/metrics/gateway-metrics';
import { launchRtpengine } from '../../media/rtpengine-launcher';
import { claimPortBlock } from '../../media/port-block-claim';
import { capturedLogger } from './fixtures/log-capture';

async function serve(routes: HealthRoutes) {
  const server = http.createServer((req, res) => {
    if (!routes.handle(req, res)) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const get = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return { get, close };
}

function metric(text: string, name: string): number {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

t.test('SIGKILL: logged, counted, not ready while down, degraded in /health', async (t) => {
  const block = claimPortBlock(1000);
  t.teardown(() => block.release());
  const rtpengine = await launchRtpengine({
    ports: block.range,
    // A long first delay: time to look at the gateway while rtpengine is down.
    supervision: { backoff: { initialMs: 1500 } },
  });
  t.teardown(() => rtpengine.stop());
  const { log, capture } = capturedLogger('info');
  const readiness = new Readiness();
  const metrics = new GatewayMetrics({ processMetrics: false });
  const stop = reportRtpengine({ rtpengine, readiness, metrics, log });
  t.teardown(stop);
  const server = await serve(new HealthRoutes(readiness));
  t.teardown(server.close);

  t.match(capture.lines, [{ level: 40, msg: /1000 ports\) carries about 125 calls/ }]);
  t.match(await server.get('/ready'), { status: 200 });
  t.match(await server.get('/health'), {
    status: 200,
    body: { status: 'ok', details: { rtpengine: { ok: true, state: 'up', restarts: 0 } } },
  });
  t.equal(metric(await metrics.render(), 'holdfast_rtpengine_up'), 1);

  const pid = rtpengine.pid!;
  const down = once(rtpengine.health, 'down');
  process.kill(pid, 'SIGKILL');
  await down;
  const ready = await server.get('/ready');
  t.equal(ready.status, 503, 'not ready while down');
  t.match(ready.body, { failing: [{ name: 'rtpengine', reason: /rtpengine down: .*SIGKILL/ }] });
  t.match(await server.get('/health'), {
    status: 200,
    body: {
      status: 'degraded',
      details: { rtpengine: { ok: false, state: 'down', down: { cause: 'exited' } } },
    },
  });
  t.equal(metric(await metrics.render(), 'holdfast_rtpengine_up'), 0);
  t.match(capture.withMsg('rtpengine down'), [
    { level: 50, cause: 'exited', reason: new RegExp(`pid ${pid}.*SIGKILL`) },
  ]);
  t.match(capture.withMsg('rtpengine lost the media of every call'), [
    { level: 50, cause: 'exited', answering: false },
  ]);

  await once(rtpengine.health, 'up', { signal: AbortSignal.timeout(10_000) });
  t.match(capture.withMsg('rtpengine up again, restarted without its calls'), [
    { level: 40, restarts: 1, stateLost: true, pid: rtpengine.pid },
  ]);
  t.match(await server.get('/ready'), { status: 200 });
  t.match(await server.get('/health'), {
    body: { status: 'ok', details: { rtpengine: { state: 'up', restarts: 1 } } },
  });
  const text = await metrics.render();
  t.equal(metric(text, 'holdfast_rtpengine_up'), 1);
  t.equal(metric(text, 'holdfast_rtpengine_restarts_total'), 1);
});
