// Metrics and call records through one scripted call: connect, agent disconnect, reattach,
// a second disconnect past the window, reroute to another agent, customer hang-up. Every
// metric the README lists for these steps moves; the webhook gets one signed record.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { verifyPayload } from '../../gateway/call-records/webhook-signature';
import { startTestGateway, waitFor, type Teardownable } from './fixtures/gateway-harness';
import { scrape } from './fixtures/metrics-scrape';
import { Agent, Customer } from './fixtures/parties';

const SECRET = 'webhook-secret-for-tests';

interface Received {
  body: string;
  verified: boolean;
}

async function webhookReceiver(t: Teardownable): Promise<{ url: string; got: Received[] }> {
  const got: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const v = verifyPayload(SECRET, body, {
        signature: req.headers['x-holdfast-signature'] as string | undefined,
        timestamp: req.headers['x-holdfast-timestamp'] as string | undefined,
      });
      got.push({ body, verified: v.ok });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/records`, got };
}

t.test(
  'each metric moves through connect, disconnect, reattach, reroute; one signed record',
  async (t) => {
    const hook = await webhookReceiver(t);
    const hf = await startTestGateway(
      t,
      [
        { id: 'alice', password: 'pw-alice' },
        { id: 'bob', password: 'pw-bob' },
      ],
      {
        policy: { reconnectWindowMs: 800, presenceTimeoutMs: 5000 },
        webhook: { url: hook.url, secret: SECRET },
      },
    );
    const unauth = await fetch(`http://${hf.gw.http.host}:${hf.gw.http.port}/health`);
    t.equal(unauth.status, 200, '/health without a token');
    const ready = await fetch(`http://${hf.gw.http.host}:${hf.gw.http.port}/ready`);
    t.equal(ready.status, 200, '/ready without a token');

    const alice = await Agent.open(t, hf, 'alice', { tone: 1000, password: 'pw-alice' });
    let m = await scrape(hf);
    t.equal(m('holdfast_agents', { state: 'available' }), 1, 'alice available');
    t.equal(m('holdfast_calls_active'), 0);

    // Connect.
    const answered = alice.nextCall();
    const customer = await Customer.call(t, hf);
    await answered;
    const call = [...hf.gw.calls.values()][0];
    await waitFor(() => call.state === 'connected', 'connected');
    m = await scrape(hf);
    t.equal(m('holdfast_calls_active'), 1, 'one active call');
    t.equal(m('holdfast_agents', { state: 'busy' }), 1, 'alice busy');
    t.ok(
      m('holdfast_sip_responses_sent_total', { code: '200' }) >= 2,
      '200s counted (REGISTER, INVITE)',
    );
    t.ok(m('holdfast_sip_responses_sent_total', { code: '183' }) >= 1, '183 counted');
    t.ok(m('holdfast_rtpengine_request_seconds_count', { command: 'offer' }) >= 1, 'offer timed');
    t.equal(m('holdfast_queue_length'), 0);

    // Disconnect, then reattach (explicit signals: the gateway re-INVITEs alice's leg).
    t.equal(
      (await hf.api('POST', '/v1/agents/alice/desktop', { state: 'disconnected' })).status,
      202,
    );
    await waitFor(() => call.state === 'agentGone', 'agent gone');
    m = await scrape(hf);
    t.equal(m('holdfast_disconnect_episodes_total', { outcome: 'reattached' }), 0);
    t.equal(
      m('holdfast_agent_disconnects_total', { evidence: 'explicit-signal' }),
      1,
      'disconnect counted',
    );
    t.equal(m('holdfast_agents', { state: 'disconnected' }), 1, 'alice disconnected');
    await new Promise((r) => setTimeout(r, 200)); // the prompt starts
    t.equal((await hf.api('POST', '/v1/agents/alice/desktop', { state: 'connected' })).status, 202);
    await waitFor(() => call.state === 'connected', 'reattached');

    // Disconnect past the window: rerouted to bob, who registers meanwhile.
    t.equal(
      (await hf.api('POST', '/v1/agents/alice/desktop', { state: 'disconnected' })).status,
      202,
    );
    const bob = await Agent.open(t, hf, 'bob', { tone: 1600, password: 'pw-bob' });
    await bob.nextCall();
    await waitFor(() => call.state === 'connected' && call.agentId === 'bob', 'rerouted to bob');
    m = await scrape(hf);
    t.equal(m('holdfast_agent_disconnects_total', { evidence: 'explicit-signal' }), 2);

    // Hang up: end-of-call metrics come from the record.
    await customer.hangUp();
    await hf.settled();
    m = await scrape(hf);
    t.equal(m('holdfast_calls_active'), 0, 'no active call');
    t.equal(m('holdfast_calls_total', { outcome: 'answered' }), 1, 'answered call counted');
    t.equal(m('holdfast_disconnect_episodes_total', { outcome: 'reattached' }), 1);
    t.equal(m('holdfast_disconnect_episodes_total', { outcome: 'rerouted' }), 1);
    t.equal(m('holdfast_detection_to_prompt_seconds_count'), 2, 'both prompts timed');
    t.equal(m('holdfast_reconnect_to_audio_seconds_count'), 1, 'reattach timed');
    t.equal(m('holdfast_queue_wait_seconds_count'), 1, 'queue wait observed');
    t.equal(m('holdfast_agents', { state: 'busy' }), 0);

    await waitFor(() => hook.got.length === 1, 'webhook record');
    t.ok(hook.got[0].verified, 'signature verifies');
    const record = JSON.parse(hook.got[0].body) as {
      callId: string;
      outcome: string;
      disconnects: { outcome: string; evidence: string }[];
      legs: { agentId: string }[];
    };
    t.equal(record.callId, call.id);
    t.equal(record.outcome, 'answered');
    t.same(
      record.disconnects.map((d) => [d.evidence, d.outcome]),
      [
        ['explicit-signal', 'reattached'],
        ['explicit-signal', 'rerouted'],
      ],
    );
    t.same(
      record.legs.map((l) => l.agentId),
      ['alice', 'bob'],
    );
    m = await scrape(hf);
    t.equal(m('holdfast_webhook_records_delivered_total'), 1, 'delivery counted');

    // Log level at run time (admin only; a bad level is a 400).
    t.equal((await hf.api('PUT', '/v1/log-level', { level: 'nonsense' })).status, 400);
    t.equal((await hf.api('PUT', '/v1/log-level', { level: 'debug' }, 'alice-token')).status, 403);
    const put = await hf.api('PUT', '/v1/log-level', { level: 'error' });
    t.equal(put.status, 200);
    t.equal(hf.gw.log.level, 'error');
  },
);
