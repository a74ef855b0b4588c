// RFC 4475's 49 torture messages against the embedded server, over UDP and over TCP, one
// test each: valid messages reach the app (or get the answer RFC 3261 gives them), invalid
// requests get the RFC's error status, unusable responses are dropped — and after each,
// the server still serves a normal request.
import t, { type Test } from 'tap';
import pino from 'pino';
import Srf from 'drachtio-srf';
import { startSipServer } from '../../sipserver';
import { connectApp } from '../helpers/sip-app';
import { SipClient } from '../helpers/sip-client';
import type { SipMessage } from '../helpers/sip-message';
import { parseHostports } from '../helpers/sip-server';
import { RFC4475_VECTORS, type Outcome, type TortureVector } from './rfc4475';
import { openRawPeer, type RawPeer } from './rfc4475/raw-peer';

const APP_REASON = 'RFC 4475 app';
const METHODS = ['invite', 'register', 'options', 'message', 'info', 'subscribe', 'notify'];
/** How long "nothing comes back" is watched for. */
const QUIET_MS = 300;

// RFC 4475 reuses Via branches across messages (cparam01/cparam02, escnull/regescrt,
// unkscm/novelsc): to one server they would be retransmissions of each other (RFC 3261
// §17.2.3). Each message therefore meets a server of its own.
for (const proto of ['udp', 'tcp'] as const) {
  t.test(`RFC 4475 over ${proto}`, async (t) => {
    for (const v of RFC4475_VECTORS) {
      t.test(`${v.name} (§${v.section} ${v.title})`, async (t) => {
        const { addr, seen, logs } = await serverWithApp(t, proto);
        const peer = await openRawPeer(proto, addr);
        t.teardown(() => peer.close());
        peer.send(v.bytes);
        t.comment(v.why);
        await check(t, { v, outcome: v[proto], peer, seen, logs });
        const probe = await SipClient.open(t, { transport: proto, server: addr });
        const res = await probe.request('OPTIONS', `sip:probe@${addr.host}:${addr.port}`).final;
        t.equal(res.status, 200, 'the server still answers a normal request afterwards');
      });
    }
  });
}

/** An embedded server logging to memory, and an app answering INVITE 480, the rest 200. */
async function serverWithApp(t: Test, proto: 'udp' | 'tcp') {
  const logs: Array<{ msg: string }> = [];
  const logger = pino({ level: 'debug' }, { write: (l: string) => void logs.push(JSON.parse(l)) });
  const server = await startSipServer({
    contacts: ['sip:127.0.0.1:0;transport=udp,tcp'],
    port: 0,
    secret: 'torture',
    logger,
  });
  t.teardown(() => server.close());
  const sip = parseHostports(server.sipHostports.join(','));
  const srf = await connectApp(t, { connect: server.drachtio, sip, external: false });
  const seen: string[] = [];
  // drachtio-srf's typings omit use(method, handler), which routes that one method.
  type Handler = (req: Srf.SrfRequest, res: Srf.SrfResponse) => void;
  const use = srf.use as unknown as (method: string, fn: Handler) => void;
  for (const method of METHODS) {
    use.call(srf, method, (req, res) => {
      seen.push(req.method);
      res.send(req.method === 'INVITE' ? 480 : 200, APP_REASON, {});
    });
  }
  return { addr: sip[proto]!, seen, logs };
}

interface Run {
  v: TortureVector;
  outcome: Outcome;
  peer: RawPeer;
  seen: string[];
  logs: Array<{ msg: string }>;
}

async function check(t: Test, { v, outcome, peer, seen, logs }: Run): Promise<void> {
  if ('app' in outcome) {
    for (const method of outcome.app) {
      const res = await peer.next(
        (m) => m.cseq.method === method && (m.status ?? 0) >= 200 && m.reason === APP_REASON,
        3000,
      );
      t.equal(res.status, method === 'INVITE' ? 480 : 200, `the app answered the ${method}`);
      if (method === 'INVITE') ackFailure(peer, v, res);
    }
    t.same(seen, outcome.app, 'the app received exactly these requests');
    return;
  }
  if ('status' in outcome) {
    const res = await peer.next((m) => (m.status ?? 0) >= 200, 3000);
    t.equal(res.status, outcome.status, `answered ${outcome.status} by the stack`);
    t.notOk(res.reason === APP_REASON, 'not by the app');
    if (res.status === 420) t.ok(res.get('unsupported'), '420 lists what is Unsupported');
    if (res.status === 501) t.ok(res.get('allow'), '501 lists what is allowed');
  } else {
    await new Promise((r) => setTimeout(r, QUIET_MS));
    t.same(
      peer.received.map((m) => m.status ?? m.method),
      [],
      'nothing comes back',
    );
    if ('dropped' in outcome) {
      const want = outcome.dropped === 'stray' ? /stray response/ : /unparseable|invalid response/;
      t.ok(
        logs.some((l) => want.test(l.msg)),
        `logged as ${outcome.dropped === 'stray' ? 'a stray response' : 'invalid'}`,
      );
    }
  }
  t.same(seen, [], 'the app saw nothing');
  const closes = 'closes' in outcome && outcome.closes === true;
  if (closes) t.ok(await peer.whenClosed(2000), 'the server closed the connection');
  else t.notOk(await peer.whenClosed(100), 'the connection (if any) stays open');
}

/**
 * ACK for the app's 480 (RFC 3261 §17.1.1.3) so the server stops retransmitting it; on TCP
 * there are no retransmissions, and dblreq leaves bytes in the stream an ACK would follow.
 */
function ackFailure(peer: RawPeer, v: TortureVector, res: SipMessage): void {
  if (peer.closed || v.name === 'dblreq') return;
  const requestUri = v.bytes.toString('utf8', 0, v.bytes.indexOf('\r\n')).split(' ')[1];
  const ack = [
    `ACK ${requestUri} SIP/2.0`,
    `Via: ${res.getAll('via')[0]}`,
    `From: ${res.get('from')}`,
    `To: ${res.get('to')}`,
    `Call-ID: ${res.callId}`,
    `CSeq: ${res.cseq.seq} ACK`,
    'Max-Forwards: 70',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  peer.send(Buffer.from(ack));
}
