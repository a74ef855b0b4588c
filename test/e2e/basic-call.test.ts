// A customer (SIPp, as the SBC sends it) reaches an agent (SIPp UAS, static contact)
// through the gateway: two-way audio checked with Node RTP sockets on both sides, then
// the customer hangs up and everything is released.
import t from 'tap';
import { describeSipp, startSipp } from '../helpers/sipp';
import { toneShare, joinSamples } from '../helpers/audio-compare';
import { rtpenginePortFor, sleep, startTestGateway, waitFor } from './fixtures/gateway-harness';
import { CUSTOMER_TONE, openEndpoint } from './fixtures/parties';
import { TestUa } from './fixtures/test-ua';

const AGENT_TONE = 1000;

t.test(
  'customer → agent: ringing, answer, two-way audio, customer BYE releases everything',
  async (t) => {
    const agentEp = await openEndpoint(t);
    const agent = await startSipp(t, {
      scenario: 'gateway-agent.xml',
      keys: { rtp_ip: '127.0.0.1', rtp_port: agentEp.port },
      timeoutMs: 30_000,
    });
    const hf = await startTestGateway(t, [
      { id: 'carol', uri: `sip:carol@127.0.0.1:${agent.port}` },
    ]);
    const customerEp = await openEndpoint(t);
    const customer = await startSipp(t, {
      scenario: 'gateway-customer.xml',
      remote: hf.sip.udp,
      service: 'support',
      keys: { rtp_ip: '127.0.0.1', rtp_port: customerEp.port },
      callDurationMs: 3000,
      timeoutMs: 20_000,
    });
    await waitFor(
      () => hf.gw.calls.size === 1 && [...hf.gw.calls.values()][0].state === 'connected',
      'the call is connected',
    );
    const call = [...hf.gw.calls.values()][0];
    t.equal(call.agentId, 'carol');
    t.equal(hf.gw.agents.get('carol')!.status, 'busy');
    // rtpengine's addresses for each side come from the SDP the parties were given.
    const agentLeg = call.session.leg(call.agentTag!)!;
    t.ok(agentLeg, 'the agent leg is anchored');
    // Both sides send; each must hear the other.
    customerEp.setRemote(
      '127.0.0.1',
      await rtpenginePortFor(hf.gw, call.session.callId, 'customer'),
    );
    agentEp.setRemote(
      '127.0.0.1',
      await rtpenginePortFor(hf.gw, call.session.callId, call.agentTag!),
    );
    customerEp.play({ tone: CUSTOMER_TONE });
    agentEp.play({ tone: AGENT_TONE });
    await sleep(300);
    customerEp.clear();
    agentEp.clear();
    await sleep(800);
    const heardByCustomer = joinSamples(customerEp.packets());
    const heardByAgent = joinSamples(agentEp.packets());
    t.ok(
      heardByCustomer.length > 8 * 500,
      `customer receives audio (${heardByCustomer.length / 8} ms)`,
    );
    t.ok(toneShare(heardByCustomer, AGENT_TONE) > 0.8, 'customer hears the agent');
    t.ok(toneShare(heardByAgent, CUSTOMER_TONE) > 0.8, 'agent hears the customer');

    const r = await customer.done;
    t.equal(r.exitCode, 0, describeSipp(r));
    t.equal(r.successful, 1);
    const a = await agent.stop(3000);
    t.ok(a.successful === 1 || a.exitCode === 0 || a.signal, describeSipp(a));
    await hf.settled();
    t.equal(hf.gw.agents.get('carol')!.status, 'available', 'the agent is free again');
  },
);

t.test(
  'OPTIONS from the SBC → 200; an INVITE from a source outside sbc.allow → 403, nothing created',
  async (t) => {
    const hf = await startTestGateway(t, [{ id: 'carol', uri: 'sip:carol@127.0.0.1:9' }], {
      sbc: { allow: ['10.99.0.0/16'] },
    });
    const ua = await TestUa.open('udp', hf.sip.udp, 'sbc');
    t.teardown(() => ua.close());
    t.equal(await ua.options(`sip:${hf.sip.udp.host}:${hf.sip.udp.port}`), 200);
    const ep = await openEndpoint(t);
    const caller = await startSipp(t, {
      scenario: 'gateway-customer-403.xml',
      remote: hf.sip.udp,
      service: 'support',
      keys: { rtp_ip: '127.0.0.1', rtp_port: ep.port },
    });
    const r = await caller.done;
    t.equal(r.exitCode, 0, describeSipp(r));
    t.equal(r.successful, 1, 'the caller got 403');
    t.equal(hf.gw.calls.size, 0);
    await hf.settled();
  },
);
