// rtpengine frozen (SIGSTOP) in the middle of a connected call, then resumed (SIGCONT). The
// watchdog could not see during the freeze, so no agent disconnect may come of it: the call
// stays with the same agent, and rtpengine's state (down while frozen, up again, no restart)
// is what /health says.
//
// Measured on rtpengine 10.5: a stream that queued more than 250 packets while rtpengine was
// stopped (5 receive loops of 50, ~5 s of 20 ms packets on loopback) is never read again.
// So after a 3 s freeze audio flows again by itself; after 7 s it does not, in either
// direction, until the call gets fresh media ports. The watchdog reports that as 'stalled'
// (rtpengine's doing), never as the agent's media loss, and the gateway ends such a call
// with a Reason on both sides rather than leave the customer in silence.
import t, { type Test } from 'tap';
import { performance } from 'node:perf_hooks';
import {
  ADMIN,
  sleep,
  startTestGateway,
  waitFor,
  type TestGateway,
} from './fixtures/gateway-harness';
import { scrape } from './fixtures/metrics-scrape';
import { Agent, Customer, CUSTOMER_TONE, hearsTone } from './fixtures/parties';

const ALICE_TONE = 1000;

/** A connected call with both parties sending; what happens to it is recorded. */
async function connectedCall(t: Test) {
  const hf = await startTestGateway(t, [{ id: 'alice', password: 'pw-alice' }]);
  const alice = await Agent.open(t, hf, 'alice', { tone: ALICE_TONE, password: 'pw-alice' });
  const customer = await Customer.call(t, hf);
  await waitFor(() => [...hf.gw.calls.values()][0]?.state === 'connected', 'connected');
  const call = [...hf.gw.calls.values()][0];
  t.ok((await hearsTone(customer.ep, ALICE_TONE)) > 0.8, 'before: the customer hears alice');
  t.ok((await hearsTone(alice.ep, CUSTOMER_TONE)) > 0.8, 'before: alice hears the customer');
  const happened: string[] = [];
  hf.gw.engagements.on('evidence', (e, ev) => {
    if (ev.kind === 'gone') happened.push(`agentGone ${e.agentId} ${ev.evidence}`);
  });
  call.on('disconnected', (agentId, evidence) =>
    happened.push(`disconnected ${agentId} ${evidence}`),
  );
  call.on('state', (to) => happened.push(`state ${to}`));
  return { hf, alice, customer, call, happened, answered: alice.dialogs.length };
}

/** SIGSTOP for `ms`, then SIGCONT; resolves once rtpengine answers the gateway again. */
async function freeze(t: Test, hf: TestGateway, ms: number): Promise<void> {
  const pid = hf.gw.rtpengine.pid!;
  process.kill(pid, 'SIGSTOP');
  let frozen = true;
  t.teardown(() => {
    if (frozen) process.kill(pid, 'SIGCONT');
  });
  await sleep(ms);
  process.kill(pid, 'SIGCONT');
  frozen = false;
  // Through the gateway's own ng client: its timeouts fired, its queue drained.
  const resumed = performance.now();
  await waitFor(
    async () =>
      hf.gw.ng.ping().then(
        () => true,
        () => false,
      ),
    'ng ping',
    5000,
  );
  t.ok(performance.now() - resumed < 3000, 'the ng client answers within its timeout');
  await waitFor(() => hf.gw.rtpengine.health.up, 'rtpengine reported up again', 5000);
}

async function sameCallSameAgent(
  t: Test,
  c: Awaited<ReturnType<typeof connectedCall>>,
  pid: number,
) {
  const { hf, alice, call, happened, answered } = c;
  t.same(happened, [], 'no disconnect, no state change');
  t.equal(call.state, 'connected');
  t.equal(call.agentId, 'alice', 'the same agent');
  t.equal(alice.dialogs.length, answered, 'no new INVITE to alice');
  t.equal(hf.gw.coordinator.size, 0, 'no absence');
  t.equal(hf.gw.rtpengine.pid, pid, 'the same rtpengine process');
  t.equal(hf.gw.rtpengine.health.restarts, 0, 'not restarted');
  const m = await scrape(hf);
  t.equal(m('holdfast_agent_disconnects_total', { evidence: 'media-loss' }), 0);
  t.equal(m('holdfast_rtpengine_up'), 1);
  const res = await fetch(`http://${hf.gw.http.host}:${hf.gw.http.port}/ready`, {
    headers: { Authorization: `Bearer ${ADMIN}` },
  });
  t.equal(res.status, 200, 'ready');
}

t.test('SIGSTOP for 3 s: no disconnect, same agent, two-way audio after', async (t) => {
  const c = await connectedCall(t);
  const pid = c.hf.gw.rtpengine.pid!;
  await freeze(t, c.hf, 3000);
  await sleep(2000); // longer than lossMs (600 ms) plus polls, with room
  await sameCallSameAgent(t, c, pid);
  t.ok((await hearsTone(c.customer.ep, ALICE_TONE)) > 0.8, 'after: the customer hears alice');
  t.ok((await hearsTone(c.alice.ep, CUSTOMER_TONE)) > 0.8, 'after: alice hears the customer');
  t.equal(await c.customer.hangUp(), 200);
  await c.hf.settled();
});

t.test(
  "SIGSTOP for 7 s: no disconnect; rtpengine's silence (stalled) ends the call with a Reason",
  async (t) => {
    const c = await connectedCall(t);
    const { hf, call, happened } = c;
    const pid = hf.gw.rtpengine.pid!;
    // What the gateway's own watchdog made of the silence (a second watcher of our own
    // would race it: the call ends, with its session, at the first verdict).
    const seen: string[] = [];
    call.primary!.on('mediaDead', (why) => seen.push(why));
    const customerBye = c.customer.ua.waitForBye(c.customer.dialog, 20_000);
    const aliceBye = c.alice.ua.waitForBye(c.alice.current!, 20_000);
    await sleep(300);
    await freeze(t, hf, 7000);
    // rtpengine forwards nothing more on these ports: the call cannot be heard, it ends.
    const bye = await customerBye;
    t.match(
      bye.get('reason') ?? '',
      /media server failure/,
      'the customer gets a BYE with a Reason',
    );
    t.match((await aliceBye).get('reason') ?? '', /media server failure/, 'so does alice');
    t.same(
      happened.filter((h) => !h.startsWith('state')),
      [],
      'no agent disconnect: the silence was not the agent',
    );
    t.equal(hf.gw.coordinator.size, 0, 'no absence');
    t.equal(hf.gw.rtpengine.pid, pid, 'the same rtpengine process');
    t.equal(hf.gw.rtpengine.health.restarts, 0, 'not restarted');
    const m = await scrape(hf);
    t.equal(m('holdfast_agent_disconnects_total', { evidence: 'media-loss' }), 0);
    t.equal(m('holdfast_rtpengine_up'), 1);
    t.same(seen, ['stalled'], 'the watchdog: stalled, not lost');
    await hf.settled();
    await waitFor(() => hf.gw.agents.get('alice')!.status === 'available', 'alice available');
  },
);
