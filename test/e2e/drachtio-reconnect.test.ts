// docs/fault-semantics.md, "The SIP server connection drops", end to end: the SIP server is
// its own process (`holdfast sipserver`), the gateway connects to it as to a drachtio-server
// (DRACHTIO_*), a call is up; the SIP server process is killed, then started again on the
// same ports. Checked: /ready fails while it is away and the loss is logged; the call up
// keeps its media (the customer still hears the agent); the gateway reconnects by itself
// and is ready again; the call that was up ends with its record ('signalling-lost') and its
// media deleted; a new call works end to end with audio both ways; nothing is left.
import t from 'tap';
import { sleep, waitFor } from './fixtures/gateway-harness';
import { doesNotHear, hears, hearsSilence } from './fixtures/hearing';
import { Agent, CUSTOMER_TONE, Customer } from './fixtures/parties';
import { gatewayOnSeparateServer, startSipServer } from './fixtures/separate-sip-server';

const ALICE_TONE = 1000;

t.test(
  'the SIP server process dies and comes back: not ready meanwhile, the call up keeps its media then ends with a record, a new call works',
  async (t) => {
    const rig = await gatewayOnSeparateServer(t, {
      http: { listen: '127.0.0.1:0', adminToken: 'admin' },
      agents: [{ id: 'alice', password: 'alice-pw', token: 'alice-token' }],
      policy: { reconnectWindowMs: 30_000, presenceTimeoutMs: 60_000, keepaliveMs: 0 },
      media: { lossMs: 600, portBlock: 512 },
      log: { level: 'info' },
    });
    const { gw, hf, logged, ready, ports } = rig;
    let server = rig.server;
    await waitFor(async () => (await ready()) === 200, 'ready', 10_000);

    const alice = await Agent.open(t, hf, 'alice', { tone: ALICE_TONE, password: 'alice-pw' });
    const answered = alice.nextCall();
    const first = await Customer.call(t, hf);
    await answered;
    await hears(t, first.ep, ALICE_TONE, 'before: the customer hears alice');
    const firstCall = [...gw.calls.values()][0];

    // The SIP server process dies.
    server.child.kill('SIGKILL');
    await server.exited;
    await waitFor(async () => (await ready()) === 503, '/ready fails', 5000);
    t.pass('/ready answers 503 while the SIP server is away');
    t.match(
      logged(/SIP server connection lost/),
      [{ level: 50, callsUp: 1 }],
      'the loss is logged',
    );
    await hears(t, first.ep, ALICE_TONE, 'meanwhile: the customer still hears alice (rtpengine)');
    await hears(t, alice.ep, CUSTOMER_TONE, 'and alice the customer');
    t.equal(gw.calls.size, 1, 'the call is still up');
    await sleep(3000); // a few reconnect attempts against nothing
    t.ok(logged(/reconnecting/).length >= 2, 'the reconnect attempts are logged');
    t.equal(await ready(), 503, 'still not ready');

    // It comes back on the same ports.
    server = await startSipServer(t, ports);
    const listeningAt = Date.now();
    await waitFor(async () => (await ready()) === 200, '/ready again', 15_000);
    // Reconnect attempts are at most RECONNECT_MAX_DELAY_MS (2 s) apart, however long the outage.
    const backInMs = Date.now() - listeningAt;
    t.ok(backInMs < 3500, `ready ${backInMs} ms after the SIP server listens again`);
    t.match(logged(/SIP server connection back/), [{ endingCalls: 1 }], 'the return is logged');

    // The call that was up: ended, with its record and its media gone.
    await waitFor(() => gw.calls.size === 0, 'the stranded call ended');
    const records = logged(/call record/).map((l) => l.callRecord as Record<string, unknown>);
    t.match(records, [{ callId: firstCall.id, endReason: 'signalling-lost' }], 'its record');
    await hearsSilence(t, first.ep, 'its customer hears nothing any more (media deleted)', {
      notTones: [ALICE_TONE],
    });

    // A new call through the restarted server: alice's registration lives in the gateway.
    await waitFor(() => gw.agents.get('alice')!.status === 'available', 'alice available');
    const answeredAgain = alice.nextCall();
    const second = await Customer.call(t, hf);
    await answeredAgain;
    await hears(t, second.ep, ALICE_TONE, 'after: a new customer hears alice');
    await hears(t, alice.ep, CUSTOMER_TONE, 'and alice hears the new customer');
    await doesNotHear(t, first.ep, ALICE_TONE, 'the first customer still hears nothing');
    t.equal(await second.hangUp(), 200, 'the new customer hangs up: 200');

    // Nothing left.
    let last = '';
    await waitFor(async () => {
      const s = gw.stats();
      const list = await gw.ng.request('list', { limit: 100 });
      const left = ((list.calls as string[] | undefined) ?? []).length;
      last = JSON.stringify({ ...s, rtpengineCalls: left });
      return s.calls === 0 && s.deadlines === 0 && s.watchedCalls === 0 && left === 0;
    }, 'everything released').catch((err: Error) => {
      throw new Error(`${err.message} — ${last}`);
    });
    t.pass(`nothing left: ${last}`);
    server.child.kill('SIGTERM');
    t.equal(await server.exited, 0, 'the SIP server stops cleanly');
  },
);
