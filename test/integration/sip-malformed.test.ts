// Malformed input over UDP, TCP and WebSocket: after each kind of garbage the server is
// still up (a good call made at the same time completes), and where a response is possible
// (a request with a usable Via on a message-based transport) a 400 comes back.
import { randomBytes } from 'node:crypto';
import t from 'tap';
import type { Test } from 'tap';
import { connectApp, routesSettled, within } from '../helpers/sip-app';
import { SipClient, sdpOffer, token } from '../helpers/sip-client';
import { sipServerForTest, type SipServerUnderTest } from '../helpers/sip-server';

type Proto = 'udp' | 'tcp' | 'ws';

interface Case {
  name: string;
  bytes: (c: SipClient, target: string) => Buffer[];
  /** Transports on which a 400 must come back. */
  expect400?: Proto[];
  /** The transports this case runs on (all when absent). */
  on?: Proto[];
  /** Transports on which a real drachtio-server does not survive this (why): embedded only. */
  abortsUpstream?: { protos: Proto[]; why: string };
}

const via = (c: SipClient) =>
  `Via: SIP/2.0/${c.proto.toUpperCase()} ${c.hostport};branch=z9hG4bK${token()}${c.proto === 'udp' ? ';rport' : ''}`;
const headers = (c: SipClient, target: string, cseq = 'OPTIONS') => [
  via(c),
  'Max-Forwards: 70',
  `From: <sip:m@x>;tag=${token()}`,
  `To: <${target}>`,
  `Call-ID: ${token()}`,
  `CSeq: 1 ${cseq}`,
];
const msg = (start: string, lines: string[], body = '') =>
  Buffer.from([start, ...lines, '', body].join('\r\n'));
const hugeHeader = (c: SipClient, target: string, bytes: number) =>
  msg(`OPTIONS ${target} SIP/2.0`, [
    ...headers(c, target),
    `X-Huge: ${'a'.repeat(bytes)}`,
    'Content-Length: 0',
    '',
  ]);

const CASES: Case[] = [
  {
    name: 'truncated message',
    bytes: (c, target) => [
      msg(`INVITE ${target} SIP/2.0`, headers(c, target, 'INVITE')).subarray(0, 60),
    ],
  },
  {
    name: 'missing Call-ID, From, To and CSeq',
    bytes: (c, target) => [
      msg(`OPTIONS ${target} SIP/2.0`, [via(c), 'Max-Forwards: 70', 'Content-Length: 0', '']),
    ],
    expect400: ['udp', 'tcp', 'ws'],
  },
  { name: 'bad start line', bytes: () => [Buffer.from('HELLO sip server\r\nfoo: bar\r\n\r\n')] },
  {
    name: 'Content-Length larger than the body',
    bytes: (c, target) => [
      msg(`OPTIONS ${target} SIP/2.0`, [...headers(c, target), 'Content-Length: 100', ''], 'hello'),
    ],
    expect400: ['udp', 'ws'], // over TCP the server just waits for the rest
  },
  {
    name: 'Content-Length smaller than the body',
    bytes: (c, target) => [
      msg(`OPTIONS ${target} SIP/2.0`, [...headers(c, target), 'Content-Length: 2', ''], 'abcdef'),
    ],
  },
  {
    name: 'huge header (1 MB; 60 KB over UDP)',
    bytes: (c, target) => [hugeHeader(c, target, c.proto === 'udp' ? 60_000 : 1 << 20)],
  },
  {
    name: 'huge header (2 MiB)',
    bytes: (c, target) => [hugeHeader(c, target, 2 << 20)],
    on: ['tcp', 'ws'], // no UDP datagram is that large
    // One WebSocket message of 2 MiB or more trips an assert() in sofia-sip's ws transport
    // (tport_type_ws.c, 'N == n') and drachtio-server 0.9.10 aborts; up to ~1.9 MB it
    // answers 400 and stays up, so the 1 MB case above runs against it.
    abortsUpstream: { protos: ['ws'], why: 'aborts drachtio-server 0.9.10 (sofia-sip ws assert)' },
  },
  {
    name: 'non-UTF-8 bytes in headers',
    bytes: (c, target) => [
      Buffer.concat([
        Buffer.from(`OPTIONS ${target} SIP/2.0\r\n${headers(c, target).join('\r\n')}\r\nSubject: `),
        Buffer.from([0xff, 0xfe, 0x80, 0xc3, 0x28, 0x00, 0x9f]),
        Buffer.from('\r\nContent-Length: 0\r\n\r\n'),
      ]),
    ],
  },
  {
    name: 'burst of random garbage',
    bytes: () =>
      Array.from({ length: 100 }, () => randomBytes(50 + Math.floor(Math.random() * 400))),
  },
];

async function goodCall(t: Test, server: SipServerUnderTest, proto: Proto): Promise<number> {
  const addr = server.sip[proto]!;
  const c = await SipClient.open(t, { transport: proto, server: addr });
  const dialog = await c
    .invite(`sip:app@${addr.host}:${addr.port}`, { body: sdpOffer(40900) })
    .established();
  return (await dialog.bye()).status ?? 0;
}

t.test('malformed', async (t) => {
  const server = await sipServerForTest(t);
  const srf = await connectApp(t, server);
  srf.invite((req, res) => {
    srf.createUAS(req, res, { localSdp: sdpOffer(30900) }).catch(() => undefined);
  });
  await routesSettled(srf);

  for (const proto of ['udp', 'tcp', 'ws'] as const) {
    for (const c of CASES) {
      if (c.on && !c.on.includes(proto)) continue;
      const upstreamAbort =
        server.external && c.abortsUpstream?.protos.includes(proto) && c.abortsUpstream.why;
      t.test(`${proto}: ${c.name}`, { skip: upstreamAbort || false }, async (t) => {
        const addr = server.sip[proto]!;
        const bad = await SipClient.open(t, { transport: proto, server: addr });
        const target = `sip:app@${addr.host}:${addr.port}`;
        const call = within(goodCall(t, server, proto), 10_000, 'concurrent good call');
        for (const b of c.bytes(bad, target)) bad.sendRaw(b);
        if (c.expect400?.includes(proto)) {
          const res = await bad.nextMessage((m) => m.status === 400, 3000);
          t.equal(res.status, 400, '400 Bad Request');
        }
        t.equal(await call, 200, 'a good call at the same time completes');
        t.equal(await goodCall(t, server, proto), 200, 'and one after it too');
      });
    }
  }
});
