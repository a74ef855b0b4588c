// Supervision with real rtpengine processes: a private one killed with SIGKILL is noticed,
// reported and restarted on the same ng port (with backoff); a frozen one (SIGSTOP) is
// reported down and up again without a restart; an external one is pinged, and its restart
// is detected from its uptime even when no ping failed.
import t, { type Test } from 'tap';
import { once } from 'node:events';
import { NgClient } from '../../media/ng-client';
import type { RtpengineHealth, RtpengineHealthEvents } from '../../media/rtpengine-health';
import {
  connectExternal,
  launchRtpengine,
  type LaunchOptions,
  type RtpengineHandle,
} from '../../media/rtpengine-launcher';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function launch(t: Test, opts: LaunchOptions = {}): Promise<RtpengineHandle> {
  const handle = await launchRtpengine({ portCount: 512, ...opts });
  t.teardown(() => handle.stop());
  return handle;
}

/** Every health event, in order, as `name` + payload. */
function record(health: RtpengineHealth) {
  const events: { name: keyof RtpengineHealthEvents; e: Record<string, unknown> }[] = [];
  for (const name of ['down', 'up', 'stateLost', 'restartFailed'] as const)
    health.on(name, (e: object) => events.push({ name, e: { ...e } }));
  return events;
}

function next<K extends keyof RtpengineHealthEvents>(
  health: RtpengineHealth,
  name: K,
  timeoutMs = 10_000,
): Promise<RtpengineHealthEvents[K]> {
  return once(health, name, { signal: AbortSignal.timeout(timeoutMs) }) as Promise<
    RtpengineHealthEvents[K]
  >;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

t.test('a private rtpengine killed with SIGKILL is restarted on the same ng port', async (t) => {
  const re = await launch(t, { supervision: { backoff: { initialMs: 200 } } });
  const events = record(re.health);
  const client = new NgClient({ host: re.host, port: re.port, timeoutMs: 500 });
  t.teardown(() => client.close());
  t.equal((await client.ping()).result, 'pong');
  const firstPid = re.pid!;

  const up = next(re.health, 'up');
  process.kill(firstPid, 'SIGKILL');
  const [first] = await up;
  t.match(
    events.map((x) => x.name),
    ['down', 'stateLost', 'up'],
    'down, stateLost, then up',
  );
  t.match(events[0].e, { cause: 'exited', reason: new RegExp(`pid ${firstPid}.*SIGKILL`) });
  t.match(events[1].e, { cause: 'exited', answering: false });
  t.match(first, { restarts: 1, stateLost: true });
  t.ok(first.downForMs >= 200, `restarted after the backoff (${first.downForMs.toFixed(0)} ms)`);
  t.not(re.pid, firstPid, 'a new process');
  t.equal(first.pid, re.pid);
  t.equal(re.health.state, 'up');
  t.equal((await client.ping()).result, 'pong', 'the same client reaches the new rtpengine');

  // A second crash soon after: the delay has doubled.
  const again = next(re.health, 'up');
  process.kill(re.pid!, 'SIGKILL');
  const [second] = await again;
  t.match(second, { restarts: 2 });
  t.ok(second.downForMs >= 400, `second restart backed off (${second.downForMs.toFixed(0)} ms)`);
  t.match(re.health.snapshot(), { state: 'up', external: false, restarts: 2, pid: re.pid });
});

t.test('stop() while a restart is pending: no new process, state stopped', async (t) => {
  const re = await launch(t, { supervision: { backoff: { initialMs: 300 } } });
  const down = next(re.health, 'down');
  const pid = re.pid!;
  process.kill(pid, 'SIGKILL');
  await down;
  await re.stop();
  await sleep(600);
  t.equal(re.pid, pid, 'nothing was started');
  t.equal(re.health.state, 'stopped');
  t.notOk(alive(pid));
});

t.test(
  'a frozen private rtpengine is down while stopped and up again, not restarted',
  async (t) => {
    const re = await launch(t, {
      supervision: { monitor: { intervalMs: 200, pingTimeoutMs: 200, downAfter: 2 } },
    });
    const events = record(re.health);
    const pid = re.pid!;
    const down = next(re.health, 'down');
    process.kill(pid, 'SIGSTOP');
    t.teardown(() => alive(pid) && process.kill(pid, 'SIGCONT'));
    const [d] = await down;
    t.match(d, { cause: 'unresponsive', reason: /no answer to 2 ng pings/ });
    t.equal(re.health.state, 'down');
    const up = next(re.health, 'up');
    process.kill(pid, 'SIGCONT');
    const [u] = await up;
    t.match(u, { restarts: 0, stateLost: false, pid });
    t.same(
      events.map((x) => x.name),
      ['down', 'up'],
    );
    t.equal(re.pid, pid, 'the same process');
  },
);

t.test('an external rtpengine: down and up when it dies and comes back restarted', async (t) => {
  const engine = await launch(t, { supervision: { restart: false } });
  const ext = await connectExternal(engine.host, engine.port, {
    supervision: { monitor: { intervalMs: 200, pingTimeoutMs: 200, downAfter: 2 } },
  });
  t.teardown(() => ext.stop());
  const events = record(ext.health);
  t.equal(ext.pid, undefined);
  await sleep(2500); // an uptime of a few seconds, so that a restart shows in it
  const down = next(ext.health, 'down');
  process.kill(engine.pid!, 'SIGKILL');
  await down;
  const up = next(ext.health, 'up');
  await launch(t, { ngPort: engine.port, supervision: { restart: false } });
  const [u] = await up;
  t.match(u, { stateLost: true, restarts: 1 });
  t.same(
    events.map((x) => x.name),
    ['down', 'stateLost', 'up'],
  );
  t.match(events[1].e, { cause: 'restarted', answering: true, restarts: 1 });
  t.match(ext.health.snapshot(), { state: 'up', external: true, restarts: 1 });
});

t.test('an external rtpengine restarted between two pings: stateLost all the same', async (t) => {
  const engine = await launch(t, { supervision: { restart: false } });
  const ext = await connectExternal(engine.host, engine.port, {
    supervision: { monitor: { intervalMs: 2500, restartCheckEvery: 1 } },
  });
  t.teardown(() => ext.stop());
  const events = record(ext.health);
  await sleep(3000);
  const lost = next(ext.health, 'stateLost');
  process.kill(engine.pid!, 'SIGKILL');
  await launch(t, { ngPort: engine.port, supervision: { restart: false } });
  const [e] = await lost;
  t.match(e, { cause: 'restarted', answering: true, restarts: 1 });
  t.same(
    events.map((x) => x.name),
    ['stateLost'],
    'never seen down',
  );
  t.equal(ext.health.state, 'up');
});

t.test('an external rtpengine that keeps running is never reported restarted', async (t) => {
  const engine = await launch(t, { supervision: { restart: false } });
  const ext = await connectExternal(engine.host, engine.port, {
    supervision: { monitor: { intervalMs: 100, restartCheckEvery: 1 } },
  });
  t.teardown(() => ext.stop());
  const events = record(ext.health);
  await sleep(3500); // ~35 uptime readings across several second boundaries
  t.same(events, []);
});
