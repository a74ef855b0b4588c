// TLS and secure WebSocket transports end to end over loopback, with a throwaway
// self-signed certificate: calls both ways over TLS, REGISTER + INVITE over WSS,
// configuration errors, and garbage closing only its own connection.
import t, { type Test } from 'tap';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { connect as tcpConnect } from 'node:net';
import pino from 'pino';
import Srf from 'drachtio-srf';
import { startSipServer, TlsConfigError, type SipServer } from '../../sipserver';
import { parseHostports } from '../helpers/sip-server';
import { SipClient, sdpOffer } from '../helpers/sip-client';
import { makeTestCert, type TestCert } from '../helpers/tls-cert';
import { listenTlsPeer } from '../helpers/tls-peer';

const cert: TestCert = makeTestCert(t);
const SDP = sdpOffer(10000);

async function start(t: Test, tls: { ca?: Buffer } = { ca: cert.cert }) {
  const server: SipServer = await startSipServer({
    contacts: [
      'sip:127.0.0.1:0;transport=udp',
      'sips:127.0.0.1:0;transport=tls',
      'sip:127.0.0.1:0;transport=wss',
    ],
    port: 0,
    secret: 's',
    logger: pino({ level: 'silent' }),
    timers: { T1: 50, T2: 200, T4: 250 },
    tls: { key: cert.keyFile, cert: cert.certFile, ...tls },
  });
  t.teardown(() => server.close());
  const srf = new Srf();
  srf.on('error', () => undefined);
  const connected = new Promise<string>((resolve) =>
    srf.on('connect', (_e: unknown, hp: string) => resolve(hp)),
  );
  srf.connect(server.drachtio);
  const hostports = await connected;
  t.teardown(() => srf.disconnect());
  const sip = parseHostports(hostports);
  return { server, srf, sip, hostports, tls: sip.tls!, wss: sip.wss! };
}

type Handler = (rq: Srf.SrfRequest, rs: Srf.SrfResponse) => void;

t.test('authenticate reply lists tls/ and wss/ hostports', async (t) => {
  const { hostports, server } = await start(t);
  t.match(hostports, /(^|,)tls\/127\.0\.0\.1:\d+/);
  t.match(hostports, /(^|,)wss\/127\.0\.0\.1:\d+/);
  t.same(hostports.split(','), server.sipHostports);
});

t.test('a call over TLS from a client to a createUAS app, ended by BYE', async (t) => {
  const { srf, tls } = await start(t);
  const ended = new Promise<string>((resolve) => {
    srf.invite((rq, rs) => {
      void srf.createUAS(rq, rs, { localSdp: SDP }).then((d) => {
        d.on('destroy', () => resolve(rq.protocol));
      });
    });
  });
  const alice = await SipClient.open(t, { transport: 'tls', server: tls, ca: cert.cert });
  const inv = alice.invite(`sip:app@127.0.0.1:${tls.port};transport=tls`, { body: SDP });
  const dialog = await inv.established();
  t.equal((await inv.final).status, 200);
  t.equal((await dialog.bye()).status, 200, 'BYE answered');
  t.equal(await ended, 'tls', 'the app saw a TLS request');
});

t.test('an INVITE from an app to a TLS target is sent over TLS and verified', async (t) => {
  const { srf } = await start(t);
  const peer = await listenTlsPeer(t, cert);
  const uac = srf.createUAC(`sip:peer@127.0.0.1:${peer.port};transport=tls`, { localSdp: SDP });
  const conn = await peer.next();
  const invite = await conn.nextRequest('INVITE');
  t.match(invite.get('via') ?? '', /^SIP\/2\.0\/TLS /, 'Via says TLS');
  const answer = conn.accept(invite, { body: SDP });
  await answer.acked;
  const dialog = await uac;
  const bye = answer.nextRequest('BYE');
  dialog.destroy();
  conn.respond(await bye, 200);
  t.pass('INVITE, ACK and BYE over one TLS connection');
});

t.test('without a trusted CA, a TLS target with a self-signed certificate fails', async (t) => {
  const { srf } = await start(t, {}); // default: Node's public roots only
  const peer = await listenTlsPeer(t, cert);
  const err = await srf
    .createUAC(`sip:peer@127.0.0.1:${peer.port};transport=tls`, { localSdp: SDP })
    .then(
      () => undefined,
      (e: { status?: number }) => e,
    );
  t.equal(err?.status, 503, 'handshake refused → 503 at once');
});

t.test('REGISTER over WSS answered by an app; an INVITE reaches the agent over it', async (t) => {
  const { srf, wss } = await start(t);
  (srf as unknown as { register(h: Handler): void }).register((_rq, rs) => rs.send(200));
  const agent = await SipClient.open(t, {
    transport: 'wss',
    server: wss,
    ca: cert.cert,
    user: 'agent1',
  });
  const reg = await agent.register(`sip:127.0.0.1:${wss.port};transport=wss`);
  t.equal(reg.status, 200, 'REGISTER answered by the app');
  const uac = srf.createUAC(agent.aor, { localSdp: SDP });
  const invite = await agent.nextRequest('INVITE');
  t.match(invite.get('via') ?? '', /^SIP\/2\.0\/WSS /, 'Via says WSS');
  const answer = agent.accept(invite, { body: SDP });
  const dialog = await uac;
  await answer.acked;
  const bye = answer.nextRequest('BYE');
  dialog.destroy();
  agent.respond(await bye, 200);
});

t.test('tls/wss contacts without a certificate, and unreadable files, fail to start', async (t) => {
  const base = { port: 0, secret: 's', logger: pino({ level: 'silent' }) };
  for (const contact of ['sips:127.0.0.1:0;transport=tls', 'sip:127.0.0.1:0;transport=wss']) {
    await t.rejects(
      startSipServer({ ...base, contacts: ['sip:127.0.0.1:0;transport=udp', contact] }),
      new RegExp(
        `contact '${contact.replace(/[.;]/g, '\\$&')}' uses .*no certificate.*'tls' option`,
      ),
    );
  }
  const contacts = ['sips:127.0.0.1:0;transport=tls'];
  await t.rejects(
    startSipServer({ ...base, contacts, tls: { key: '/nonexistent/k.pem', cert: cert.certFile } }),
    /cannot read TLS key file '\/nonexistent\/k\.pem': ENOENT/,
  );
  const wrongKey = await startSipServer({
    ...base,
    contacts,
    tls: { key: cert.certFile, cert: cert.certFile },
  }).then(
    (s) => s.close().then(() => undefined),
    (e: Error) => e,
  );
  t.ok(wrongKey instanceof TlsConfigError, 'a certificate given as the key is refused');
  t.match(wrongKey?.message, `TLS key file '${cert.certFile}' is not PEM`);
});

t.test('garbage over TLS closes that connection only', async (t) => {
  const { tls } = await start(t);
  const open = async () => {
    const s: TLSSocket = tlsConnect({ host: '127.0.0.1', port: tls.port, ca: cert.cert });
    await new Promise((r) => s.once('secureConnect', r));
    s.on('error', () => undefined);
    t.teardown(() => s.destroy());
    return s;
  };
  const bad = await open();
  const plain = tcpConnect(tls.port, '127.0.0.1');
  plain.on('error', () => undefined);
  t.teardown(() => plain.destroy());
  bad.write('this is not sip\r\n\r\n');
  plain.write('OPTIONS sip:x SIP/2.0\r\n\r\n'); // no TLS handshake at all
  await Promise.all([
    new Promise((r) => bad.once('close', r)),
    new Promise((r) => plain.once('close', r)),
  ]);
  t.pass('the bad and the plain-text connections were closed');
  const good = await SipClient.open(t, { transport: 'tls', server: tls, ca: cert.cert });
  const res = await good.request('OPTIONS', `sip:127.0.0.1:${tls.port};transport=tls`).final;
  t.equal(res.status, 503, 'the server still answers over TLS (no app route → 503)');
});
