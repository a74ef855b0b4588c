// The gateway's private rtpengine killed with SIGKILL in the middle of a call: the gateway
// notices (/ready fails at once), restarts it on the same ng port, says so in /health and
// /metrics, ends the call whose media died (BYE with a Reason), and takes new calls again
// with two-way audio.
import t from 'tap';
import { ADMIN, startTestGateway, waitFor, type TestGateway } from './fixtures/gateway-harness';
import { scrape } from './fixtures/metrics-scrape';
import { Agent, Customer, CUSTOMER_TONE, hearsTone } from './fixtures/parties';

const ALICE_TONE = 1000;

async function get(hf: TestGateway, path: string) {
  const res = await fetch(`http://${hf.gw.http.host}:${hf.gw.http.port}${path}`, {
    headers: { Authorization: `Bearer ${ADMIN}` },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

t.test('kill -9 of the private rtpengine: noticed, restarted, new calls work', async (t) => {
  const hf = await startTestGateway(t, [{ id: 'alice', password: 'pw-alice' }]);
  const alice = await Agent.open(t, hf, 'alice', { tone: ALICE_TONE, password: 'pw-alice' });
  const first = await Customer.call(t, hf);
  await waitFor(() => [...hf.gw.calls.values()][0]?.state === 'connected', 'first call connected');
  t.ok((await hearsTone(first.ep, ALICE_TONE)) > 0.8, 'first call: audio before the kill');
  t.equal((await get(hf, '/ready')).status, 200);

  const pid = hf.gw.rtpengine.pid!;
  const port = hf.gw.rtpengine.port;
  process.kill(pid, 'SIGKILL');
  const firstBye = first.ua.waitForBye(first.dialog, 10_000);
  await waitFor(async () => (await get(hf, '/ready')).status === 503, 'not ready', 3000);
  await waitFor(async () => (await get(hf, '/ready')).status === 200, 'ready again', 10_000);
  t.not(hf.gw.rtpengine.pid, pid, 'a new rtpengine process');
  t.equal(hf.gw.rtpengine.port, port, 'on the same ng port');
  t.match(await get(hf, '/health'), {
    status: 200,
    body: {
      status: 'ok',
      details: { rtpengine: { ok: true, state: 'up', restarts: 1, external: false } },
    },
  });
  const health = (await get(hf, '/health')).body as {
    details: { rtpengine: { lastStateLostAgoMs?: number } };
  };
  t.type(health.details.rtpengine.lastStateLostAgoMs, 'number', 'the state loss is on record');
  const m = await scrape(hf);
  t.equal(m('holdfast_rtpengine_up'), 1);
  t.equal(m('holdfast_rtpengine_restarts_total'), 1);

  // The first call's media died with rtpengine: it ended, with a Reason, and a record.
  t.match((await firstBye).get('reason') ?? '', /media server failure/, 'first call: BYE + Reason');
  // A customer that got a BYE stops sending (its stray RTP could land on the next call's
  // ports in the restarted rtpengine, which reuses them).
  first.ep.pause();
  await waitFor(() => hf.gw.calls.size === 0, 'no call left on the dead media');

  // A new call: the agent is free again, and the new rtpengine carries it.
  const next = alice.nextCall();
  const second = await Customer.call(t, hf);
  await next;
  await waitFor(
    () => [...hf.gw.calls.values()].some((c) => c.agentId === 'alice' && c.state === 'connected'),
    'second call connected',
  );
  t.ok((await hearsTone(second.ep, ALICE_TONE)) > 0.8, 'the new customer hears alice');
  // A just-started rtpengine on a loaded machine may take a moment to forward both ways.
  let share = 0;
  for (let i = 0; i < 3 && share <= 0.8; i++) share = await hearsTone(alice.ep, CUSTOMER_TONE);
  t.ok(share > 0.8, `alice hears the new customer (${share.toFixed(2)})`);

  t.equal(await second.hangUp(), 200);
  await hf.settled(10_000);
});
