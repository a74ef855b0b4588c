// An agent back on a new registration is being INVITEd back to its call when the SIP server
// process dies: that INVITE never gets a final response (the server lost its transaction),
// and the call ends as 'signalling-lost' once the server is back. The agent must end up
// available — not 'disconnected' for good, with no absence left to end it (found by the soak).
import t from 'tap';
import { waitFor } from './fixtures/gateway-harness';
import { Agent, Customer } from './fixtures/parties';
import { gatewayOnSeparateServer, startSipServer } from './fixtures/separate-sip-server';
import { TestUa } from './fixtures/test-ua';

t.test(
  'back by REGISTER, rung on the new registration, the SIP server restarts: the call ends, the agent is available',
  async (t) => {
    const rig = await gatewayOnSeparateServer(t, {
      http: { listen: '127.0.0.1:0', adminToken: 'admin' },
      agents: [{ id: 'alice', password: 'alice-pw', token: 'alice-token' }],
      policy: { reconnectWindowMs: 30_000, presenceTimeoutMs: 60_000, keepaliveMs: 0 },
      queue: { ringTimeoutMs: 60_000 },
      media: { lossMs: 600, portBlock: 512 },
      log: { level: 'info' },
    });
    const { gw, hf, ready, ports } = rig;
    await waitFor(async () => (await ready()) === 200, 'ready', 10_000);
    const alice = await Agent.open(t, hf, 'alice', { tone: 1000, password: 'alice-pw' });
    const answered = alice.nextCall();
    await Customer.call(t, hf);
    await answered;
    const call = [...gw.calls.values()][0];

    alice.ep.pause();
    await waitFor(() => call.state === 'agentGone', 'alice gone (media)', 5000);
    // Her desktop is back: a new registration; the gateway rings it to resume the call.
    const again = await TestUa.open('udp', hf.sip.udp!, 'alice');
    t.teardown(() => again.close());
    const resume = again.nextInvite(10_000);
    t.equal(await again.register('alice-pw'), 200, 'registered again');
    const invite = await resume;
    invite.ring();
    t.equal(invite.req.get('x-holdfast-resume'), call.id, 'rung to resume the call');

    // The SIP server dies with that INVITE in its hands, and comes back.
    rig.server.child.kill('SIGKILL');
    await rig.server.exited;
    const server = await startSipServer(t, ports);
    await waitFor(() => gw.calls.size === 0, 'the call ended once the server was back', 15_000);
    t.match(
      rig.logged(/call record/).map((l) => l.callRecord),
      [{ callId: call.id, endReason: 'signalling-lost' }],
    );
    await waitFor(
      () => gw.agents.get('alice')!.status === 'available',
      'alice available again',
      10_000,
    );
    t.equal(gw.coordinator.size, 0, 'no absence left');
    await waitFor(() => gw.stats().deadlines === 0, 'no deadline left', 10_000);
    server.child.kill('SIGTERM');
    t.equal(await server.exited, 0);
  },
);
