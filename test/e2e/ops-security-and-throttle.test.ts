// Agent registration is digest-authenticated; a flood of INVITEs from one source is
// throttled (503) while an SBC's call goes through; a webhook that is down costs calls
// nothing; the production compose file validates.
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { startTestGateway, waitFor } from './fixtures/gateway-harness';
import { scrape } from './fixtures/metrics-scrape';
import { Agent, Customer } from './fixtures/parties';
import { inviteFlood } from './fixtures/sip-flood';
import { TestUa } from './fixtures/test-ua';

t.test('REGISTER without credentials is challenged; a wrong password is refused', async (t) => {
  const hf = await startTestGateway(t, [{ id: 'alice', password: 'pw-alice' }]);
  for (const proto of ['udp', 'tcp', 'ws'] as const) {
    const ua = await TestUa.open(proto, hf.sip[proto]!, 'alice');
    t.teardown(() => ua.close());
    t.equal(await ua.register(undefined), 401, `${proto}: no credentials → 401 challenge`);
    t.equal(await ua.register('wrong'), 401, `${proto}: wrong password → 401 again`);
  }
  t.equal(hf.gw.agents.get('alice')!.contact, undefined, 'alice is not registered');
  await hf.settled();
});

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

t.test(
  'an INVITE flood from one source is throttled; the SBC call completes; webhook down',
  async (t) => {
    const hf = await startTestGateway(t, [{ id: 'alice', password: 'pw-alice' }], {
      sbc: { allow: ['127.0.0.1/32'] },
      rateLimit: { setup: { perSecond: 1, burst: 3 } },
      webhook: {
        url: `http://127.0.0.1:${await closedPort()}/records`,
        secret: 'webhook-secret-for-tests',
        maxAttempts: 1,
      },
    });
    const alice = await Agent.open(t, hf, 'alice', { tone: 1000, password: 'pw-alice' });

    const finals = await inviteFlood('127.0.0.2', hf.sip.udp, 20);
    const statuses = [...finals.values()];
    const refused = statuses.filter((s) => s === 403).length;
    const throttled = statuses.filter((s) => s === 503).length;
    t.equal(finals.size, 20, 'every INVITE answered');
    t.ok(
      refused >= 3 && refused <= 4,
      `the burst reaches the handler (403, not an SBC): ${refused}`,
    );
    t.equal(throttled, 20 - refused, 'the rest are throttled with 503');

    const answered = alice.nextCall();
    const customer = await Customer.call(t, hf);
    await answered;
    t.equal(await customer.hangUp(), 200, 'the SBC call completes');
    await hf.settled();
    let m = await scrape(hf);
    t.equal(m('holdfast_sip_requests_throttled_total', { class: 'setup' }), throttled);
    t.equal(m('holdfast_sip_responses_sent_total', { code: '503' }), throttled);
    await waitFor(async () => {
      m = await scrape(hf);
      return m('holdfast_webhook_records_dropped_total', { reason: 'attempts' }) === 1;
    }, 'the undeliverable record dropped');
    t.equal(m('holdfast_calls_total', { outcome: 'answered' }), 1, 'the call counted all the same');
  },
);

t.test('docker/compose.yaml validates', async (t) => {
  const root = path.resolve(__dirname, '../..');
  const { stderr } = await promisify(execFile)(
    'docker-compose',
    ['-f', path.join(root, 'docker/compose.yaml'), 'config', '-q'],
    {
      env: {
        ...process.env,
        PUBLIC_IP: '192.0.2.10',
        DRACHTIO_SECRET: 'compose-check',
        HOLDFAST_ADMIN_TOKEN: 'compose-check',
      },
    },
  );
  t.equal(stderr.trim(), '', 'no warnings');
});
