// CANCEL before the answer, in both directions: a caller cancelling an INVITE the app has
// not answered, and an app cancelling its own INVITE; plus SIPp ↔ createB2BUA ↔ SIPp.
import t from 'tap';
import {
  connectApp,
  installB2bua,
  routesSettled,
  type SrfRequest,
  within,
} from '../helpers/sip-app';
import { SipClient, sdpOffer } from '../helpers/sip-client';
import { sipServerForTest, type SipServerUnderTest } from '../helpers/sip-server';
import { describeSipp, startSipp } from '../helpers/sipp';

let server: SipServerUnderTest;
t.before(async () => {
  server = await sipServerForTest(t);
});

for (const proto of ['udp', 'tcp', 'ws'] as const) {
  t.test(`${proto}: client CANCELs a ringing INVITE → 200, 487, app told`, async (t) => {
    const srf = await connectApp(t, server);
    const appCancelled = new Promise<SrfRequest>((resolve) =>
      srf.invite((req, res) => {
        res.send(180);
        req.on('cancel', () => resolve(req));
      }),
    );
    await routesSettled(srf);
    const addr = server.sip[proto]!;
    const client = await SipClient.open(t, { transport: proto, server: addr });
    const inv = client.invite(`sip:app@${addr.host}:${addr.port}`, { body: sdpOffer(40010) });
    await inv.provisional(180);
    const cancel = inv.cancel();
    t.equal((await cancel.final).status, 200, '200 to the CANCEL');
    t.equal((await inv.final).status, 487, '487 to the INVITE');
    await within(appCancelled, 5000, "app's cancel event");
    t.ok(await client.quietFor(300, (m) => m.status === 487), '487 not repeated after our ACK');
  });
}

t.test('udp: app cancels its INVITE to a ringing client', async (t) => {
  const srf = await connectApp(t, server);
  const client = await SipClient.open(t, { transport: 'udp', server: server.sip.udp! });
  let sent: SrfRequest | undefined;
  const uac = srf.createUAC(
    `sip:alice@127.0.0.1:${client.transport.viaPort}`,
    { localSdp: sdpOffer(30010) },
    // drachtio-srf calls cbRequest(err, req); its typings say (req).
    { cbRequest: ((_e: unknown, req: SrfRequest) => (sent = req)) as unknown as () => void },
  );
  uac.catch(() => undefined);
  const invite = await client.nextRequest('INVITE');
  client.respond(invite, 180, 'Ringing', { toTag: 'callee1' });
  await new Promise((r) => setTimeout(r, 50));
  t.ok(sent, 'cbRequest gave us the request');
  sent!.cancel(() => undefined);
  const cancel = await client.nextRequest('CANCEL');
  t.equal(cancel.branch, invite.branch, 'CANCEL has the INVITE branch');
  t.equal(cancel.cseq.seq, invite.cseq.seq);
  client.respond(cancel, 200);
  client.respond(invite, 487, 'Request Terminated', { toTag: 'callee1' });
  const err = await within(
    uac.then(
      () => undefined,
      (e: { status?: number }) => e,
    ),
    5000,
    'createUAC',
  );
  t.equal(err?.status, 487, 'createUAC rejects with 487');
  const ack = await client.nextRequest('ACK');
  t.equal(ack.branch, invite.branch, 'the server ACKs the 487 itself (same branch)');
});

t.test('udp: SIPp caller cancels through createB2BUA; callee SIPp is cancelled', async (t) => {
  const srf = await connectApp(t, server);
  const uas = await startSipp(t, { scenario: 'uas-ring-cancelled.xml', calls: 3 });
  await installB2bua(srf, (req) => `sip:${req.calledNumber}@127.0.0.1:${uas.port}`);
  const uac = await startSipp(t, {
    scenario: 'uac-cancel.xml',
    remote: server.sip.udp!,
    calls: 3,
    rate: 10,
  });
  const [c, s] = await Promise.all([uac.done, uas.done]);
  t.equal(c.successful, 3, describeSipp(c));
  t.equal(s.successful, 3, describeSipp(s));
});
