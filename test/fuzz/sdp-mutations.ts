// Mutations of an SDP body (RFC 4566 line by line): what reaches rtpengine through the
// gateway when the stack lets a message by. Addresses stay loopback or invalid.
import { NASTY_NUMBERS, SDP_ADDRESSES } from './nasty-values';
import type { Prng } from './prng';

type SdpMutation = (lines: string[], rng: Prng) => void;

const at = (lines: string[], prefix: string) => lines.findIndex((l) => l.startsWith(prefix));
const some = (lines: string[], rng: Prng) => rng.int(Math.max(1, lines.length));

const MUTATIONS: Array<[SdpMutation, number]> = [
  [(l, r) => void l.splice(some(l, r), 1), 3], // drop a line (v=, o=, c=, m=...)
  [(l, r) => void l.splice(some(l, r), 0, l[some(l, r)] ?? 'x=y'), 2], // duplicate one
  [(l, r) => setLine(l, 'c=', `c=${r.pick(SDP_ADDRESSES)}`), 3],
  [(l, r) => setPart(l, 'm=', 1, r.pick([...NASTY_NUMBERS, '40000/2', '0', '1'])), 3],
  [
    (l, r) =>
      setPart(
        l,
        'm=',
        2,
        r.pick(['RTP/SAVP', 'RTP/SAVPF', 'UDP/TLS/RTP/SAVPF', 'TCP/RTP/AVP', 'udptl', 'RTP/XYZ']),
      ),
    2,
  ],
  [
    (l, r) => setPart(l, 'm=', 0, `m=${r.pick(['video', 'image', 'application', 'text', 'zz'])}`),
    2,
  ],
  [(l, r) => setFormats(l, r), 3],
  [(l, r) => l.splice(some(l, r), 0, ...Array.from({ length: r.range(2, 60) }, () => mLine(r))), 1],
  [(l, r) => l.splice(some(l, r), 0, r.pick(ATTRIBUTES)), 5],
  [(l, r) => l.splice(some(l, r), 0, `a=x-fuzz:${'z'.repeat(r.range(100, 20000))}`), 1],
  [
    (l, r) =>
      setLine(l, 'o=', r.pick(['o=', 'o=- 1', 'o=- x y IN IP4 127.0.0.1', 'o=a b c d e f g'])),
    1,
  ],
  [(l, r) => setLine(l, 't=', r.pick(['t=', 't=x', 't=-1 -1', 't=0 0 0'])), 1],
  [(l, r) => setLine(l, 'v=', r.pick(['v=1', 'v=', 'V=0', 'v=0 '])), 1],
  [
    (l, r) => l.splice(some(l, r), 0, r.pick(['b=AS:-1', 'b=TIAS:99999999999', 'zzz', '=', ' '])),
    1,
  ],
];

const ATTRIBUTES = [
  'a=rtpmap:0',
  'a=rtpmap:abc PCMU/0',
  'a=rtpmap:96 opus/48000/2',
  'a=rtpmap:101 telephone-event/0',
  'a=rtpmap:127 x/-1',
  'a=fmtp:96 ' + 'maxplaybackrate=0;'.repeat(50),
  'a=sendonly',
  'a=recvonly',
  'a=inactive',
  'a=sendrecv',
  'a=ptime:0',
  'a=ptime:-1',
  'a=ptime:99999999',
  'a=maxptime:0',
  'a=rtcp:0',
  'a=rtcp:65536 IN IP4 127.0.0.1',
  'a=rtcp-mux',
  'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:',
  'a=crypto:x y z',
  'a=fingerprint:sha-256 ZZ',
  'a=setup:actpass',
  'a=setup:bogus',
  'a=ice-ufrag:',
  'a=ice-pwd:x',
  'a=candidate:1 1 UDP 2130706431 127.0.0.1 40000 typ host',
  'a=candidate:1 1 UDP -1 127.0.0.1 99999 typ relay',
  'a=candidate:',
  'a=mid:',
  'a=group:BUNDLE 0 1 2',
  'a=ssrc:4294967296 cname:x',
  'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
  'a=',
  'a=:',
];

export function mutateSdp(body: Buffer, rng: Prng): Buffer {
  const text = body.toString('utf8');
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(/\r?\n/).filter((l, i, all) => l || i < all.length - 1);
  for (let n = rng.range(1, 3); n > 0; n--) rng.weighted(MUTATIONS)(lines, rng);
  const out = lines.join(rng.chance(0.1) ? '\n' : eol) + (rng.chance(0.9) ? eol : '');
  if (rng.chance(0.05)) return Buffer.from(out, 'utf16le');
  return Buffer.from(out, 'utf8');
}

function setLine(lines: string[], prefix: string, value: string): void {
  const i = at(lines, prefix);
  if (i >= 0) lines[i] = value;
  else lines.push(value);
}

/** Replaces field `n` (space-separated) of the first line starting with `prefix`. */
function setPart(lines: string[], prefix: string, n: number, value: string): void {
  const i = at(lines, prefix);
  if (i < 0) return;
  const parts = lines[i].split(' ');
  parts[n] = value;
  lines[i] = parts.join(' ');
}

function setFormats(lines: string[], rng: Prng): void {
  const i = at(lines, 'm=');
  if (i < 0) return;
  const head = lines[i].split(' ').slice(0, 3).join(' ');
  const formats = rng.pick([
    '',
    'x',
    '128',
    '-1',
    '0 0 0',
    Array.from({ length: 300 }, (_, k) => String(k % 128)).join(' '),
    '96',
  ]);
  lines[i] = formats ? `${head} ${formats}` : head;
}

function mLine(rng: Prng): string {
  return `m=audio ${20000 + 2 * rng.int(1000)} RTP/AVP ${rng.pick(['0', '8', '0 8', '96'])}`;
}
