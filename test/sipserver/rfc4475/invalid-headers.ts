// RFC 4475 §3.1.2.11–§3.1.2.19, invalid messages: URIs, header values, versions, methods and
// status codes. A request gets the error the RFC names; a response is dropped.
import { crlf, rfcSdp, type TortureVector } from './torture-vector';

const badRequest = { status: 400 } as const;

export const INVALID_HEADERS: TortureVector[] = [
  {
    name: 'escruri',
    section: '3.1.2.11',
    title: 'Escaped Headers in SIP Request-URI',
    why: '"It is acceptable for an element to reject this request with a 400 Bad Request"',
    bytes: crlf(String.raw`INVITE sip:user@example.com?Route=%3Csip:example.com%3E SIP/2.0
To: sip:user@example.com
From: sip:caller@example.net;tag=341518
Max-Forwards: 7
Contact: <sip:caller@host39923.example.net>
Call-ID: escruri.23940-asdfhj-aje3br-234q098w-fawerh2q-h4n5
CSeq: 149209342 INVITE
Via: SIP/2.0/UDP host-of-the-hour.example.com;branch=z9hG4bKkdjuw
Content-Type: application/sdp
Content-Length: 150

${rfcSdp('192.0.2.1')}`),
    udp: badRequest,
    tcp: badRequest,
  },
  {
    name: 'baddate',
    section: '3.1.2.12',
    title: 'Invalid Time Zone in Date Header Field',
    why: 'an element "shouldn\'t [reject] unless the contents of the Date header field were actually important": Date is not ours, handed to the app',
    bytes: crlf(String.raw`INVITE sip:user@example.com SIP/2.0
To: sip:user@example.com
From: sip:caller@example.net;tag=2234923
Max-Forwards: 70
Call-ID: baddate.239423mnsadf3j23lj42--sedfnm234
CSeq: 1392934 INVITE
Via: SIP/2.0/UDP host.example.com;branch=z9hG4bKkdjuw
Date: Fri, 01 Jan 2010 16:00:00 EST
Contact: <sip:caller@host5.example.net>
Content-Type: application/sdp
Content-Length: 150

${rfcSdp('192.0.2.5')}`),
    udp: { app: ['INVITE'] },
    tcp: { app: ['INVITE'] },
  },
  {
    name: 'regbadct',
    section: '3.1.2.13',
    title: 'Failure to Enclose name-addr URI in <>',
    why: '"It is reasonable for an element receiving this request to respond with a 400 Bad Request"',
    bytes: crlf(String.raw`REGISTER sip:example.com SIP/2.0
To: sip:user@example.com
From: sip:user@example.com;tag=998332
Max-Forwards: 70
Call-ID: regbadct.k345asrl3fdbv@10.0.0.1
CSeq: 1 REGISTER
Via: SIP/2.0/UDP 135.180.130.133:5060;branch=z9hG4bKkdjuw
Contact: sip:user@example.com?Route=%3Csip:sip.example.com%3E
l: 0

`),
    udp: badRequest,
    tcp: badRequest,
  },
  {
    name: 'badaspec',
    section: '3.1.2.14',
    title: 'Spaces within addr-spec',
    why: '"It is reasonable to reject this request with a 400 Bad Request response"',
    bytes: crlf(String.raw`OPTIONS sip:user@example.org SIP/2.0
Via: SIP/2.0/UDP host4.example.com:5060;branch=z9hG4bKkdju43234
Max-Forwards: 70
From: "Bell, Alexander" <sip:a.g.bell@example.com>;tag=433423
To: "Watson, Thomas" < sip:t.watson@example.org >
Call-ID: badaspec.sdf0234n2nds0a099u23h3hnnw009cdkne3
Accept: application/sdp
CSeq: 3923239 OPTIONS
l: 0

`),
    udp: badRequest,
    tcp: badRequest,
  },
  {
    name: 'baddn',
    section: '3.1.2.15',
    title: 'Non-token Characters in Display Name',
    why: '"It is reasonable always to reject this kind of error with a 400 Bad Request response"',
    bytes: crlf(String.raw`OPTIONS sip:t.watson@example.org SIP/2.0
Via:     SIP/2.0/UDP c.example.com:5060;branch=z9hG4bKkdjuw
Max-Forwards:      70
From:    Bell, Alexander <sip:a.g.bell@example.com>;tag=43
To:      Watson, Thomas <sip:t.watson@example.org>
Call-ID: baddn.31415@c.example.com
Accept: application/sdp
CSeq:    3923239 OPTIONS
l: 0

`),
    udp: badRequest,
    tcp: badRequest,
  },
  {
    name: 'badvers',
    section: '3.1.2.16',
    title: 'Unknown Protocol Version',
    why: '"The element should respond to the request with a 505 Version Not Supported error"',
    bytes: crlf(String.raw`OPTIONS sip:t.watson@example.org SIP/7.0
Via:     SIP/7.0/UDP c.example.com;branch=z9hG4bKkdjuw
Max-Forwards:     70
From:    A. Bell <sip:a.g.bell@example.com>;tag=qweoiqpe
To:      T. Watson <sip:t.watson@example.org>
Call-ID: badvers.31417@c.example.com
CSeq:    1 OPTIONS
l: 0

`),
    udp: { status: 505 },
    tcp: { status: 505 },
  },
  {
    name: 'mismatch01',
    section: '3.1.2.17',
    title: 'Start Line and CSeq Method Mismatch',
    why: '"Any element receiving this request will respond with a 400 Bad Request"',
    bytes: crlf(String.raw`OPTIONS sip:user@example.com SIP/2.0
To: sip:j.user@example.com
From: sip:caller@example.net;tag=34525
Max-Forwards: 6
Call-ID: mismatch01.dj0234sxdfl3
CSeq: 8 INVITE
Via: SIP/2.0/UDP host.example.com;branch=z9hG4bKkdjuw
l: 0

`),
    udp: badRequest,
    tcp: badRequest,
  },
  {
    name: 'mismatch02',
    section: '3.1.2.18',
    title: 'Unknown Method with CSeq Method Mismatch',
    why: '"should respond with a 501 Not Implemented. A 400 Bad Request is also acceptable"',
    bytes: crlf(String.raw`NEWMETHOD sip:user@example.com SIP/2.0
To: sip:j.user@example.com
From: sip:caller@example.net;tag=34525
Max-Forwards: 6
Call-ID: mismatch02.dj0234sxdfl3
CSeq: 8 INVITE
Contact: <sip:caller@host.example.net>
Via: SIP/2.0/UDP host.example.net;branch=z9hG4bKkdjuw
Content-Type: application/sdp
l: 138

v=0
o=mhandley 29739 7272939 IN IP4 192.0.2.1
c=IN IP4 192.0.2.1
m=audio 49217 RTP/AVP 0 12
m=video 3227 RTP/AVP 31
a=rtpmap:31 LPC
`),
    udp: { status: 501 },
    tcp: { status: 501 },
  },
  {
    name: 'bigcode',
    section: '3.1.2.19',
    title: 'Overlarge Response Code',
    why: '"An element receiving this response should simply drop it"',
    bytes: crlf(String.raw`SIP/2.0 4294967301 better not break the receiver
Via: SIP/2.0/UDP 192.0.2.105;branch=z9hG4bK2398ndaoe
Call-ID: bigcode.asdof3uj203asdnf3429uasdhfas3ehjasdfas9i
CSeq: 353494 INVITE
From: <sip:user@example.com>;tag=39ansfi3
To: <sip:user@example.edu>;tag=902jndnke3
Content-Length: 0
Contact: <sip:user@host105.example.com>

`),
    udp: { dropped: 'invalid' },
    tcp: { dropped: 'invalid', closes: true },
  },
];
