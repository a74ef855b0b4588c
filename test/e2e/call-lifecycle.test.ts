// Everything around the disconnect policy: deliberate hang-ups, queueing and overflow, agents
// that fail or do not answer while ringing, bad SDP, and a customer hang-up in every phase
// releasing everything (no call, no timer, no watched leg, nothing in rtpengine).
import t from 'tap';
import { describeSipp, startSipp } from '../helpers/sipp';
import {
  rtpenginePortFor,
  startTestGateway,
  waitFor,
  type TestGateway,
} from './fixtures/gateway-harness';
import { hears, hearsMusic } from './fixtures/hearing';
import { Customer, CUSTOMER_TONE, openEndpoint } from './fixtures/parties';
import { connectedCall, gatewayWithAgents, TONES } from './fixtures/scenes';
import { SipError, TestUa } from './fixtures/test-ua';

const ALICE_TONE = TONES.alice;
const BOB_TONE = TONES.bob;

const calls = (hf: TestGateway) => [...hf.gw.calls.values()];

t.test(
  'a deliberate agent hang-up ends the call normally, with no disconnect handling',
  async (t) => {
    const agentEp = await openEndpoint(t);
    const agent = await startSipp(t, {
      scenario: 'gateway-agent-hangup.xml',
      keys: { rtp_ip: '127.0.0.1', rtp_port: agentEp.port },
      calls: 1,
      callDurationMs: 1000,
      timeoutMs: 20_000,
    });
    const hf = await startTestGateway(t, [
      { id: 'carol', uri: `sip:carol@127.0.0.1:${agent.port}` },
    ]);
    const customer = await Customer.call(t, hf);
    const bye = customer.ua.waitForBye(customer.dialog, 10_000);
    const states: string[] = [];
    const call = calls(hf)[0];
    call.on('state', (to) => states.push(to));
    // The agent talks (SIPp answers with our socket as its media address).
    await waitFor(() => call.agentTag !== undefined, 'agent leg');
    agentEp.setRemote(
      '127.0.0.1',
      await rtpenginePortFor(hf.gw, call.session.callId, call.agentTag!),
    );
    agentEp.play({ tone: ALICE_TONE });
    t.ok(await bye, 'the customer gets a BYE');
    const r = await agent.done;
    t.equal(r.successful, 1, describeSipp(r));
    await hf.settled();
    t.notOk(states.includes('agentGone'), `no disconnect handling (states: ${states.join(' → ')})`);
    t.equal(hf.gw.agents.get('carol')!.status, 'available');
    t.equal(hf.gw.coordinator.size, 0, 'no absence');
  },
);

t.test(
  'no agent available: the customer waits with music, then overflows to the overflow URI',
  async (t) => {
    const overflowEp = await openEndpoint(t);
    const overflow = await startSipp(t, {
      scenario: 'gateway-agent.xml',
      keys: { rtp_ip: '127.0.0.1', rtp_port: overflowEp.port },
      timeoutMs: 30_000,
    });
    const hf = await startTestGateway(t, [{ id: 'alice', password: 'pw-alice' }], {
      queue: { maxWaitMs: 2500 },
      overflow: { uri: `sip:overflow@127.0.0.1:${overflow.port}` },
    });
    const provisional: number[] = [];
    const started = Date.now();
    const pending = Customer.call(t, hf, provisional);
    await waitFor(() => hf.gw.stats().queued === 1, 'queued');
    // Early media: the customer got rtpengine's SDP in a 183 and hears the music.
    await waitFor(() => provisional.includes(183), '183 with SDP');
    const customer = await pending;
    t.ok(
      Date.now() - started >= 2400,
      `answered only after the maximum wait (${Date.now() - started} ms)`,
    );
    // The 200 can reach the customer a moment before the call records the bridge.
    await waitFor(() => calls(hf)[0]?.state === 'connected', 'bridged to the overflow');
    t.equal(calls(hf)[0].agentId, undefined, 'not an agent');
    // Audio with the overflow destination (SIPp UAS whose SDP is our socket).
    await hears(t, overflowEp, CUSTOMER_TONE, 'the overflow destination hears the customer');
    t.equal(await customer.hangUp(), 200);
    await overflow.stop(2000);
    await hf.settled();
  },
);

t.test(
  'no agent available and no overflow URI: music while waiting, then a final response with the cause',
  async (t) => {
    const hf = await startTestGateway(t, [{ id: 'alice', password: 'pw-alice' }], {
      queue: { maxWaitMs: 2000 },
      overflow: { cause: 34 },
    });
    const ep = await openEndpoint(t);
    const ua = await TestUa.open('udp', hf.sip.udp, 'customer');
    t.teardown(() => ua.close());
    const uri = `sip:support@${hf.sip.udp.host}:${hf.sip.udp.port}`;
    const outcome = ua.invite(uri, ep.sdp(), [], (m) => {
      if (m.status === 183) ep.setRemoteFromSdp(m.body.toString());
    });
    await waitFor(() => calls(hf).length === 1, 'queued');
    await hearsMusic(t, ep, 'the waiting customer hears music', { settleMs: 400 });
    const err = await outcome.then(
      () => undefined,
      (e: unknown) => e,
    );
    t.ok(err instanceof SipError, 'the call is refused at the end');
    t.equal((err as SipError).status, 480);
    t.match((err as SipError).response.get('reason') ?? '', /Q\.850;cause=34/);
    await hf.settled();
  },
);

t.test(
  'an agent that fails while ringing is skipped; one that does not answer times out; the next answers',
  async (t) => {
    const busy = await startSipp(t, { scenario: 'gateway-agent-busy.xml', timeoutMs: 20_000 });
    // erin rings and never answers; bob answers. dave is the longest idle (static from the
    // start), erin next (listed first).
    const stage = await gatewayWithAgents(t, {
      agents: { erin: { tone: ALICE_TONE }, bob: {} },
      moreAgents: [{ id: 'dave', uri: `sip:dave@127.0.0.1:${busy.port}` }],
      queue: { ringTimeoutMs: 1200 },
    });
    const { erin } = stage.agents;
    erin.autoAnswer = false;
    const erinInvites: string[] = [];
    erin.ua.on('invite', (inv) => {
      erinInvites.push(inv.req.callId);
      inv.ring();
    });
    const scene = await stage.customerCalls({ to: 'bob', connectMs: 10_000 }); // in the end
    const { call, hf } = scene;
    t.same([...call.skip].sort(), ['dave', 'erin'], 'dave (486) and erin (no answer) were skipped');
    t.equal(erinInvites.length, 1, 'erin was rung once');
    t.equal(hf.gw.agents.get('dave')!.status, 'available');
    t.equal(hf.gw.agents.get('erin')!.status, 'available');
    await hears(t, scene.customer.ep, BOB_TONE, 'the customer hears bob');
    await scene.hangUp();
    const r = await busy.stop(2000);
    t.ok(r.successful >= 1 || r.created >= 1, describeSipp(r));
    await scene.end();
  },
);

t.test('an SDP the gateway cannot use gets 488 and leaves nothing behind', async (t) => {
  const hf = await startTestGateway(t, [{ id: 'alice', password: 'pw-alice' }]);
  const ua = await TestUa.open('udp', hf.sip.udp, 'customer');
  t.teardown(() => ua.close());
  const uri = `sip:support@${hf.sip.udp.host}:${hf.sip.udp.port}`;
  const bad = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 5000 RTP/AVP 96\r\n';
  const err = await ua.invite(uri, bad).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.equal((err as SipError).status, 488);
  const garbage = await ua.invite(uri, 'this is not sdp').then(
    () => undefined,
    (e: unknown) => e,
  );
  t.equal((garbage as SipError).status, 488);
  await hf.settled();
});

t.test('a customer hang-up releases everything in every phase', async (t) => {
  // Nobody registered at first; bob never comes.
  const stage = await gatewayWithAgents(t, {
    agents: { alice: { joins: 'later' }, bob: { joins: 'later' } },
    policy: { reconnectWindowMs: 800, presenceTimeoutMs: 30_000 },
  });
  const { hf } = stage;

  // queued (nobody registered yet)
  const c1 = await TestUa.open('udp', hf.sip.udp, 'customer');
  t.teardown(() => c1.close());
  const ep = await openEndpoint(t);
  const uri = `sip:support@${hf.sip.udp.host}:${hf.sip.udp.port}`;
  const queued = c1.invite(uri, ep.sdp()).catch((e: unknown) => e);
  await waitFor(() => calls(hf)[0]?.state === 'queued', 'queued');
  await cancelLastInvite(c1);
  t.equal(((await queued) as SipError).status, 487, 'queued: CANCEL → 487');
  await hf.settled();

  // ringing
  const alice = await stage.open('alice');
  alice.autoAnswer = false;
  const rung = alice.ua.nextInvite();
  const c2 = await TestUa.open('udp', hf.sip.udp, 'customer');
  t.teardown(() => c2.close());
  const ringing = c2.invite(uri, ep.sdp()).catch((e: unknown) => e);
  const inv = await rung;
  inv.ring();
  await waitFor(() => calls(hf)[0]?.state === 'ringing', 'ringing');
  await cancelLastInvite(c2);
  t.equal(((await ringing) as SipError).status, 487, 'ringing: CANCEL → 487');
  await hf.settled();
  t.equal(hf.gw.agents.get('alice')!.status, 'available', 'alice is free again');
  alice.autoAnswer = true;

  // connected
  let scene = await stage.customerCalls({ to: 'alice' });
  await scene.customer.hangUp();
  await waitFor(() => alice.current?.ended === true, 'alice got the BYE');
  await scene.end();

  // agent gone (media lost), then rerouting (queued again after the window)
  scene = await stage.customerCalls({ to: 'alice' });
  await scene.drop({ by: 'media', goneWithinMs: 8000 });
  await scene.customer.hangUp();
  await scene.end({ bringBack: ['alice'] });

  scene = await stage.customerCalls({ to: 'alice' });
  await scene.drop({ by: 'media', goneWithinMs: 6000 });
  await waitFor(() => scene.call.state === 'queued', 'rerouted, waiting (bob is not there)', 6000);
  await scene.customer.hangUp();
  await scene.end({ bringBack: ['alice'] });
  t.equal(hf.gw.stats().absences, 0);
});

async function cancelLastInvite(ua: TestUa): Promise<void> {
  const status = await ua.cancelPending();
  if (status !== 200) throw new Error(`CANCEL got ${status}`);
}

t.test(
  "a ringing agent's early media reaches the customer; when it fails the music comes back",
  async (t) => {
    const stage = await gatewayWithAgents(t, {
      agents: { erin: { tone: ALICE_TONE }, bob: { joins: 'later' } },
      queue: { ringTimeoutMs: 5000 },
    });
    const { hf } = stage;
    const { erin } = stage.agents;
    erin.autoAnswer = false;
    const ep = await openEndpoint(t);
    const ua = await TestUa.open('udp', hf.sip.udp, 'customer');
    t.teardown(() => ua.close());
    const rung = erin.ua.nextInvite();
    let early = 0;
    const answered = ua.invite(
      `sip:support@${hf.sip.udp.host}:${hf.sip.udp.port}`,
      ep.sdp(),
      [],
      (m) => {
        if (m.status !== 183 || !m.body.length) return;
        early++;
        ep.setRemoteFromSdp(m.body.toString());
        ep.play({ tone: CUSTOMER_TONE });
      },
    );
    const inv = await rung;
    erin.ep.setRemoteFromSdp(inv.req.body.toString());
    erin.ep.play({ tone: ALICE_TONE });
    inv.ring(erin.ep.sdp());
    await waitFor(() => early >= 2, "the agent's 183 with SDP reaches the customer");
    const c = calls(hf)[0];
    await hears(t, ep, ALICE_TONE, "the customer hears the agent's early media");
    inv.reject(486);
    await waitFor(() => c.state === 'queued', 'back in the queue');
    await hearsMusic(t, ep, 'music again, not the agent', {
      settleMs: 300,
      notTones: [ALICE_TONE],
    });
    const bob = await stage.open('bob');
    const dialog = await answered;
    ep.setRemoteFromSdp(dialog.remoteSdp);
    await waitFor(() => c.state === 'connected' && c.agentId === 'bob', 'bob answers');
    await hears(t, ep, BOB_TONE, 'the customer hears bob');
    await hears(t, bob.ep, CUSTOMER_TONE, 'bob hears the customer');
    t.equal(await ua.bye(dialog), 200);
    await stage.end();
  },
);

t.test(
  'stopping the gateway ends the calls in progress (BYE to both sides) and stops rtpengine',
  async (t) => {
    const { hf, customer, agent: alice } = await connectedCall(t);
    const customerBye = customer.ua.waitForBye(customer.dialog);
    const agentBye = alice.ua.waitForBye(alice.current!);
    const rtpenginePid = hf.gw.rtpengine.pid;
    await hf.gw.stop();
    t.ok(await customerBye, 'the customer gets a BYE');
    t.ok(await agentBye, 'the agent gets a BYE');
    t.equal(hf.gw.calls.size, 0);
    if (rtpenginePid) t.throws(() => process.kill(rtpenginePid, 0), 'the local rtpengine is gone');
  },
);
