// MediaSession against a real rtpengine with real RTP on loopback: two-way audio, a new
// agent leg replacing the old one, re-INVITEs answered locally, hold directions, errors.
import t, { type Test } from 'tap';
import { MediaSession } from '../../media/media-session';
import { UnsupportedSdpError, RtpengineError } from '../../media/errors';
import { audioOf, parseSdp } from '../../media/sdp';
import { RtpEndpoint } from '../helpers/rtp-endpoint';
import { rtpengineForTest, uniqueCallId } from '../helpers/rtp-engine';
import { toneShare, joinSamples } from '../helpers/audio-compare';

const CUSTOMER_TONE = 600;
const AGENT_TONE = 1000;
const AGENT2_TONE = 1400;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function endpoint(t: Test, toneHz: number): Promise<RtpEndpoint> {
  const ep = await RtpEndpoint.open();
  t.teardown(() => ep.close());
  ep.play({ tone: toneHz });
  return ep;
}

/** Share of `freq` in what `ep` received from now over `ms`, and the packet count. */
async function listen(
  ep: RtpEndpoint,
  ms: number,
  freq: number,
): Promise<{ packets: number; share: number }> {
  ep.clear();
  await sleep(ms);
  const pkts = ep.packets();
  return { packets: pkts.length, share: toneShare(joinSamples(pkts), freq) };
}

t.test('media flows both ways through rtpengine (rtp profile)', async (t) => {
  const re = await rtpengineForTest(t);
  const customer = await endpoint(t, CUSTOMER_TONE);
  const agent = await endpoint(t, AGENT_TONE);
  const session = new MediaSession(re.client, uniqueCallId());
  session.addLeg('cust', 'rtp');
  session.addLeg('agent', 'rtp');
  const toAgent = await session.offer('cust', customer.sdp(), 'agent');
  const toCustomer = await session.answer('agent', agent.sdp(), 'cust');
  t.equal(audioOf(parseSdp(toAgent))!.proto, 'RTP/AVP');
  t.equal(audioOf(parseSdp(toAgent))!.address, '127.0.0.1');
  customer.setRemoteFromSdp(toCustomer);
  agent.setRemoteFromSdp(toAgent);

  const [atCustomer, atAgent] = await Promise.all([
    listen(customer, 600, AGENT_TONE),
    listen(agent, 600, CUSTOMER_TONE),
  ]);
  t.ok(atCustomer.packets >= 20, `customer got ${atCustomer.packets} packets`);
  t.ok(atAgent.packets >= 20, `agent got ${atAgent.packets} packets`);
  t.ok(atCustomer.share > 0.8, `customer hears the agent's tone (${atCustomer.share.toFixed(2)})`);
  t.ok(atAgent.share > 0.8, `agent hears the customer's tone (${atAgent.share.toFixed(2)})`);
  t.equal(session.leg('agent')?.peer, 'cust');

  await session.close();
  await session.close(); // idempotent
  t.same(await re.callsLeft(), [], 'rtpengine holds no call after close()');
});

t.test(
  'a new agent leg replaces the old one with two-way audio; the customer keeps its port',
  async (t) => {
    const re = await rtpengineForTest(t);
    const customer = await endpoint(t, CUSTOMER_TONE);
    const agent1 = await endpoint(t, AGENT_TONE);
    const agent2 = await endpoint(t, AGENT2_TONE);
    const session = new MediaSession(re.client, uniqueCallId());
    t.teardown(() => session.close());
    session.addLeg('cust', 'rtp');
    session.addLeg('agent1', 'rtp');
    const offer1 = await session.offer('cust', customer.sdp(), 'agent1');
    const answer1 = await session.answer('agent1', agent1.sdp(), 'cust');
    customer.setRemoteFromSdp(answer1);
    agent1.setRemoteFromSdp(offer1);
    t.ok((await listen(customer, 400, AGENT_TONE)).share > 0.8, 'customer hears agent 1');

    const offer2 = await session.attach('cust', 'agent2', 'rtp');
    t.not(
      audioOf(parseSdp(offer2))!.port,
      audioOf(parseSdp(offer1))!.port,
      'the new agent gets fresh ports',
    );
    const answer2 = await session.answer('agent2', agent2.sdp(), 'cust');
    t.equal(
      audioOf(parseSdp(answer2))!.port,
      audioOf(parseSdp(answer1))!.port,
      "the customer's port is unchanged: no re-INVITE needed",
    );
    agent2.setRemoteFromSdp(offer2);
    await session.removeLeg('agent1');
    t.same(session.legTags.sort(), ['agent2', 'cust']);

    // The customer still sends to the port of the first answer.
    const [atCustomer, atAgent2, atAgent1] = await Promise.all([
      listen(customer, 600, AGENT2_TONE),
      listen(agent2, 600, CUSTOMER_TONE),
      listen(agent1, 600, CUSTOMER_TONE),
    ]);
    t.ok(atCustomer.share > 0.8, `customer hears agent 2 only (${atCustomer.share.toFixed(2)})`);
    t.ok(
      atAgent2.share > 0.8 && atAgent2.packets >= 20,
      `agent 2 hears the customer (${atAgent2.packets} packets)`,
    );
    t.equal(atAgent1.packets, 0, 'agent 1 hears nothing any more');
    t.equal(customer.streams().length, 1, 'one stream reaches the customer (agent 1 is cut off)');
  },
);

t.test('re-INVITEs are answered without involving the other party', async (t) => {
  const re = await rtpengineForTest(t);
  const customer = await endpoint(t, CUSTOMER_TONE);
  const agent = await endpoint(t, AGENT_TONE);
  const session = new MediaSession(re.client, uniqueCallId());
  t.teardown(() => session.close());
  session.addLeg('cust', 'rtp');
  session.addLeg('agent', 'rtp');
  const toAgent = await session.offer('cust', customer.sdp(), 'agent');
  const toCustomer = await session.answer('agent', agent.sdp(), 'cust');
  customer.setRemoteFromSdp(toCustomer);
  agent.setRemoteFromSdp(toAgent);

  // The agent comes back on a new socket (new address) and re-offers.
  const agentBack = await endpoint(t, AGENT2_TONE);
  await agent.close();
  const reply = await session.renegotiate('agent', agentBack.sdp('sendrecv', 2));
  t.equal(audioOf(parseSdp(reply))!.direction, 'sendrecv');
  agentBack.setRemoteFromSdp(reply);
  const [c1, a1] = await Promise.all([
    listen(customer, 600, AGENT2_TONE),
    listen(agentBack, 600, CUSTOMER_TONE),
  ]);
  t.ok(c1.share > 0.8 && a1.share > 0.8, 'two-way audio after the agent re-INVITE');

  // The customer re-INVITEs (same socket, new version): answered locally too.
  const custReply = await session.renegotiate('cust', customer.sdp('sendrecv', 2));
  t.equal(audioOf(parseSdp(custReply))!.port, audioOf(parseSdp(toCustomer))!.port);

  // Gateway-initiated fresh offer to the agent (re-INVITE on reconnect).
  const agentAgain = await endpoint(t, AGENT_TONE);
  const fresh = await session.reofferTo('agent');
  await session.answer('agent', agentAgain.sdp(), 'cust');
  agentAgain.setRemoteFromSdp(fresh);
  await agentBack.close();
  const [c2, a2] = await Promise.all([
    listen(customer, 600, AGENT_TONE),
    listen(agentAgain, 600, CUSTOMER_TONE),
  ]);
  t.ok(c2.share > 0.8 && a2.share > 0.8, 'two-way audio after the gateway re-offer');
});

t.test('hold directions are tracked per leg', async (t) => {
  const re = await rtpengineForTest(t);
  const customer = await endpoint(t, CUSTOMER_TONE);
  const agent = await endpoint(t, AGENT_TONE);
  const session = new MediaSession(re.client, uniqueCallId());
  t.teardown(() => session.close());
  session.addLeg('cust', 'rtp');
  session.addLeg('agent', 'rtp');
  await session.offer('cust', customer.sdp(), 'agent');
  await session.answer('agent', agent.sdp(), 'cust');
  t.ok(session.expectsMediaFrom('agent'));
  const events: string[] = [];
  session.on('direction', (tag, d) => events.push(`${tag}:${d}`));

  // We hold the agent: sendonly towards it, it answers recvonly (it stops sending).
  const holdOffer = await session.reofferTo('agent', 'sendonly');
  t.equal(audioOf(parseSdp(holdOffer))!.direction, 'sendonly');
  await session.answer('agent', agent.sdp('recvonly', 2), 'cust');
  t.notOk(session.expectsMediaFrom('agent'), 'a recvonly agent is not expected to send');
  // The agent goes inactive by itself, then resumes.
  const inactiveReply = await session.renegotiate('agent', agent.sdp('inactive', 3));
  t.equal(audioOf(parseSdp(inactiveReply))!.direction, 'inactive');
  await session.renegotiate('agent', agent.sdp('sendrecv', 4));
  t.ok(session.expectsMediaFrom('agent'));
  t.same(events, ['agent:recvonly', 'agent:inactive', 'agent:sendrecv']);
});

t.test(
  'a queued customer with no agent yet gets an answer, music can play, an agent attaches later',
  async (t) => {
    const re = await rtpengineForTest(t);
    const customer = await endpoint(t, CUSTOMER_TONE);
    const agent = await endpoint(t, AGENT_TONE);
    const session = new MediaSession(re.client, uniqueCallId());
    t.teardown(() => session.close());
    session.addLeg('cust', 'rtp');
    const toCustomer = await session.acceptAlone('cust', customer.sdp());
    customer.setRemoteFromSdp(toCustomer);
    t.same(session.legTags, ['cust'], 'the stand-in peer is not a leg');

    const toAgent = await session.attach('cust', 'agent', 'rtp');
    const answer = await session.answer('agent', agent.sdp(), 'cust');
    t.equal(
      audioOf(parseSdp(answer))!.port,
      audioOf(parseSdp(toCustomer))!.port,
      'customer port unchanged',
    );
    agent.setRemoteFromSdp(toAgent);
    const [c, a] = await Promise.all([
      listen(customer, 600, AGENT_TONE),
      listen(agent, 600, CUSTOMER_TONE),
    ]);
    t.ok(c.share > 0.8, `customer hears the agent (${c.share.toFixed(2)})`);
    t.ok(a.share > 0.8, `agent hears the customer: unblocked (${a.share.toFixed(2)})`);
  },
);

t.test('bad SDP is an UnsupportedSdpError; unknown legs and calls are clear errors', async (t) => {
  const re = await rtpengineForTest(t);
  const session = new MediaSession(re.client, uniqueCallId());
  t.teardown(() => session.close());
  session.addLeg('cust', 'rtp');
  session.addLeg('agent', 'rtp');
  await t.rejects(session.offer('cust', 'hello', 'agent'), UnsupportedSdpError);
  const videoOnly =
    'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=video 4000 RTP/AVP 96\r\n';
  await t.rejects(session.offer('cust', videoOnly, 'agent'), {
    name: 'UnsupportedSdpError',
    message: /no active audio/,
  });
  await t.rejects(session.offer('nobody', videoOnly, 'agent'), /no leg "nobody"/);
  t.throws(() => session.addLeg('x', 'sip' as never), /unknown media profile "sip"/);

  const ghost = new MediaSession(re.client, uniqueCallId('ghost'));
  const err = await ghost.request('query').catch((e: unknown) => e);
  t.ok(err instanceof RtpengineError, 'RtpengineError');
  t.ok((err as RtpengineError).unknownCall);
  t.match((err as Error).message, /query.*ghost.*Unknown call-id/);
  await ghost.close(); // closing a call rtpengine never knew is fine
});
