// Retransmissions over UDP: the server must recover lost 200s, lost INVITEs it sent, and
// absorb our retransmitted requests; SIPp calls through a B2BUA survive 5 % caller-side loss.
import t from 'tap';
import {
  connectApp,
  installB2bua,
  routesSettled,
  type SrfDialog,
  within,
} from '../helpers/sip-app';
import { SipClient, sdpOffer } from '../helpers/sip-client';
import { sipServerForTest } from '../helpers/sip-server';
import { describeSipp, startSipp } from '../helpers/sipp';

t.test('udp loss', async (t) => {
  // Shorter T1 keeps retransmission tests quick on the embedded server; RFC timing otherwise.
  const server = await sipServerForTest(t, ['udp,tcp'], { timers: { T1: 100, T2: 800 } });
  const addr = server.sip.udp!;

  t.test('the first two 200s to our INVITE are lost: the server retransmits', async (t) => {
    const srf = await connectApp(t, server);
    srf.invite((req, res) => {
      srf.createUAS(req, res, { localSdp: sdpOffer(30800) }).catch(() => undefined);
    });
    await routesSettled(srf);
    let lost = 0;
    const client = await SipClient.open(t, {
      transport: 'udp',
      server: addr,
      dropIncoming: (m) => m.status === 200 && m.cseq.method === 'INVITE' && ++lost <= 2,
    });
    const inv = client.invite(`sip:app@${addr.host}:${addr.port}`, { body: sdpOffer(40800) });
    const dialog = await within(inv.established(), 15_000, 'INVITE despite lost 200s');
    t.equal(lost, 3, 'the third copy of the 200 got through');
    t.equal((await dialog.bye()).status, 200);
  });

  t.test('our INVITE and BYE are retransmitted; the app sees each once', async (t) => {
    const srf = await connectApp(t, server);
    let invites = 0;
    const app = new Promise<SrfDialog>((resolve, reject) =>
      srf.invite((req, res) => {
        invites++;
        srf.createUAS(req, res, { localSdp: sdpOffer(30802) }).then(resolve, reject);
      }),
    );
    await routesSettled(srf);
    // We lose every first response to our requests, so each request is sent again.
    const seen = new Set<string>();
    const client = await SipClient.open(t, {
      transport: 'udp',
      server: addr,
      t1Ms: 100,
      dropIncoming: (m) => {
        if (m.isRequest || (m.status ?? 0) < 200) return false;
        const key = `${m.cseq.method}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      },
    });
    const dialog = await client
      .invite(`sip:app@${addr.host}:${addr.port}`, { body: sdpOffer(40802) })
      .established();
    const appDialog = await within(app, 5000, 'app dialog');
    let byes = 0;
    appDialog.on('destroy', () => byes++);
    t.equal((await dialog.bye()).status, 200);
    await new Promise((r) => setTimeout(r, 300));
    t.equal(invites, 1, 'one INVITE reached the app');
    t.equal(byes, 1, 'one BYE reached the app');
    const sentInvites = client.received.filter(
      (m) => m.status === 200 && m.cseq.method === 'INVITE',
    );
    t.ok(sentInvites.length >= 1);
  });

  t.test('the first INVITE from the app is lost: the server retransmits it', async (t) => {
    const srf = await connectApp(t, server);
    let lost = 0;
    const client = await SipClient.open(t, {
      transport: 'udp',
      server: addr,
      dropIncoming: (m) => m.method === 'INVITE' && ++lost === 1,
    });
    const uac = srf.createUAC(`sip:alice@127.0.0.1:${client.transport.viaPort}`, {
      localSdp: sdpOffer(30804),
    });
    const invite = await client.nextRequest('INVITE', 10_000);
    t.equal(lost, 2, 'the retransmission arrived');
    const dialog = client.accept(invite, { body: sdpOffer(40804) });
    const appDialog = await within(uac, 5000, 'createUAC');
    await within(dialog.acked, 5000, 'ACK');
    appDialog.destroy();
    client.respond(await dialog.nextRequest('BYE'), 200);
  });

  t.test('SIPp caller through createB2BUA with 5 % loss on its messages: 0 failed', async (t) => {
    const srf = await connectApp(t, server);
    // Loss only at the caller. A lost caller ACK leaves the B leg un-ACKed until the
    // caller's BYE, hence the callee scenario with an optional ACK.
    const uas = await startSipp(t, {
      scenario: 'uas-ack-optional.xml',
      calls: 20,
      timeoutMs: 60_000,
    });
    await installB2bua(srf, (req) => `sip:${req.calledNumber}@127.0.0.1:${uas.port}`);
    const uac = await startSipp(t, {
      scenario: 'uac-basic.xml',
      remote: addr,
      calls: 20,
      rate: 20,
      lostPercent: 5,
      timeoutMs: 60_000,
    });
    const [c, s] = await Promise.all([uac.done, uas.done]);
    t.equal(c.successful, 20, describeSipp(c));
    t.equal(c.failed, 0);
    t.equal(s.successful, 20, describeSipp(s));
  });
});
