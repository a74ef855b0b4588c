// RFC 4475 §3.1.1, "Valid Messages": every element must parse these; a UAS answers them.
import { crlf, rfcSdp, type TortureVector } from './torture-vector';

const r = (n: number, s: string) => s.repeat(n);

// §3.1.1.7 writes its long values as <repeat count=N>…</repeat>.
const longreq = String.raw`INVITE sip:user@example.com SIP/2.0
To: "I have a user name of ${r(10, 'extreme')} proportion"<sip:user@example.com:6000;unknownparam1=very${r(20, 'long')}value;longparam${r(25, 'name')}=shortvalue;very${r(25, 'long')}ParameterNameWithNoValue>
F: sip:${r(5, 'amazinglylongcallername')}@example.net;tag=12${r(50, '982')}424;unknownheaderparam${r(20, 'name')}=unknowheaderparam${r(15, 'value')};unknownValueless${r(10, 'paramname')}
Call-ID: longreq.one${r(20, 'really')}longcallid
CSeq: 3882340 INVITE
Unknown-${r(20, 'Long')}-Name: unknown-${r(20, 'long')}-value; unknown-${r(20, 'long')}-parameter-name = unknown-${r(20, 'long')}-parameter-value
Via: SIP/2.0/TCP sip33.example.com
v: SIP/2.0/TCP sip32.example.com
V: SIP/2.0/TCP sip31.example.com
Via: SIP/2.0/TCP sip30.example.com
ViA: SIP/2.0/TCP sip29.example.com
VIa: SIP/2.0/TCP sip28.example.com
VIA: SIP/2.0/TCP sip27.example.com
via: SIP/2.0/TCP sip26.example.com
viA: SIP/2.0/TCP sip25.example.com
vIa: SIP/2.0/TCP sip24.example.com
vIA: SIP/2.0/TCP sip23.example.com
V :  SIP/2.0/TCP sip22.example.com
v :  SIP/2.0/TCP sip21.example.com
V  : SIP/2.0/TCP sip20.example.com
v  : SIP/2.0/TCP sip19.example.com
Via : SIP/2.0/TCP sip18.example.com
Via  : SIP/2.0/TCP sip17.example.com
${Array.from({ length: 16 }, (_, i) => `Via: SIP/2.0/TCP sip${16 - i}.example.com`).join('\n')}
Via: SIP/2.0/TCP host.example.com;received=192.0.2.5;branch=very${r(50, 'long')}branchvalue
Max-Forwards: 70
Contact: <sip:${r(5, 'amazinglylongcallername')}@host5.example.net>
Content-Type: application/sdp
l: 150

${rfcSdp('192.0.2.1')}`;

// §3.1.1.11's second body part is binary (a PKCS #7 signature), given in <hex> there.
const pkcs7 = Buffer.from(
  'MIIBUgYJKoZIhvcNAQcCoIIBQzCCAT8CAQExCTAHBgUrDgMCGjALBgkqhkiG9w0BBwExggEgMIIB' +
    'HAIBATB8MHAxCzAJBgNVBAYTAlVTMRMwEQYDVQQIEwpDYWxpZm9ybmlhMREwDwYDVQQHEwhTYW4g' +
    'Sm9zZTEOMAwGA1UEChMFc2lwaXQxKTAnBgNVBAsTIFNpcGl0IFRlc3QgQ2VydGlmaWNhdGUgQXV0' +
    'aG9yaXR5AggBlQBxAjMBEzAHBgUrDgMCGjANBgkqhkiG9w0BAQEFAASBgI70ZvlI8FIt0uWXjp2V' +
    'quny/hWgZllxYpLo2iqo2DUKaM7/rjy9K/8Wdd3VZI5ZPdZHKPJiIPfpQXSeMw2aFe2r25PRDEIQ' +
    'LntyidKcwMmuLvvHwM/5Fy87An5PwCfhVG3ktqo6uz5mzMtd1sZLg4MUnLjm/xgtlE/le2W8mdAF',
  'base64',
);
const mpart01 = Buffer.concat([
  crlf(String.raw`MESSAGE sip:kumiko@example.org SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-d87543-4dade06d0bdb11ee-1--d87543-;rport
Max-Forwards: 70
Route: <sip:127.0.0.1:5080>
Identity: r5mwreLuyDRYBi/0TiPwEsY3rEVsk/G2WxhgTV1PF7hHuLIK0YWVKZhKv9Mj8UeXqkMVbnVq37CD+813gvYjcBUaZngQmXc9WNZSDNGCzA+fWl9MEUHWIZo1CeJebdY/XlgKeTa0Olvq0rt70Q5jiSfbqMJmQFteeivUhkMWYUA=
Contact: <sip:fluffy@127.0.0.1:5070>
To: <sip:kumiko@example.org>
From: <sip:fluffy@example.com>;tag=2fb0dcc9
Call-ID: 3d9485ad0c49859b@Zmx1ZmZ5LW1hYy0xNi5sb2NhbA..
CSeq: 1 MESSAGE
Content-Transfer-Encoding: binary
Content-Type: multipart/mixed;boundary=7a9cbec02ceef655
Date: Sat, 15 Oct 2005 04:44:56 GMT
User-Agent: SIPimp.org/0.2.5 (curses)
Content-Length: 553

--7a9cbec02ceef655
Content-Type: text/plain
Content-Transfer-Encoding: binary

Hello
--7a9cbec02ceef655
Content-Type: application/octet-stream
Content-Transfer-Encoding: binary

`),
  pkcs7,
  crlf('\n--7a9cbec02ceef655--\n'),
]);

export const VALID: TortureVector[] = [
  {
    name: 'wsinv',
    section: '3.1.1.1',
    title: 'A Short Tortuous INVITE',
    why: 'well formed (folding, LWS, compact forms); its To tag names a dialog we do not have: 481 (§12.2.2 of RFC 3261)',
    bytes: crlf(String.raw`INVITE sip:vivekg@chair-dnrc.example.com;unknownparam SIP/2.0
TO :
 sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n
from   : "J Rosenberg \\\""       <sip:jdrosen@example.com>
  ;
  tag = 98asjd8
MaX-fOrWaRdS: 0068
Call-ID: wsinv.ndaksdj@192.0.2.1
Content-Length   : 150
cseq: 0009
  INVITE
Via  : SIP  /   2.0
 /UDP
    192.0.2.2;branch=390skdjuw
s :
NewFangledHeader:   newfangled value
 continued newfangled value
UnknownHeaderWithUnusualValue: ;;,,;;,;
Content-Type: application/sdp
Route:
 <sip:services.example.com;lr;unknownwith=value;unknown-no-value>
v:  SIP  / 2.0  / TCP     spindle.example.com   ;
  branch  =   z9hG4bK9ikj8  ,
 SIP  /    2.0   / UDP  192.168.255.111   ; branch=
 z9hG4bK30239
m:"Quoted string \"\"" <sip:jdrosen@example.com> ; newparam =
      newvalue ;
  secondparam ; q = 0.33

${rfcSdp('192.0.2.3', '192.0.2.4')}`),
    udp: { status: 481 },
    tcp: { status: 481 },
  },
  {
    name: 'intmeth',
    section: '3.1.1.2',
    title: 'Wide Range of Valid Characters',
    why: '"Endpoints will generate a 501 listing the methods they understand in an Allow header field"',
    bytes: crlf(
      [
        "!interesting-Method0123456789_*+`.%indeed'~ sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com SIP/2.0",
        "Via: SIP/2.0/TCP host1.example.com;branch=z9hG4bK-.!%66*_+`'~",
        'To: "BEL:\\\x07 NUL:\\\x00 DEL:\\\x7f" <sip:1_unusual.URI~(to-be!sure)&isn\'t+it$/crazy?,/;;*@example.com>',
        "From: token1~` token2'+_ token3*%!.- <sip:mundane@example.com>;fromParam''~+*_!.-%=\"работающий\";tag=_token~1'+`*%!-.",
        'Call-ID: intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{',
        "CSeq: 139122385 !interesting-Method0123456789_*+`.%indeed'~",
        'Max-Forwards: 255',
        "extensionHeader-!.%*+_`'~:\ufeff大停電",
        'Content-Length: 0',
        '',
        '',
      ].join('\n'),
    ),
    udp: { status: 501 },
    tcp: { status: 501 },
  },
  {
    name: 'esc01',
    section: '3.1.1.3',
    title: 'Valid Use of the % Escaping Mechanism',
    why: 'a well-formed INVITE: handed to the app',
    bytes: crlf(String.raw`INVITE sip:sips%3Auser%40example.com@example.net SIP/2.0
To: sip:%75se%72@example.com
From: <sip:I%20have%20spaces@example.net>;tag=938
Max-Forwards: 87
i: esc01.239409asdfakjkn23onasd0-3234
CSeq: 234234 INVITE
Via: SIP/2.0/UDP host5.example.net;branch=z9hG4bKkdjuw
C: application/sdp
Contact:
  <sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31>
Content-Length: 150

${rfcSdp('192.0.2.1')}`),
    udp: { app: ['INVITE'] },
    tcp: { app: ['INVITE'] },
  },
  {
    name: 'escnull',
    section: '3.1.1.4',
    title: 'Escaped Nulls in URIs',
    why: 'a well-formed REGISTER: handed to the app',
    bytes: crlf(String.raw`REGISTER sip:example.com SIP/2.0
To: sip:null-%00-null@example.com
From: sip:null-%00-null@example.com;tag=839923423
Max-Forwards: 70
Call-ID: escnull.39203ndfvkjdasfkq3w4otrq0adsfdfnavd
CSeq: 14398234 REGISTER
Via: SIP/2.0/UDP host5.example.com;branch=z9hG4bKkdjuw
Contact: <sip:%00@host5.example.com>
Contact: <sip:%00%00@host5.example.com>
L:0

`),
    udp: { app: ['REGISTER'] },
    tcp: { app: ['REGISTER'] },
  },
  {
    name: 'esc02',
    section: '3.1.1.5',
    title: 'Use of % When It Is Not an Escape',
    why: '"The request method is unknown. It is NOT equivalent to REGISTER": 501 (RFC 3261 §21.5.2)',
    bytes: crlf(String.raw`RE%47IST%45R sip:registrar.example.com SIP/2.0
To: "%Z%45" <sip:resource@example.com>
From: "%Z%45" <sip:resource@example.com>;tag=f232jadfj23
Call-ID: esc02.asdfnqwo34rq23i34jrjasdcnl23nrlknsdf
Via: SIP/2.0/TCP host.example.com;branch=z9hG4bK209%fzsnel234
CSeq: 29344 RE%47IST%45R
Max-Forwards: 70
Contact: <sip:alias1@host1.example.com>
C%6Fntact: <sip:alias2@host2.example.com>
Contact: <sip:alias3@host3.example.com>
l: 0

`),
    udp: { status: 501 },
    tcp: { status: 501 },
  },
  {
    name: 'lwsdisp',
    section: '3.1.1.6',
    title: 'Message with No LWS between Display Name and <',
    why: 'a well-formed OPTIONS: handed to the app',
    bytes: crlf(String.raw`OPTIONS sip:user@example.com SIP/2.0
To: sip:user@example.com
From: caller<sip:caller@example.com>;tag=323
Max-Forwards: 70
Call-ID: lwsdisp.1234abcd@funky.example.com
CSeq: 60 OPTIONS
Via: SIP/2.0/UDP funky.example.com;branch=z9hG4bKkdjuw
l: 0

`),
    udp: { app: ['OPTIONS'] },
    tcp: { app: ['OPTIONS'] },
  },
  {
    name: 'longreq',
    section: '3.1.1.7',
    title: 'Long Values in Header Fields',
    why: 'a well-formed INVITE with long values and 34 Vias: handed to the app',
    bytes: crlf(longreq),
    udp: { app: ['INVITE'] },
    tcp: { app: ['INVITE'] },
  },
  {
    name: 'dblreq',
    section: '3.1.1.8',
    title: 'Extra Trailing Octets in a UDP Datagram',
    why: 'the REGISTER is handled, the INVITE-looking octets after it ignored (RFC 3261 §18.3); on a stream they are the next message',
    bytes: crlf(String.raw`REGISTER sip:example.com SIP/2.0
To: sip:j.user@example.com
From: sip:j.user@example.com;tag=43251j3j324
Max-Forwards: 8
I: dblreq.0ha0isndaksdj99sdfafnl3lk233412
Contact: sip:j.user@host.example.com
CSeq: 8 REGISTER
Via: SIP/2.0/UDP 192.0.2.125;branch=z9hG4bKkdjuw23492
Content-Length: 0


INVITE sip:joe@example.com SIP/2.0
t: sip:joe@example.com
From: sip:caller@example.net;tag=141334
Max-Forwards: 8
Call-ID: dblreq.0ha0isnda977644900765@192.0.2.15
CSeq: 8 INVITE
Via: SIP/2.0/UDP 192.0.2.15;branch=z9hG4bKkdjuw380234
Content-Type: application/sdp
Content-Length: 150

${rfcSdp('192.0.2.15').replace('m=video', 'm =video')}`),
    udp: { app: ['REGISTER'] },
    tcp: { app: ['REGISTER', 'INVITE'] },
  },
  {
    name: 'semiuri',
    section: '3.1.1.9',
    title: 'Semicolon-Separated Parameters in URI User Part',
    why: 'a well-formed OPTIONS: handed to the app',
    bytes: crlf(String.raw`OPTIONS sip:user;par=u%40example.net@example.com SIP/2.0
To: sip:j_user@example.com
From: sip:caller@example.org;tag=33242
Max-Forwards: 3
Call-ID: semiuri.0ha0isndaksdj
CSeq: 8 OPTIONS
Accept: application/sdp, application/pkcs7-mime,
        multipart/mixed, multipart/signed,
        message/sip, message/sipfrag
Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKkdjuw
l: 0

`),
    udp: { app: ['OPTIONS'] },
    tcp: { app: ['OPTIONS'] },
  },
  {
    name: 'transports',
    section: '3.1.1.10',
    title: 'Varied and Unknown Transport Types',
    why: 'unknown transports in lower Vias are not our business: handed to the app',
    bytes: crlf(String.raw`OPTIONS sip:user@example.com SIP/2.0
To: sip:user@example.com
From: <sip:caller@example.com>;tag=323
Max-Forwards: 70
Call-ID:  transports.kijh4akdnaqjkwendsasfdj
Accept: application/sdp
CSeq: 60 OPTIONS
Via: SIP/2.0/UDP t1.example.com;branch=z9hG4bKkdjuw
Via: SIP/2.0/SCTP t2.example.com;branch=z9hG4bKklasjdhf
Via: SIP/2.0/TLS t3.example.com;branch=z9hG4bK2980unddj
Via: SIP/2.0/UNKNOWN t4.example.com;branch=z9hG4bKasd0f3en
Via: SIP/2.0/TCP t5.example.com;branch=z9hG4bK0a9idfnee
l: 0

`),
    udp: { app: ['OPTIONS'] },
    tcp: { app: ['OPTIONS'] },
  },
  {
    name: 'mpart01',
    section: '3.1.1.11',
    title: 'Multipart MIME Message',
    why: '"Parsers must accept this message as well formed": handed to the app',
    bytes: mpart01,
    udp: { app: ['MESSAGE'] },
    tcp: { app: ['MESSAGE'] },
  },
  {
    name: 'unreason',
    section: '3.1.1.12',
    title: 'Unusual Reason Phrase',
    why: 'a well-formed 200 that answers nothing we sent: parsed, then dropped as stray',
    bytes: crlf(String.raw`SIP/2.0 200 = 2**3 * 5**2 но сто девяносто девять - простое
Via: SIP/2.0/UDP 192.0.2.198;branch=z9hG4bK1324923
Call-ID: unreason.1234ksdfak3j2erwedfsASdf
CSeq: 35 INVITE
From: sip:user@example.com;tag=11141343
To: sip:user@example.edu;tag=2229
Content-Length: 154
Content-Type: application/sdp
Contact: <sip:user@host198.example.com>

${rfcSdp('192.0.2.198')}`),
    udp: { dropped: 'stray' },
    tcp: { dropped: 'stray' },
  },
  {
    name: 'noreason',
    section: '3.1.1.13',
    title: 'Empty Reason Phrase',
    why: 'a well-formed 100 with an empty reason phrase: parsed, then dropped as stray',
    bytes: crlf(
      'SIP/2.0 100 \n' +
        String.raw`Via: SIP/2.0/UDP 192.0.2.105;branch=z9hG4bK2398ndaoe
Call-ID: noreason.asndj203insdf99223ndf
CSeq: 35 INVITE
From: <sip:user@example.com>;tag=39ansfi3
To: <sip:user@example.edu>;tag=902jndnke3
Content-Length: 0
Contact: <sip:user@host105.example.com>

`,
    ),
    udp: { dropped: 'stray' },
    tcp: { dropped: 'stray' },
  },
];
