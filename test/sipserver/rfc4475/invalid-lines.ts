// RFC 4475 §3.1.2.1–§3.1.2.10, invalid messages: separators, lengths, scalars, quotes and the
// request line. A request gets the error the RFC names where a response can be addressed.
import { crlf, rfcSdp, type TortureVector } from './torture-vector';

const badRequest = { status: 400 } as const;

export const INVALID_LINES: TortureVector[] = [
  {
    name: 'badinv01',
    section: '3.1.2.1',
    title: 'Extraneous Header Field Separators',
    why: '"An element receiving this request should respond with a 400 Bad Request error"',
    bytes: crlf(String.raw`INVITE sip:user@example.com SIP/2.0
To: sip:j.user@example.com
From: sip:caller@example.net;tag=134161461246
Max-Forwards: 7
Call-ID: badinv01.0ha0isndaksdjasdf3234nas
CSeq: 8 INVITE
Via: SIP/2.0/UDP 192.0.2.15;;,;,,
Contact: "Joe" <sip:joe@example.org>;;;;
Content-Length: 152
Content-Type: application/sdp

${rfcSdp('192.0.2.15')}`),
    udp: badRequest,
    tcp: badRequest,
  },
  {
    name: 'clerr',
    section: '3.1.2.2',
    title: 'Content Length Larger Than Message',
    why: 'over UDP "should respond with a 400"; on a stream there is "not much the receiving party could do but wait for more data"',
    bytes: crlf(String.raw`INVITE sip:user@example.com SIP/2.0
Max-Forwards: 80
To: sip:j.user@example.com
From: sip:caller@example.net;tag=93942939o2
Contact: <sip:caller@hungry.example.net>
Call-ID: clerr.0ha0isndaksdjweiafasdk3
CSeq: 8 INVITE
Via: SIP/2.0/UDP host5.example.com;branch=z9hG4bK-39234-23523
Content-Type: application/sdp
Content-Length: 9999

${rfcSdp('192.0.2.155')}`),
    udp: badRequest,
    tcp: { waits: true },
  },
  {
    name: 'ncl',
    section: '3.1.2.3',
    title: 'Negative Content-Length',
    why: '"should respond with an error"; over TCP "the framing error is not recoverable, and the connection should be closed"',
    bytes: crlf(String.raw`INVITE sip:user@example.com SIP/2.0
Max-Forwards: 254
To: sip:j.user@example.com
From: sip:caller@example.net;tag=32394234
Call-ID: ncl.0ha0isndaksdj2193423r542w35
CSeq: 0 INVITE
Via: SIP/2.0/UDP 192.0.2.53;branch=z9hG4bKkdjuw
Contact: <sip:caller@example53.example.net>
Content-Type: application/sdp
Content-Length: -999

${rfcSdp('192.0.2.53')}`),
    udp: badRequest,
    tcp: { status: 400, closes: true },
  },
  {
    name: 'scalar02',
    section: '3.1.2.4',
    title: 'Request Scalar Fields with Overlarge Values',
    why: '"should respond with a 400 Bad Request due to the CSeq error"',
    bytes: crlf(String.raw`REGISTER sip:example.com SIP/2.0
Via: SIP/2.0/TCP host129.example.com;branch=z9hG4bK342sdfoi3
To: <sip:user@example.com>
From: <sip:user@example.com>;tag=239232jh3
CSeq: 36893488147419103232 REGISTER
Call-ID: scalar02.23o0pd9vanlq3wnrlnewofjas9ui32
Max-Forwards: 300
Expires: 1${'0'.repeat(100)}
Contact: <sip:user@host129.example.com>
  ;expires=280297596632815
Content-Length: 0

`),
    udp: badRequest,
    tcp: badRequest,
  },
  {
    name: 'scalarlg',
    section: '3.1.2.5',
    title: 'Response Scalar Fields with Overlarge Values',
    why: '"An element receiving this response will simply discard it"',
    bytes: crlf(String.raw`SIP/2.0 503 Service Unavailable
Via: SIP/2.0/TCP host129.example.com;branch=z9hG4bKzzxdiwo34sw;received=192.0.2.129
To: <sip:user@example.com>
From: <sip:other@example.net>;tag=2easdjfejw
CSeq: 9292394834772304023312 OPTIONS
Call-ID: scalarlg.noase0of0234hn2qofoaf0232aewf2394r
Retry-After: 949302838503028349304023988
Warning: 1812 overture "In Progress"
Content-Length: 0

`),
    udp: { dropped: 'invalid' },
    tcp: { dropped: 'invalid', closes: true },
  },
  {
    name: 'quotbal',
    section: '3.1.2.6',
    title: 'Unterminated Quoted String in Display Name',
    why: '"An element receiving this request should return a 400 Bad Request error"',
    bytes: crlf(String.raw`INVITE sip:user@example.com SIP/2.0
To: "Mr. J. User <sip:j.user@example.com>
From: sip:caller@example.net;tag=93334
Max-Forwards: 10
Call-ID: quotbal.aksdj
Contact: <sip:caller@host59.example.net>
CSeq: 8 INVITE
Via: SIP/2.0/UDP 192.0.2.59:5050;branch=z9hG4bKkdjuw39234
Content-Type: application/sdp
Content-Length: 152

${rfcSdp('192.0.2.15')}`),
    udp: badRequest,
    tcp: badRequest,
  },
  {
    name: 'ltgtruri',
    section: '3.1.2.7',
    title: '<> Enclosing Request-URI',
    why: '"It is reasonable always to reject a request with this error with a 400 Bad Request"',
    bytes: crlf(String.raw`INVITE <sip:user@example.com> SIP/2.0
To: sip:user@example.com
From: sip:caller@example.net;tag=39291
Max-Forwards: 23
Call-ID: ltgtruri.1@192.0.2.5
CSeq: 1 INVITE
Via: SIP/2.0/UDP 192.0.2.5
Contact: <sip:caller@host5.example.net>
Content-Type: application/sdp
Content-Length: 159

${rfcSdp('192.0.2.5', '192.0.2.5', '3149328700 0')}`),
    udp: badRequest,
    tcp: badRequest,
  },
  {
    name: 'lwsruri',
    section: '3.1.2.8',
    title: 'Malformed SIP Request-URI (embedded LWS)',
    why: '"An element receiving this request should respond with a 400 Bad Request"',
    bytes: crlf(String.raw`INVITE sip:user@example.com; lr SIP/2.0
To: sip:user@example.com;tag=3xfe-9921883-z9f
From: sip:caller@example.net;tag=231413434
Max-Forwards: 5
Call-ID: lwsruri.asdfasdoeoi2323-asdfwrn23-asd834rk423
CSeq: 2130706432 INVITE
Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKkdjuw2395
Contact: <sip:caller@host1.example.net>
Content-Type: application/sdp
Content-Length: 159

${rfcSdp('192.0.2.1', '192.0.2.1', '3149328700 0')}`),
    udp: badRequest,
    tcp: badRequest,
  },
  {
    name: 'lwsstart',
    section: '3.1.2.9',
    title: 'Multiple SP Separating Request-Line Elements',
    why: '"It is acceptable to reject this request as malformed" (drachtio-srf cannot parse it)',
    bytes: crlf(String.raw`INVITE  sip:user@example.com  SIP/2.0
Max-Forwards: 8
To: sip:user@example.com
From: sip:caller@example.net;tag=8814
Call-ID: lwsstart.dfknq234oi243099adsdfnawe3@example.com
CSeq: 1893884 INVITE
Via: SIP/2.0/UDP host1.example.com;branch=z9hG4bKkdjuw3923
Contact: <sip:caller@host1.example.net>
Content-Type: application/sdp
Content-Length: 150

${rfcSdp('192.0.2.1')}`),
    udp: badRequest,
    tcp: badRequest,
  },
  {
    name: 'trws',
    section: '3.1.2.10',
    title: 'SP Characters at End of Request-Line',
    why: '"It is acceptable to reject this request as malformed"',
    bytes: crlf(
      'OPTIONS sip:remote-target@example.com SIP/2.0  \n' +
        String.raw`Via: SIP/2.0/TCP host1.examle.com;branch=z9hG4bK299342093
To: <sip:remote-target@example.com>
From: <sip:local-resource@example.com>;tag=329429089
Call-ID: trws.oicu34958239neffasdhr2345r
Accept: application/sdp
CSeq: 238923 OPTIONS
Max-Forwards: 70
Content-Length: 0

`,
    ),
    udp: badRequest,
    tcp: badRequest,
  },
];
