// A lost ACK: the app's 200 is retransmitted over UDP, and when the ACK timer expires the
// server BYEs the caller (Reason: ACK timeout) and tells the app with an unsolicited BYE.
// drachtio-server waits 32 s; the embedded server takes `ackTimeout` to shorten it.
import t from 'tap';
import { connectApp, once, routesSettled, type SrfDialog, within } from '../helpers/sip-app';
import { SipClient, sdpOffer } from '../helpers/sip-client';
import { sipServerForTest } from '../helpers/sip-server';
import { describeSipp, startSipp } from '../helpers/sipp';

const EMBEDDED_ACK_TIMEOUT_MS = 1600;

t.test('ack timeout', async (t) => {
  const server = await sipServerForTest(t, ['udp,tcp'], { ackTimeout: EMBEDDED_ACK_TIMEOUT_MS });
  // Against drachtio-server the timer is fixed at 64·T1 = 32 s.
  const waitMs = server.external ? 40_000 : EMBEDDED_ACK_TIMEOUT_MS + 3000;

  t.test('client never ACKs: 200 retransmitted, then BYE with ACK timeout', async (t) => {
    const srf = await connectApp(t, server);
    const appDialog = new Promise<SrfDialog>((resolve, reject) =>
      srf.invite((req, res) => {
        srf.createUAS(req, res, { localSdp: sdpOffer(30700) }).then(resolve, reject);
      }),
    );
    await routesSettled(srf);
    const addr = server.sip.udp!;
    const client = await SipClient.open(t, { transport: 'udp', server: addr });
    const inv = client.invite(`sip:app@${addr.host}:${addr.port}`, { body: sdpOffer(40700) });
    t.equal((await inv.final).status, 200); // and no ACK, ever
    const app = await within(appDialog, 5000, 'createUAS');
    const destroyed = once(app, 'destroy', waitMs);
    const bye = await client.nextRequest('BYE', waitMs);
    t.match(bye.get('reason') ?? '', /ACK timeout/i, 'BYE says why');
    client.respond(bye, 200);
    await destroyed;
    const oks = client.received.filter((m) => m.status === 200 && m.cseq.method === 'INVITE');
    t.ok(oks.length >= 2, `the 200 was retransmitted (${oks.length} copies)`);
  });

  t.test('SIPp uac-no-ack gets the BYE and answers it', async (t) => {
    const srf = await connectApp(t, server);
    srf.invite((req, res) => {
      srf.createUAS(req, res, { localSdp: sdpOffer(30702) }).catch(() => undefined);
    });
    await routesSettled(srf);
    const uac = await startSipp(t, {
      scenario: 'uac-no-ack.xml',
      remote: server.sip.udp!,
      timeoutMs: waitMs + 5000,
    });
    const r = await uac.done;
    t.equal(r.successful, 1, describeSipp(r));
  });
});
