// What a strict SBC meets on the customer leg, and what an agent learns of the caller:
// session refreshes without SDP, session timers, SIP-I multipart bodies, in-dialog requests
// holdfast does not act upon, the caller's identity (and its privacy), and a full queue.
import t from 'tap';
import { RtpEndpoint } from '../helpers/rtp-endpoint';
import { startTestGateway, waitFor, type Teardownable } from './fixtures/gateway-harness';
import { Agent, Customer, CUSTOMER_TONE, hearsTone } from './fixtures/parties';
import { SipError, TestUa } from './fixtures/test-ua';

const ALICE = 1000;

async function connected(t: Teardownable, overrides = {}) {
  const hf = await startTestGateway(t, [{ id: 'alice', password: 'pw-alice' }], overrides);
  const alice = await Agent.open(t, hf, 'alice', { tone: ALICE, password: 'pw-alice' });
  const customer = await Customer.call(t, hf);
  await waitFor(() => [...hf.gw.calls.values()][0]?.state === 'connected', 'connected');
  return { hf, alice, customer, call: [...hf.gw.calls.values()][0] };
}

const version = (sdp: string) => /^o=\S+ \S+ (\d+)/m.exec(sdp)?.[1];

t.test('customer leg: refresh without SDP, session timers, unhandled requests', async (t) => {
  const { hf, alice, customer, call } = await connected(t);
  const before = customer.dialog.remoteSdp;
  const refresh = await customer.ua.inDialogRequest(customer.dialog, 'INVITE', '');
  t.equal(refresh.status, 200, 're-INVITE without SDP (session refresh): 200');
  const offer = refresh.body.toString();
  t.match(offer, /^v=0/, 'with the current session as its offer');
  t.equal(version(offer), version(before), 'unchanged: the same o= version');

  const update = await customer.ua.inDialogRequest(customer.dialog, 'UPDATE', '');
  t.equal(update.status, 200, 'UPDATE without a body (RFC 4028 refresh): 200');
  t.equal(
    (await customer.ua.inDialogRequest(customer.dialog, 'MESSAGE', 'hi', 'text/plain')).status,
    405,
  );
  t.equal(
    (await customer.ua.inDialogRequest(customer.dialog, 'NOTIFY', '', undefined)).status,
    481,
  );
  t.equal(call.state, 'connected', 'the call carries on');
  t.ok((await hearsTone(customer.ep, ALICE)) > 0.8, 'the customer still hears alice');
  t.ok((await hearsTone(alice.ep, CUSTOMER_TONE)) > 0.8, 'alice still hears the customer');
  t.equal(await customer.hangUp(), 200);
  await hf.settled();
});

t.test('a SIP-I INVITE (multipart SDP + ISUP) connects with two-way audio', async (t) => {
  const hf = await startTestGateway(t, [{ id: 'alice', password: 'pw-alice' }]);
  const alice = await Agent.open(t, hf, 'alice', { tone: ALICE, password: 'pw-alice' });
  const ep = await RtpEndpoint.open();
  t.teardown(() => ep.close());
  const ua = await TestUa.open('udp', hf.sip.udp, 'customer');
  t.teardown(() => ua.close());
  const boundary = 'unique-boundary-1';
  const body = [
    `--${boundary}`,
    'Content-Type: application/sdp',
    '',
    ep.sdp().trimEnd(),
    `--${boundary}`,
    'Content-Type: application/ISUP;version=itu-t92+',
    'Content-Disposition: signal;handling=optional',
    '',
    // An IAM's first octets (NUL octets left out: drachtio-server's parser stops at them).
    '\x01\x11\x49\x01\x01\x03\x02\x01\x07\x04\x10\x01\x33\x63\x21\x43',
    `--${boundary}--`,
    '',
  ].join('\r\n');
  const dialog = await ua.invite(`sip:support@${hf.sip.udp.host}:${hf.sip.udp.port}`, body, [
    ['Content-Type', `multipart/mixed;boundary=${boundary}`],
  ]);
  ep.setRemoteFromSdp(dialog.remoteSdp);
  ep.play({ tone: CUSTOMER_TONE });
  t.ok((await hearsTone(ep, ALICE)) > 0.8, 'the customer hears alice');
  t.ok((await hearsTone(alice.ep, CUSTOMER_TONE)) > 0.8, 'alice hears the customer');
  t.equal(await ua.bye(dialog), 200);
  await hf.settled();
});

t.test('the agent sees who calls; Privacy: id and sip.callerIdentity hide it', async (t) => {
  for (const [name, headers, identity, wantsFrom, wantsPai] of [
    [
      'identity passed',
      [['P-Asserted-Identity', '<sip:+33123456789@sbc.example>']],
      true,
      /customer/,
      /\+33123456789/,
    ],
    [
      'Privacy: id',
      [
        ['Privacy', 'id'],
        ['P-Asserted-Identity', '<sip:+33123456789@sbc.example>'],
      ],
      true,
      /anonymous\.invalid/,
      undefined,
    ],
    ['callerIdentity false', [], false, /anonymous\.invalid/, undefined],
  ] as const) {
    // One gateway at a time: with a shared drachtio-server the earlier ones would still
    // take requests round-robin.
    await t.test(name, async (t) => {
      const hf = await startTestGateway(t, [{ id: 'alice', password: 'pw-alice' }], {
        sip: { callerIdentity: identity },
      });
      const alice = await Agent.open(t, hf, 'alice', { tone: ALICE, password: 'pw-alice' });
      const answered = alice.nextCall();
      const ep = await RtpEndpoint.open();
      t.teardown(() => ep.close());
      const ua = await TestUa.open('udp', hf.sip.udp, 'customer');
      t.teardown(() => ua.close());
      const dialog = await ua.invite(
        `sip:support@${hf.sip.udp.host}:${hf.sip.udp.port}`,
        ep.sdp(),
        headers.map(([n, v]) => [n, v] as [string, string]),
      );
      const { invite } = await answered;
      t.match(invite.get('from') ?? '', wantsFrom, `${name}: From ${invite.get('from')}`);
      if (wantsPai)
        t.match(invite.get('p-asserted-identity') ?? '', wantsPai, `${name}: P-Asserted-Identity`);
      else t.notOk(invite.get('p-asserted-identity'), `${name}: no P-Asserted-Identity`);
      t.equal(await ua.bye(dialog), 200);
      await hf.settled();
    });
  }
});

t.test('a full queue (queue.maxQueued) refuses new calls with 503 and Retry-After', async (t) => {
  const hf = await startTestGateway(t, [{ id: 'alice', password: 'pw-alice' }], {
    queue: { maxQueued: 1, retryAfterS: 7 },
  });
  // Nobody registered: the first call waits, the second finds the queue full.
  const waiting = await TestUa.open('udp', hf.sip.udp, 'customer1');
  t.teardown(() => waiting.close());
  const firstEp = await RtpEndpoint.open();
  t.teardown(() => firstEp.close());
  const first = waiting
    .invite(`sip:support@${hf.sip.udp.host}:${hf.sip.udp.port}`, firstEp.sdp())
    .catch((err: SipError) => err.status);
  await waitFor(() => hf.gw.stats().queued === 1, 'one call waiting');
  const ua = await TestUa.open('udp', hf.sip.udp, 'customer2');
  t.teardown(() => ua.close());
  const ep = await RtpEndpoint.open();
  t.teardown(() => ep.close());
  const refused = await ua
    .invite(`sip:support@${hf.sip.udp.host}:${hf.sip.udp.port}`, ep.sdp())
    .then(
      () => undefined,
      (err: SipError) => err,
    );
  t.equal(refused?.status, 503, '503');
  t.equal(refused?.response.get('retry-after'), '7', 'Retry-After: 7');
  t.equal(hf.gw.stats().calls, 1, 'only the first call exists');
  t.equal(await waiting.cancelPending(), 200, 'the waiting customer gives up');
  t.equal(await first, 487);
  await hf.settled();
});

t.test('a late offer (INVITE without SDP): offered in the 200, answered in the ACK', async (t) => {
  const hf = await startTestGateway(t, [{ id: 'alice', password: 'pw-alice' }]);
  const alice = await Agent.open(t, hf, 'alice', { tone: ALICE, password: 'pw-alice' });
  const ep = await RtpEndpoint.open();
  t.teardown(() => ep.close());
  const ua = await TestUa.open('udp', hf.sip.udp, 'customer');
  t.teardown(() => ua.close());
  const dialog = await ua.invite(
    `sip:support@${hf.sip.udp.host}:${hf.sip.udp.port}`,
    '',
    [],
    undefined,
    ep.sdp(),
  );
  t.match(dialog.remoteSdp, /^v=0/m, 'the 200 carries an offer');
  ep.setRemoteFromSdp(dialog.remoteSdp);
  ep.play({ tone: CUSTOMER_TONE });
  await waitFor(() => [...hf.gw.calls.values()][0]?.state === 'connected', 'connected to alice');
  t.ok((await hearsTone(ep, ALICE)) > 0.8, 'the customer hears alice');
  t.ok((await hearsTone(alice.ep, CUSTOMER_TONE)) > 0.8, 'alice hears the customer');
  t.equal(await ua.bye(dialog), 200);
  await hf.settled();
});

t.test('an INVITE whose body holds no SDP: 415', async (t) => {
  const hf = await startTestGateway(t, [{ id: 'alice', password: 'pw-alice' }]);
  const ua = await TestUa.open('udp', hf.sip.udp, 'customer');
  t.teardown(() => ua.close());
  const status = await ua
    .invite(`sip:support@${hf.sip.udp.host}:${hf.sip.udp.port}`, '{"x":1}', [
      ['Content-Type', 'application/json'],
    ])
    .then(
      () => 200,
      (err: SipError) => err.status,
    );
  t.equal(status, 415);
  await hf.settled();
});
