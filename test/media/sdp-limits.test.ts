// Unit tests of the SDP bounds: real-world offers pass, each bad one is refused with a
// short reason naming what is wrong (several of these crash rtpengine 10.5 when let through).
import t from 'tap';
import { SDP_LIMITS, sdpLimitViolation } from '../../media/sdp-limits';

const sdp = (...lines: string[]) => [...lines, ''].join('\r\n');

const HEAD = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0'];
/** A plain offer with `lines` in its audio section. */
const audio = (...lines: string[]) =>
  sdp(...HEAD, 'm=audio 40000 RTP/AVP 0 8 101', 'a=rtpmap:0 PCMU/8000', ...lines, 'a=sendrecv');

const SBC_OFFER = sdp(
  'v=0',
  'o=sbc 8213445511287634567 2353687637 IN IP4 10.1.2.3',
  's=Session',
  'c=IN IP4 10.1.2.3',
  'b=AS:84',
  't=0 0',
  'm=audio 31000 RTP/AVP 8 0 18 101',
  'b=TIAS:64000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:18 G729/8000',
  'a=fmtp:18 annexb=no',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  'a=ptime:20',
  'a=maxptime:40',
  'a=rtcp:31001 IN IP4 10.1.2.3',
  'a=sendrecv',
  'm=image 0 udptl t38',
);

const WEBRTC_OFFER = sdp(
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1',
  'a=extmap-allow-mixed',
  'a=msid-semantic: WMS stream',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126',
  'c=IN IP4 0.0.0.0',
  'a=rtcp:9 IN IP4 0.0.0.0',
  'a=candidate:842163049 1 udp 1677729535 203.0.113.7 50123 typ srflx raddr 192.168.1.20 rport 50123 generation 0 network-cost 999',
  'a=candidate:1 1 tcp 1518280447 192.168.1.20 9 typ host tcptype active',
  'a=ice-ufrag:Ab3d',
  'a=ice-pwd:abcdefghijklmnopqrstuvwx',
  'a=ice-options:trickle',
  'a=fingerprint:sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF',
  'a=setup:actpass',
  'a=mid:0',
  'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
  'a=extmap:14/sendrecv urn:ietf:params:rtp-hdrext:sdes:mid',
  'a=sendrecv',
  'a=msid:stream track',
  'a=rtcp-mux',
  'a=rtpmap:111 opus/48000/2',
  'a=rtcp-fb:111 transport-cc',
  'a=rtcp-fb:* nack',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'a=rtpmap:63 red/48000/2',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:13 CN/8000',
  'a=rtpmap:110 telephone-event/48000',
  'a=rtpmap:126 telephone-event/8000',
  'a=ssrc:3735928559 cname:abcdef',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  'c=IN IP4 0.0.0.0',
  'a=mid:1',
  'a=sctp-port:5000',
);

t.test('real-world offers pass', async (t) => {
  t.equal(sdpLimitViolation(SBC_OFFER), undefined, 'an SBC offer with T.38');
  t.equal(sdpLimitViolation(WEBRTC_OFFER), undefined, 'a browser offer with data channel');
  t.equal(
    sdpLimitViolation(audio('a=rtpmap:8 PCMA/8000', 'a=rtpmap:101 telephone-event/8000')),
    undefined,
  );
  t.equal(sdpLimitViolation(audio('a=rtpmap:96 L16/192000/8')), undefined, 'the upper bounds');
  t.equal(sdpLimitViolation(audio('a=rtpmap:96 X/1000/1')), undefined, 'the lower bounds');
  t.equal(sdpLimitViolation(sdp(...HEAD, 'm=audio 0 RTP/AVP 0')), undefined, 'a refused stream');
  t.equal(sdpLimitViolation(audio('a=rtpmap:8 PCMA/8000 ')), undefined, 'trailing blank');
});

// Each row: what is wrong, the SDP, what the reason must say.
const BAD: [string, string, RegExp][] = [
  [
    'clock rate 2^31 (segfaults rtpengine 10.5 at play media)',
    audio('a=rtpmap:0 PCMU/2147483648'),
    /^rtpmap clock rate 2147483648 out of range \(1000-192000\)$/,
  ],
  [
    'clock rate of 23 digits',
    audio('a=rtpmap:0 PCMU/99999999999999999999999'),
    /malformed rtpmap clock rate/,
  ],
  ['clock rate 2^32', audio('a=rtpmap:0 PCMU/4294967296'), /clock rate 4294967296 out of range/],
  ['clock rate negative', audio('a=rtpmap:0 PCMU/-8000'), /malformed rtpmap clock rate "-8000"/],
  ['clock rate zero', audio('a=rtpmap:0 PCMU/0'), /clock rate 0 out of range/],
  ['clock rate above 192 kHz', audio('a=rtpmap:96 L16/384000'), /clock rate 384000 out of range/],
  ['clock rate missing', audio('a=rtpmap:0 PCMU/'), /malformed rtpmap clock rate ""/],
  ['clock rate in hex', audio('a=rtpmap:0 PCMU/0x1f40'), /malformed rtpmap clock rate/],
  ['clock rate with exponent', audio('a=rtpmap:0 PCMU/8e3'), /malformed rtpmap clock rate/],
  [
    'channels 2^31',
    audio('a=rtpmap:111 opus/48000/2147483648'),
    /channel count 2147483648 out of range \(1-8\)/,
  ],
  ['channels zero', audio('a=rtpmap:0 PCMU/8000/0'), /channel count 0 out of range/],
  ['channels nine', audio('a=rtpmap:0 PCMU/8000/9'), /channel count 9 out of range/],
  ['rtpmap without rate', audio('a=rtpmap:0 PCMU'), /malformed rtpmap/],
  [
    'rtpmap payload type 128',
    audio('a=rtpmap:128 PCMU/8000'),
    /payload type 128 out of range \(0-127\)/,
  ],
  [
    'm= payload type 200',
    sdp(...HEAD, 'm=audio 40000 RTP/AVP 0 200'),
    /payload type 200 out of range/,
  ],
  [
    'm= payload type not a number',
    sdp(...HEAD, 'm=audio 40000 RTP/AVP PCMU'),
    /malformed payload type "PCMU"/,
  ],
  [
    'm= port 70000',
    sdp(...HEAD, 'm=audio 70000 RTP/AVP 0'),
    /m= port 70000 out of range \(0-65535\)/,
  ],
  ['m= port negative', sdp(...HEAD, 'm=audio -1 RTP/AVP 0'), /malformed m= port "-1"/],
  ['m= port count 0', sdp(...HEAD, 'm=audio 40000/0 RTP/AVP 0'), /m= port count 0 out of range/],
  ['m= without formats', sdp(...HEAD, 'm=audio 40000 RTP/AVP'), /m= line without formats/],
  ['fmtp payload type 300', audio('a=fmtp:300 0-15'), /payload type 300 out of range/],
  ['rtcp-fb payload type junk', audio('a=rtcp-fb:x nack'), /malformed payload type "x"/],
  ['ptime 0', audio('a=ptime:0'), /ptime 0 out of range \(1-1000\)/],
  ['ptime 2^31', audio('a=ptime:2147483648'), /ptime 2147483648 out of range/],
  ['maxptime negative', audio('a=maxptime:-20'), /malformed maxptime "-20"/],
  ['rtcp port 2^32 + 1', audio('a=rtcp:4294967297'), /a=rtcp port 4294967297 out of range/],
  ['ssrc 2^32', audio('a=ssrc:4294967296 cname:x'), /ssrc 4294967296 out of range/],
  [
    'candidate port 99999',
    audio('a=candidate:1 1 udp 2130706431 10.0.0.1 99999 typ host'),
    /candidate port 99999 out of range/,
  ],
  [
    'candidate priority 2^32',
    audio('a=candidate:1 1 udp 4294967296 10.0.0.1 5000 typ host'),
    /candidate priority 4294967296 out of range/,
  ],
  ['candidate truncated', audio('a=candidate:1 1 udp'), /malformed ICE candidate/],
  ['extmap id 0', audio('a=extmap:0 urn:x'), /extmap id 0 out of range/],
  [
    'bandwidth 2^32',
    sdp(...HEAD.slice(0, 4), 'b=AS:4294967296', 't=0 0', 'm=audio 1 RTP/AVP 0'),
    /b= bandwidth/,
  ],
  ['bandwidth without type', sdp(...HEAD, 'b=64', 'm=audio 1 RTP/AVP 0'), /malformed b= line/],
  [
    'origin version not a number',
    sdp('v=0', 'o=- 1 v2 IN IP4 1.2.3.4', 's=-', 't=0 0'),
    /malformed o= session version "v2"/,
  ],
  [
    'origin id beyond 64 bits',
    sdp('v=0', 'o=- 18446744073709551616 1 IN IP4 1.2.3.4', 's=-'),
    /o= session id .* out of range/,
  ],
  ['origin truncated', sdp('v=0', 'o=- 1 1', 's=-'), /malformed o= line/],
  ['connection not IN', sdp('v=0', 'c=XX IP4 1.2.3.4'), /malformed c= line/],
  ['connection IP5', sdp('v=0', 'c=IN IP5 1.2.3.4'), /malformed c= line/],
  ['connection TTL 256', sdp('v=0', 'c=IN IP4 224.2.1.1/256'), /c= TTL 256 out of range/],
  ['time not a number', sdp('v=0', 't=now 0'), /malformed t= time "now"/],
  ['NUL byte', audio('a=label:x\u0000y'), /control character 0x0 in SDP/],
];

t.test('bad SDPs are refused with a reason', async (t) => {
  for (const [what, body, reason] of BAD) {
    const got = sdpLimitViolation(body);
    t.match(got, reason, what);
    t.ok(
      got !== undefined && got.length <= 80 && /^[\x20-\x7e]+$/.test(got),
      `${what}: short ASCII`,
    );
  }
});

t.test('sizes are bounded', async (t) => {
  const long = `a=label:${'x'.repeat(992)}`;
  t.equal(sdpLimitViolation(audio(long)), undefined, `a line of ${long.length} characters passes`);
  t.match(sdpLimitViolation(audio(`a=label:${'x'.repeat(1100)}`)), /line longer than 1024/);
  const manyAttrs = Array.from({ length: 130 }, (_, i) => `a=x-${i}`);
  t.match(sdpLimitViolation(audio(...manyAttrs)), /more than 128 attributes in a section/);
  t.equal(sdpLimitViolation(audio(...manyAttrs.slice(0, 100))), undefined, '100 attributes pass');
  const manyMedia = Array.from({ length: 9 }, () => 'm=audio 0 RTP/AVP 0');
  t.match(sdpLimitViolation(sdp(...HEAD, ...manyMedia)), /more than 8 media sections/);
  const formats = Array.from({ length: 65 }, (_, i) => String(i)).join(' ');
  t.match(sdpLimitViolation(sdp(...HEAD, `m=audio 1 RTP/AVP ${formats}`)), /more than 64 formats/);
  const lines = Array.from({ length: 1001 }, () => 'a=x');
  t.match(sdpLimitViolation(sdp(...lines)), /1001 lines, more than 1000/);
  const huge = audio(...Array.from({ length: 40 }, () => `a=x:${'y'.repeat(500)}`));
  t.match(sdpLimitViolation(huge), /SDP body of \d+ bytes exceeds 16384/);
  t.equal(SDP_LIMITS.maxBytes, 16384);
});

t.test('limits can be tightened by the caller', async (t) => {
  const tight = { ...SDP_LIMITS, clockRate: { min: 8000, max: 48000 } };
  t.match(sdpLimitViolation(audio('a=rtpmap:96 L16/96000'), tight), /out of range \(8000-48000\)/);
  t.equal(sdpLimitViolation(audio('a=rtpmap:96 L16/96000')), undefined);
});
