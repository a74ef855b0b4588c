// The Node SIP test client against SIPp, no server in between: proves the client speaks
// enough SIP (INVITE/ACK/BYE, retransmissions, answering) before it judges the server.
import t from 'tap';
import { SipClient, sdpOffer } from '../helpers/sip-client';
import { freePort } from '../helpers/sip-ports';
import { describeSipp, startSipp } from '../helpers/sipp';

const loopback = (port: number) => ({ host: '127.0.0.1', port });

for (const transport of ['udp', 'tcp'] as const) {
  t.test(`client calls SIPp uas-basic over ${transport} and hangs up`, async (t) => {
    const uas = await startSipp(t, { scenario: 'uas-basic.xml', transport, calls: 1 });
    const c = await SipClient.open(t, { transport, server: loopback(uas.port) });
    const inv = c.invite(`sip:svc@127.0.0.1:${uas.port}`, { body: sdpOffer(40000) });
    t.equal((await inv.provisional(180)).status, 180);
    const dialog = await inv.established();
    t.match(dialog.remoteTarget, /^sip:127\.0\.0\.1:\d+/);
    t.equal((await dialog.bye()).status, 200);
    const r = await uas.done;
    t.equal(r.successful, 1, describeSipp(r));
  });
}

t.test('SIPp calls the client; the first INVITE is lost and SIPp retransmits it', async (t) => {
  const sippPort = await freePort();
  let invites = 0;
  const c = await SipClient.open(t, {
    transport: 'udp',
    server: loopback(sippPort),
    dropIncoming: (m) => m.method === 'INVITE' && ++invites === 1,
  });
  const uac = await startSipp(t, {
    scenario: 'uac-basic.xml',
    remote: loopback(c.transport.viaPort),
    localPort: sippPort,
    callDurationMs: 50,
  });
  const invite = await c.nextRequest('INVITE');
  t.equal(invites, 2, 'the second copy got through');
  const dialog = c.accept(invite, { body: sdpOffer(40002) });
  await dialog.acked;
  const bye = await dialog.nextRequest('BYE');
  c.respond(bye, 200);
  const r = await uac.done;
  t.equal(r.successful, 1, describeSipp(r));
});

t.test('lost INVITE is retransmitted by the client (Timer A)', async (t) => {
  const uas = await startSipp(t, { scenario: 'uas-basic.xml', calls: 1 });
  const c = await SipClient.open(t, {
    transport: 'udp',
    server: loopback(uas.port),
    t1Ms: 100,
    dropOutgoing: (m, n) => m?.method === 'INVITE' && n === 1,
  });
  const dialog = await c
    .invite(`sip:svc@127.0.0.1:${uas.port}`, { body: sdpOffer(40004) })
    .established();
  t.equal((await dialog.bye()).status, 200);
  t.equal((await uas.done).successful, 1);
});
