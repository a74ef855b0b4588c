// The embedded SIP server's secure transports through sip.tls: a customer call over TLS
// and an agent registration over WSS, with a throwaway certificate made by openssl.
import t from 'tap';
import { parseHostports } from '../helpers/sip-server';
import { makeTestCert } from '../helpers/tls-cert';
import { startTestGateway, waitFor } from './fixtures/gateway-harness';
import { Agent, openEndpoint } from './fixtures/parties';
import { TestUa } from './fixtures/test-ua';

// The TLS/WSS listeners are the embedded server's (sip.tls); a real drachtio-server has its
// own TLS contacts in its own configuration, which this test does not set up.
const external = process.env.DRACHTIO_HOST
  ? "the embedded server's TLS/WSS listeners (sip.tls); drachtio-server configures its own"
  : false;

t.test(
  'a customer call over TLS, an agent registration over WSS',
  { skip: external },
  async (t) => {
    const cert = makeTestCert(t);
    const hf = await startTestGateway(
      t,
      [
        { id: 'alice', password: 'pw-alice' },
        { id: 'bob', password: 'pw-bob' },
      ],
      {
        sip: {
          contacts: [
            'sip:127.0.0.1:0;transport=udp,tcp',
            'sips:127.0.0.1:0;transport=tls',
            'sips:127.0.0.1:0;transport=wss',
          ],
          tls: { cert: cert.certFile, key: cert.keyFile },
        },
      },
    );
    const hp = parseHostports(hf.gw.sipHostports.join(','));
    t.ok(hp.tls && hp.wss, `tls and wss listening: ${hf.gw.sipHostports.join(' ')}`);

    // The call goes to bob (UDP, plain RTP), the only registered agent.
    const bob = await Agent.open(t, hf, 'bob', { tone: 1600, password: 'pw-bob' });
    const answered = bob.nextCall();
    const customer = await TestUa.openSecure('tls', hp.tls!, 'customer', { ca: cert.cert });
    t.teardown(() => customer.close());
    const ep = await openEndpoint(t);
    const dialog = await customer.invite(
      `sip:support@127.0.0.1:${hp.tls!.port};transport=tls`,
      ep.sdp(),
    );
    await answered;
    await waitFor(() => [...hf.gw.calls.values()][0]?.state === 'connected', 'connected');
    t.pass('the TLS call is connected');
    t.equal(await customer.bye(dialog), 200, 'hung up over TLS');
    await hf.settled();

    // alice registers over WSS: challenged first, then accepted, reachable over wss.
    const alice = await TestUa.openSecure('wss', hp.wss!, 'alice', { ca: cert.cert });
    t.teardown(() => alice.close());
    t.equal(await alice.register(undefined), 401, 'challenged over WSS');
    t.equal(await alice.register('pw-alice'), 200, 'registered over WSS');
    const contact = hf.gw.agents.get('alice')!.contact;
    t.equal(contact?.transport, 'wss', 'registered over wss');
    t.equal(contact?.profile, 'webrtc', 'a WSS agent gets WebRTC media');
    t.equal(await alice.register('pw-alice', 0), 200, 'unregistered');
    await hf.settled();
  },
);
