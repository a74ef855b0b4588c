// RFC 4475 §3.2 (transaction layer), §3.3 (application layer) and §3.4 (backward
// compatibility): well-formed or nearly so, each asking a specific answer of a UAS — ours
// where the stack owns the rule (RFC 3261 §8.2), the app's where only it can judge.
import { crlf, rfcSdp, type TortureVector } from './torture-vector';

const toApp = (method: string) => ({ app: [method] });

export const SEMANTICS: TortureVector[] = [
  {
    name: 'badbranch',
    section: '3.2.1',
    title: 'Missing Transaction Identifier',
    why: 'an element "could fall back to the RFC 2543-style transaction identifier" — we do',
    bytes: crlf(String.raw`OPTIONS sip:user@example.com SIP/2.0
To: sip:user@example.com
From: sip:caller@example.org;tag=33242
Max-Forwards: 3
Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK
Accept: application/sdp
Call-ID: badbranch.sadonfo23i420jv0as0derf3j3n
CSeq: 8 OPTIONS
l: 0

`),
    udp: toApp('OPTIONS'),
    tcp: toApp('OPTIONS'),
  },
  {
    name: 'insuf',
    section: '3.3.1',
    title: 'Missing Required Header Fields',
    why: 'no Call-ID, From or To: "Ideally, it will respond with a 400 Bad Request error"',
    bytes: crlf(String.raw`INVITE sip:user@example.com SIP/2.0
CSeq: 193942 INVITE
Via: SIP/2.0/UDP 192.0.2.95;branch=z9hG4bKkdj.insuf
Content-Type: application/sdp
l: 152

${rfcSdp('192.0.2.95')}`),
    udp: { status: 400 },
    tcp: { status: 400 },
  },
  {
    name: 'unkscm',
    section: '3.3.2',
    title: 'Request-URI with Unknown Scheme',
    why: '"An element receiving this request will reject it with a 416 Unsupported URI Scheme response"',
    bytes: crlf(String.raw`OPTIONS nobodyKnowsThisScheme:totallyopaquecontent SIP/2.0
To: sip:user@example.com
From: sip:caller@example.net;tag=384
Max-Forwards: 3
Call-ID: unkscm.nasdfasser0q239nwsdfasdkl34
CSeq: 3923423 OPTIONS
Via: SIP/2.0/TCP host9.example.com;branch=z9hG4bKkdjuw39234
Content-Length: 0

`),
    udp: { status: 416 },
    tcp: { status: 416 },
  },
  {
    name: 'novelsc',
    section: '3.3.3',
    title: 'Request-URI with Known but Atypical Scheme',
    why: '"If an element will never accept this scheme as meaningful in a Request-URI, it is appropriate to treat it as unknown and return a 416"',
    bytes: crlf(String.raw`OPTIONS soap.beep://192.0.2.103:3002 SIP/2.0
To: sip:user@example.com
From: sip:caller@example.net;tag=384
Max-Forwards: 3
Call-ID: novelsc.asdfasser0q239nwsdfasdkl34
CSeq: 3923423 OPTIONS
Via: SIP/2.0/TCP host9.example.com;branch=z9hG4bKkdjuw39234
Content-Length: 0

`),
    udp: { status: 416 },
    tcp: { status: 416 },
  },
  {
    name: 'unksm2',
    section: '3.3.4',
    title: 'Unknown URI Schemes in Header Fields',
    why: '"The message is syntactically valid"; only a registrar (the app) can reject its AOR',
    bytes: crlf(String.raw`REGISTER sip:example.com SIP/2.0
To: isbn:2983792873
From: <http://www.example.com>;tag=3234233
Call-ID: unksm2.daksdj@hyphenated-host.example.com
CSeq: 234902 REGISTER
Max-Forwards: 70
Via: SIP/2.0/UDP 192.0.2.21:5060;branch=z9hG4bKkdjuw
Contact: <name:John_Smith>
l: 0

`),
    udp: toApp('REGISTER'),
    tcp: toApp('REGISTER'),
  },
  {
    name: 'bext01',
    section: '3.3.5',
    title: 'Proxy-Require and Require',
    why: '"Any element receiving this request will reject it with a 420 Bad Extension response, containing an Unsupported header field"',
    bytes: crlf(String.raw`OPTIONS sip:user@example.com SIP/2.0
To: sip:j_user@example.com
From: sip:caller@example.net;tag=242etr
Max-Forwards: 6
Call-ID: bext01.0ha0isndaksdj
Require: nothingSupportsThis, nothingSupportsThisEither
Proxy-Require: noProxiesSupportThis, norDoAnyProxiesSupportThis
CSeq: 8 OPTIONS
Via: SIP/2.0/TLS fold-and-staple.example.com;branch=z9hG4bKkdjuw
Content-Length: 0

`),
    udp: { status: 420 },
    tcp: { status: 420 },
  },
  {
    name: 'invut',
    section: '3.3.6',
    title: 'Unknown Content-Type',
    why: '"It is syntactically valid"; whether the body type is acceptable (415) is the app\'s call',
    bytes: crlf(String.raw`INVITE sip:user@example.com SIP/2.0
Contact: <sip:caller@host5.example.net>
To: sip:j.user@example.com
From: sip:caller@example.net;tag=8392034
Max-Forwards: 70
Call-ID: invut.0ha0isndaksdjadsfij34n23d
CSeq: 235448 INVITE
Via: SIP/2.0/UDP somehost.example.com;branch=z9hG4bKkdjuw
Content-Type: application/unknownformat
Content-Length: 40

<audio>
 <pcmu port="443"/>
</audio>
`),
    udp: toApp('INVITE'),
    tcp: toApp('INVITE'),
  },
  {
    name: 'regaut01',
    section: '3.3.7',
    title: 'Unknown Authorization Scheme',
    why: '"The request is well-formed"; challenging it (401) is the registrar\'s business',
    bytes: crlf(String.raw`REGISTER sip:example.com SIP/2.0
To: sip:j.user@example.com
From: sip:j.user@example.com;tag=87321hj23128
Max-Forwards: 8
Call-ID: regaut01.0ha0isndaksdj
CSeq: 9338 REGISTER
Via: SIP/2.0/TCP 192.0.2.253;branch=z9hG4bKkdjuw
Authorization: NoOneKnowsThisScheme opaque-data=here
Content-Length:0

`),
    udp: toApp('REGISTER'),
    tcp: toApp('REGISTER'),
  },
  {
    name: 'multi01',
    section: '3.3.8',
    title: 'Multiple Values in Single Value Required Fields',
    why: '"An element receiving this request would respond with a 400 Bad Request error"',
    bytes: crlf(String.raw`INVITE sip:user@company.com SIP/2.0
Contact: <sip:caller@host25.example.net>
Via: SIP/2.0/UDP 192.0.2.25;branch=z9hG4bKkdjuw
Max-Forwards: 70
CSeq: 5 INVITE
Call-ID: multi01.98asdh@192.0.2.1
CSeq: 59 INVITE
Call-ID: multi01.98asdh@192.0.2.2
From: sip:caller@example.com;tag=3413415
To: sip:user@example.com
To: sip:other@example.net
From: sip:caller@example.net;tag=2923420123
Content-Type: application/sdp
l: 154
Contact: <sip:caller@host36.example.net>
Max-Forwards: 5

${rfcSdp('192.0.2.25')}
`),
    udp: { status: 400 },
    tcp: { status: 400 },
  },
  {
    name: 'mcl01',
    section: '3.3.9',
    title: 'Multiple Content-Length Values',
    why: '"should respond with an error"; over TCP "the framing error is not recoverable, and the connection should be closed"',
    bytes: crlf(String.raw`OPTIONS sip:user@example.com SIP/2.0
Via: SIP/2.0/UDP host5.example.net;branch=z9hG4bK293423
To: sip:user@example.com
From: sip:other@example.net;tag=3923942
Call-ID: mcl01.fhn2323orihawfdoa3o4r52o3irsdf
CSeq: 15932 OPTIONS
Content-Length: 13
Max-Forwards: 60
Content-Length: 5
Content-Type: text/plain

There's no way to know how many octets are supposed to be here.
`),
    udp: { status: 400 },
    tcp: { status: 400, closes: true },
  },
  {
    name: 'bcast',
    section: '3.3.10',
    title: '200 OK Response with Broadcast Via Header Field Value',
    why: '"an endpoint receiving this message should simply discard it"',
    bytes: crlf(String.raw`SIP/2.0 200 OK
Via: SIP/2.0/UDP 192.0.2.198;branch=z9hG4bK1324923
Via: SIP/2.0/UDP 255.255.255.255;branch=z9hG4bK1saber23
Call-ID: bcast.0384840201234ksdfak3j2erwedfsASdf
CSeq: 35 INVITE
From: sip:user@example.com;tag=11141343
To: sip:user@example.edu;tag=2229
Content-Length: 154
Content-Type: application/sdp
Contact: <sip:user@host28.example.com>

${rfcSdp('192.0.2.198')}`),
    udp: { dropped: 'stray' },
    tcp: { dropped: 'stray' },
  },
  {
    name: 'zeromf',
    section: '3.3.11',
    title: 'Max-Forwards of Zero',
    why: '"An endpoint should process the request as if the Max-Forwards field value were still positive"',
    bytes: crlf(String.raw`OPTIONS sip:user@example.com SIP/2.0
To: sip:user@example.com
From: sip:caller@example.net;tag=3ghsd41
Call-ID: zeromf.jfasdlfnm2o2l43r5u0asdfas
CSeq: 39234321 OPTIONS
Via: SIP/2.0/UDP host1.example.com;branch=z9hG4bKkdjuw2349i
Max-Forwards: 0
Content-Length: 0

`),
    udp: toApp('OPTIONS'),
    tcp: toApp('OPTIONS'),
  },
  {
    name: 'cparam01',
    section: '3.3.12',
    title: 'REGISTER with a Contact Header Parameter',
    why: '"This REGISTER should succeed": handed to the app (the registrar)',
    bytes: crlf(String.raw`REGISTER sip:example.com SIP/2.0
Via: SIP/2.0/UDP saturn.example.com:5060;branch=z9hG4bKkdjuw
Max-Forwards: 70
From: sip:watson@example.com;tag=DkfVgjkrtMwaerKKpe
To: sip:watson@example.com
Call-ID: cparam01.70710@saturn.example.com
CSeq: 2 REGISTER
Contact: sip:+19725552222@gw1.example.net;unknownparam
l: 0

`),
    udp: toApp('REGISTER'),
    tcp: toApp('REGISTER'),
  },
  {
    name: 'cparam02',
    section: '3.3.13',
    title: 'REGISTER with a url-parameter',
    why: '"The register should succeed": handed to the app (the registrar)',
    bytes: crlf(String.raw`REGISTER sip:example.com SIP/2.0
Via: SIP/2.0/UDP saturn.example.com:5060;branch=z9hG4bKkdjuw
Max-Forwards: 70
From: sip:watson@example.com;tag=838293
To: sip:watson@example.com
Call-ID: cparam02.70710@saturn.example.com
CSeq: 3 REGISTER
Contact: <sip:+19725552222@gw1.example.net;unknownparam>
l: 0

`),
    udp: toApp('REGISTER'),
    tcp: toApp('REGISTER'),
  },
  {
    name: 'regescrt',
    section: '3.3.14',
    title: 'REGISTER with a URL Escaped Header',
    why: '"The register should succeed": handed to the app (the registrar)',
    bytes: crlf(String.raw`REGISTER sip:example.com SIP/2.0
To: sip:user@example.com
From: sip:user@example.com;tag=8
Max-Forwards: 70
Call-ID: regescrt.k345asrl3fdbv@192.0.2.1
CSeq: 14398234 REGISTER
Via: SIP/2.0/UDP host5.example.com;branch=z9hG4bKkdjuw
M: <sip:user@example.com?Route=%3Csip:sip.example.com%3E>
L:0

`),
    udp: toApp('REGISTER'),
    tcp: toApp('REGISTER'),
  },
  {
    name: 'sdp01',
    section: '3.3.15',
    title: 'Unacceptable Accept Offering',
    why: "what answer body the Accept allows (406/415) is the app's call",
    bytes: crlf(String.raw`INVITE sip:user@example.com SIP/2.0
To: sip:j_user@example.com
Contact: <sip:caller@host15.example.net>
From: sip:caller@example.net;tag=234
Max-Forwards: 5
Call-ID: sdp01.ndaksdj9342dasdd
Accept: text/nobodyKnowsThis
CSeq: 8 INVITE
Via: SIP/2.0/UDP 192.0.2.15;branch=z9hG4bKkdjuw
Content-Length: 150
Content-Type: application/sdp

${rfcSdp('192.0.2.5')}`),
    udp: toApp('INVITE'),
    tcp: toApp('INVITE'),
  },
  {
    name: 'inv2543',
    section: '3.4.1',
    title: 'INVITE with RFC 2543 Syntax',
    why: '"should be accepted by RFC 3261 elements that want to maintain backwards compatibility" (the body is the rest of the datagram); a stream without Content-Length cannot be framed (RFC 3261 §18.3)',
    bytes: crlf(String.raw`INVITE sip:UserB@example.com SIP/2.0
Via: SIP/2.0/UDP iftgw.example.com
From: <sip:+13035551111@ift.client.example.net;user=phone>
Record-Route: <sip:UserB@example.com;maddr=ss1.example.com>
To: sip:+16505552222@ss1.example.net;user=phone
Call-ID: inv2543.1717@ift.client.example.com
CSeq: 56 INVITE
Content-Type: application/sdp

v=0
o=mhandley 29739 7272939 IN IP4 192.0.2.5
s=-
c=IN IP4 192.0.2.5
t=0 0
m=audio 49217 RTP/AVP 0
`),
    udp: toApp('INVITE'),
    tcp: { status: 400, closes: true },
  },
];
