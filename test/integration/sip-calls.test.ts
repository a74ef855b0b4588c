// Basic calls through the SIP server under test, both directions, over UDP, TCP and
// WebSocket: a Node client ↔ a drachtio-srf UAS/UAC app, and SIPp ↔ a createB2BUA app ↔ SIPp.
import t from 'tap';
import type { Test } from 'tap';
import {
  connectApp,
  installB2bua,
  once,
  routesSettled,
  type SrfDialog,
  within,
} from '../helpers/sip-app';
import { SipClient, sdpOffer } from '../helpers/sip-client';
import { sipServerForTest, type SipServerUnderTest } from '../helpers/sip-server';
import { describeSipp, startSipp } from '../helpers/sipp';

async function clientTo(t: Test, server: SipServerUnderTest, proto: 'udp' | 'tcp' | 'ws') {
  const addr = server.sip[proto];
  if (!addr) throw new Error(`server offers no ${proto} address`);
  const client = await SipClient.open(t, { transport: proto, server: addr, user: 'alice' });
  return { client, addr, appUri: `sip:app@${addr.host}:${addr.port}` };
}

let server: SipServerUnderTest;
t.before(async () => {
  server = await sipServerForTest(t);
});

for (const proto of ['udp', 'tcp', 'ws'] as const) {
  t.test(`${proto}: client → createUAS app; 100, 200 with SDP, ACK, BYE from client`, async (t) => {
    const srf = await connectApp(t, server);
    const appDialog = new Promise<SrfDialog>((resolve, reject) =>
      srf.invite((req, res) => {
        srf.createUAS(req, res, { localSdp: sdpOffer(30000) }).then(resolve, reject);
      }),
    );
    await routesSettled(srf);
    const { client, appUri } = await clientTo(t, server, proto);
    const inv = client.invite(appUri, { body: sdpOffer(40000) });
    t.equal((await inv.provisional(100)).status, 100, '100 Trying from the server');
    const dialog = await inv.established();
    const ok = inv.responses[inv.responses.length - 1];
    t.equal(ok.status, 200);
    t.ok(ok.toTag, '200 carries a To tag');
    t.ok(ok.get('contact'), '200 carries a Contact');
    t.match(ok.get('content-type') ?? '', /application\/sdp/);
    t.match(ok.body.toString(), /m=audio 30000 /, 'the app SDP as the answer');
    const ad = await within(appDialog, 5000, 'app dialog');
    t.match(ad.remote.sdp, /m=audio 40000 /, 'the app sees our offer');
    const destroyed = once(ad, 'destroy');
    const byeRes = await dialog.bye();
    t.equal(byeRes.status, 200, 'BYE answered 200');
    await destroyed;
  });

  t.test(`${proto}: client → createUAS app; BYE from the app`, async (t) => {
    const srf = await connectApp(t, server);
    const appDialog = new Promise<SrfDialog>((resolve, reject) =>
      srf.invite((req, res) => {
        srf.createUAS(req, res, { localSdp: sdpOffer(30000) }).then(resolve, reject);
      }),
    );
    await routesSettled(srf);
    const { client, appUri } = await clientTo(t, server, proto);
    const dialog = await client.invite(appUri, { body: sdpOffer(40000) }).established();
    const ad = await within(appDialog, 5000, 'app dialog');
    ad.destroy();
    const bye = await dialog.nextRequest('BYE');
    t.equal(bye.cseq.method, 'BYE');
    t.equal(bye.fromTag, dialog.remote.match(/tag=([^;>\s]+)/)?.[1], 'BYE From tag = app side');
    client.respond(bye, 200);
    t.ok(await client.quietFor(300, (m) => m.method === 'BYE'), 'no BYE retransmission after 200');
  });
}

for (const proto of ['udp', 'tcp'] as const) {
  t.test(`${proto}: createUAC app → client; answer, BYE from either side`, async (t) => {
    const srf = await connectApp(t, server);
    const { client } = await clientTo(t, server, proto);
    const tp = proto === 'udp' ? '' : ';transport=tcp';
    const target = `sip:alice@127.0.0.1:${client.transport.viaPort}${tp}`;
    for (const hangup of ['app', 'client'] as const) {
      const uac = srf.createUAC(target, { localSdp: sdpOffer(30002) });
      const invite = await client.nextRequest('INVITE');
      t.match(invite.uri ?? '', /^sip:alice@127\.0\.0\.1/);
      t.match(invite.branch, /^z9hG4bK/, 'RFC 3261 branch');
      t.ok(invite.fromTag, 'From tag');
      t.ok(invite.get('contact'), 'Contact');
      t.ok(invite.get('max-forwards'), 'Max-Forwards');
      t.match(invite.get('content-type') ?? '', /application\/sdp/);
      const dialog = client.accept(invite, { body: sdpOffer(40002) });
      const ad = await within(uac, 5000, 'createUAC');
      await within(dialog.acked, 5000, 'ACK from the server');
      t.match(ad.remote.sdp, /m=audio 40002 /);
      if (hangup === 'app') {
        ad.destroy();
        client.respond(await dialog.nextRequest('BYE'), 200);
      } else {
        const destroyed = once(ad, 'destroy');
        t.equal((await dialog.bye()).status, 200);
        await destroyed;
      }
    }
  });

  t.test(`${proto}: SIPp → createB2BUA → SIPp, BYE from caller and from callee`, async (t) => {
    const srf = await connectApp(t, server);
    const addr = server.sip[proto]!;
    const uas = await startSipp(t, { scenario: 'uas-basic.xml', transport: proto, calls: 5 });
    const uasHangup = await startSipp(t, {
      scenario: 'uas-hangup.xml',
      transport: proto,
      calls: 3,
      callDurationMs: 100,
    });
    const tp = proto === 'tcp' ? ';transport=tcp' : '';
    const stats = await installB2bua(srf, (req) => {
      const port = req.calledNumber === 'hangup' ? uasHangup.port : uas.port;
      return `sip:${req.calledNumber}@127.0.0.1:${port}${tp}`;
    });
    const callers = await Promise.all([
      startSipp(t, {
        scenario: 'uac-basic.xml',
        transport: proto,
        remote: addr,
        calls: 5,
        rate: 10,
      }),
      startSipp(t, {
        scenario: 'uac-await-bye.xml',
        transport: proto,
        remote: addr,
        calls: 3,
        rate: 10,
        service: 'hangup',
      }),
    ]);
    const results = await Promise.all([...callers, uas, uasHangup].map((s) => s.done));
    const expected = [5, 3, 5, 3];
    results.forEach((r, i) => {
      t.equal(r.successful, expected[i], describeSipp(r));
      t.equal(r.failed, 0);
    });
    t.equal(stats.bridged, 8, `bridged (errors: ${stats.errors.join('; ')})`);
  });
}
