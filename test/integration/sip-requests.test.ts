// In-dialog INFO and REFER/NOTIFY in both directions, and out-of-dialog OPTIONS both ways.
import t from 'tap';
import {
  appRequest,
  connectApp,
  dialogRequest,
  once,
  routesSettled,
  type SrfRequest,
  type SrfResponse,
} from '../helpers/sip-app';
import { callApp } from '../helpers/sip-app-call';
import { SipClient } from '../helpers/sip-client';
import { sipServerForTest, type SipServerUnderTest } from '../helpers/sip-server';

let server: SipServerUnderTest;
t.before(async () => {
  server = await sipServerForTest(t);
});

for (const proto of ['udp', 'tcp', 'ws'] as const) {
  t.test(`${proto}: INFO both ways`, async (t) => {
    const srf = await connectApp(t, server);
    const client = await SipClient.open(t, { transport: proto, server: server.sip[proto]! });
    const call = await callApp(srf, client, server);

    const info = once<[SrfRequest, SrfResponse]>(call.app, 'info');
    const tx = call.client.request('INFO', {
      body: 'Signal=5\r\n',
      contentType: 'application/dtmf-relay',
    });
    const [req, res] = await info;
    t.equal(req.get('Content-Type'), 'application/dtmf-relay');
    t.equal(req.body, 'Signal=5\r\n', 'body intact');
    res.send(200);
    t.equal((await tx.final).status, 200);

    const sent = dialogRequest(call.app, {
      method: 'INFO',
      headers: { 'Content-Type': 'application/json' },
      body: '{"rdp":"disconnected"}',
    });
    const got = await call.client.nextRequest('INFO');
    t.equal(got.body.toString(), '{"rdp":"disconnected"}');
    t.equal(got.get('content-type'), 'application/json');
    client.respond(got, 200);
    t.equal((await sent).status, 200, 'app sees the 200');
    await call.client.bye();
  });

  t.test(`${proto}: REFER from the app, NOTIFY back; REFER from the client`, async (t) => {
    const srf = await connectApp(t, server);
    const client = await SipClient.open(t, { transport: proto, server: server.sip[proto]! });
    const call = await callApp(srf, client, server);

    const referred = dialogRequest(call.app, {
      method: 'REFER',
      headers: { 'Refer-To': '<sip:agent2@127.0.0.1>' },
    });
    const refer = await call.client.nextRequest('REFER');
    t.equal(refer.get('refer-to'), '<sip:agent2@127.0.0.1>');
    client.respond(refer, 202, 'Accepted');
    t.equal((await referred).status, 202);
    const notified = once<[SrfRequest, SrfResponse]>(call.app, 'notify');
    const ntx = call.client.request('NOTIFY', {
      headers: [
        ['Event', 'refer'],
        ['Subscription-State', 'terminated;reason=noresource'],
      ],
      body: 'SIP/2.0 200 OK\r\n',
      contentType: 'message/sipfrag;version=2.0',
    });
    const [nreq, nres] = await notified;
    t.match(nreq.get('Event'), /^refer/);
    t.equal(nreq.body, 'SIP/2.0 200 OK\r\n');
    nres.send(200);
    t.equal((await ntx.final).status, 200);

    const appRefer = once<[SrfRequest, SrfResponse]>(call.app, 'refer');
    const rtx = call.client.request('REFER', {
      headers: [['Refer-To', '<sip:queue@127.0.0.1>']],
    });
    const [rreq, rres] = await appRefer;
    t.equal(rreq.get('Refer-To'), '<sip:queue@127.0.0.1>');
    rres.send(202);
    t.equal((await rtx.final).status, 202);
    const nsent = dialogRequest(call.app, {
      method: 'NOTIFY',
      headers: {
        Event: 'refer',
        'Subscription-State': 'terminated;reason=noresource',
        'Content-Type': 'message/sipfrag;version=2.0',
      },
      body: 'SIP/2.0 100 Trying\r\n',
    });
    const notify = await call.client.nextRequest('NOTIFY');
    t.equal(notify.body.toString(), 'SIP/2.0 100 Trying\r\n');
    client.respond(notify, 200);
    t.equal((await nsent).status, 200);
    await call.client.bye();
  });

  t.test(`${proto}: OPTIONS to the app`, async (t) => {
    const srf = await connectApp(t, server);
    // srf.options() exists at runtime (one method per verb) but not in the typings.
    const verbs = srf as unknown as {
      options(h: (req: SrfRequest, res: SrfResponse) => void): void;
    };
    verbs.options((_req, res) =>
      res.send(200, { headers: { Allow: 'INVITE, ACK, BYE, OPTIONS' } }),
    );
    await routesSettled(srf);
    const addr = server.sip[proto]!;
    const client = await SipClient.open(t, { transport: proto, server: addr });
    const res = await client.request('OPTIONS', `sip:app@${addr.host}:${addr.port}`).final;
    t.equal(res.status, 200);
    t.equal(res.get('allow'), 'INVITE, ACK, BYE, OPTIONS');
  });
}

for (const proto of ['udp', 'tcp'] as const) {
  t.test(`${proto}: OPTIONS from the app (srf.request) to the client`, async (t) => {
    const srf = await connectApp(t, server);
    const client = await SipClient.open(t, { transport: proto, server: server.sip[proto]! });
    const tp = proto === 'tcp' ? ';transport=tcp' : '';
    const sent = appRequest(srf, `sip:alice@127.0.0.1:${client.transport.viaPort}${tp}`, {
      method: 'OPTIONS',
      headers: { 'X-Probe': 'keepalive' },
    });
    const options = await client.nextRequest('OPTIONS');
    t.equal(options.get('x-probe'), 'keepalive');
    t.ok(options.fromTag, 'From tag filled in by the server');
    client.respond(options, 200);
    t.equal((await sent).status, 200);
  });
}
