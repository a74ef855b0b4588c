// re-INVITE from either side of an established call, over UDP, TCP and WebSocket, and
// SIPp re-INVITEs relayed by a createB2BUA app.
import t from 'tap';
import {
  connectApp,
  installB2bua,
  once,
  within,
  type SrfRequest,
  type SrfResponse,
} from '../helpers/sip-app';
import { callApp } from '../helpers/sip-app-call';
import { SipClient, sdpOffer } from '../helpers/sip-client';
import { sipServerForTest, type SipServerUnderTest } from '../helpers/sip-server';
import { describeSipp, startSipp } from '../helpers/sipp';

let server: SipServerUnderTest;
t.before(async () => {
  server = await sipServerForTest(t);
});

for (const proto of ['udp', 'tcp', 'ws'] as const) {
  t.test(`${proto}: client re-INVITE → app modify; app re-INVITE → client`, async (t) => {
    const srf = await connectApp(t, server);
    const client = await SipClient.open(t, { transport: proto, server: server.sip[proto]! });
    const call = await callApp(srf, client, server);

    const modified = once<[SrfRequest, SrfResponse]>(call.app, 'modify');
    const tx = call.client.request('INVITE', { body: sdpOffer(40200, 2) });
    const [req, res] = await modified;
    t.match(req.body, /m=audio 40200 /, 'app sees the new offer');
    res.send(200, { body: sdpOffer(30200, 2) });
    const ok = await tx.final;
    t.equal(ok.status, 200);
    t.match(ok.body.toString(), /m=audio 30200 /, 'client gets the app answer');

    const appModify = call.app.modify(sdpOffer(30300, 3));
    const reinvite = await call.client.nextRequest('INVITE');
    t.equal(reinvite.toTag, call.client.local.match(/tag=([^;>\s]+)/)?.[1], 'in our dialog');
    t.match(reinvite.body.toString(), /m=audio 30300 /);
    const d = client.accept(reinvite, { body: sdpOffer(40300, 3) });
    t.match(
      await within(appModify, 5000, 'modify'),
      /m=audio 40300 /,
      'modify resolves with our SDP',
    );
    await within(d.acked, 5000, 'ACK to our 200');

    const destroyed = once(call.app, 'destroy');
    t.equal((await call.client.bye()).status, 200);
    await destroyed;
  });
}

t.test('udp: SIPp re-INVITE relayed through createB2BUA to SIPp', async (t) => {
  const srf = await connectApp(t, server);
  const uas = await startSipp(t, { scenario: 'uas-reinvite.xml', calls: 2 });
  await installB2bua(srf, (req) => `sip:${req.calledNumber}@127.0.0.1:${uas.port}`, {
    relayReinvites: true,
  });
  const uac = await startSipp(t, {
    scenario: 'uac-reinvite.xml',
    remote: server.sip.udp!,
    calls: 2,
    rate: 10,
    callDurationMs: 50,
  });
  const [c, s] = await Promise.all([uac.done, uas.done]);
  t.equal(c.successful, 2, describeSipp(c));
  t.equal(s.successful, 2, describeSipp(s));
});
