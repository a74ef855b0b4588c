// Mutations of a SIP message: its start line, headers (names, values, numbers, order,
// folding, duplicates, additions), Content-Length, body (SDP or not), line ends, and
// finally its bytes (flips, inserted invalid UTF-8/NUL/CRLF, truncation, trailing junk).
// Each mutated message records what was done to it, for the failure report.
import {
  NASTY_BYTES,
  NASTY_METHODS,
  NASTY_NUMBERS,
  NASTY_STRINGS,
  NASTY_URIS,
} from './nasty-values';
import type { Prng } from './prng';
import { mutateSdp } from './sdp-mutations';
import { isSdp, serializeDraft, type SipDraft } from './sip-draft';

export interface Mutated {
  bytes: Buffer;
  /** e.g. ['header-value Via', 'truncate'] */
  applied: string[];
}

type Mutation = (d: SipDraft, rng: Prng) => string;

const pickHeader = (d: SipDraft, rng: Prng) => (d.headers.length ? rng.int(d.headers.length) : -1);

const EXTRA_HEADERS: Array<[string, () => string[]]> = [
  ['Require', () => ['100rel', 'timer', 'replaces', 'foo, bar', '']],
  ['Supported', () => ['100rel', 'timer, replaces, path', '']],
  ['Proxy-Require', () => ['foo']],
  ['Route', () => ['<sip:127.0.0.1;lr>', '<sip:fuzz.invalid;lr>', 'sip:127.0.0.2', '<>']],
  ['Record-Route', () => ['<sip:127.0.0.1:5099;lr>', '<sip:fuzz.invalid;lr>', '<x>']],
  ['Contact', () => ['*', '<sip:a@127.0.0.1>;expires=0', '<sip:a@fuzz.invalid;transport=ws>']],
  ['Expires', () => NASTY_NUMBERS],
  ['Content-Encoding', () => ['gzip', 'deflate', 'x']],
  ['Content-Type', () => ['application/sdp', 'multipart/mixed;boundary=x', 'text/plain', '']],
  ['Session-Expires', () => ['90;refresher=uac', '0', '-1', 'x']],
  ['Min-SE', () => NASTY_NUMBERS],
  ['RSeq', () => NASTY_NUMBERS],
  ['RAck', () => ['1 1 INVITE', '1', 'x y z']],
  ['Replaces', () => ['abc;to-tag=1;from-tag=2', ';;', '']],
  ['Refer-To', () => ['<sip:127.0.0.1>', '<sip:a@127.0.0.1?Replaces=x%3Bto-tag%3D1>']],
  ['Event', () => ['presence', 'refer;id=', '']],
  ['Authorization', () => NASTY_STRINGS.filter((s) => s.startsWith('Digest'))],
  ['P-Asserted-Identity', () => ['<sip:a@localhost>', '"x" <tel:+1>', '<']],
  ['Reason', () => ['SIP;cause=500;text="x"', 'Q.850;cause=', '']],
  ['Max-Forwards', () => NASTY_NUMBERS],
  ['Call-ID', () => ['', 'dup@fuzz.invalid', 'a b']],
  ['CSeq', () => ['1 INVITE', '0 BYE', '4294967296 INVITE']],
  ['X-Fuzz', () => ['x'.repeat(5000), '\t', 'ü']],
];

const MUTATIONS: Array<[Mutation, number]> = [
  [
    (d, r) => {
      d.start[0] = r.pick(NASTY_METHODS);
      return 'method';
    },
    2,
  ],
  [
    (d, r) => {
      d.start[1] = r.pick(NASTY_URIS);
      return 'request-uri';
    },
    2,
  ],
  [
    (d, r) => {
      d.start[2] = r.pick(['SIP/2.1', 'SIP/20', 'sip/2.0', 'SIP/2.0 ', 'SIP/', '']);
      return 'version';
    },
    1,
  ],
  [
    (d, r) => {
      const i = pickHeader(d, r);
      if (i < 0) return 'none';
      const [name] = d.headers.splice(i, 1)[0];
      return `delete ${name}`;
    },
    4,
  ],
  [
    (d, r) => {
      const i = pickHeader(d, r);
      if (i < 0) return 'none';
      d.headers.splice(r.int(d.headers.length + 1), 0, [...d.headers[i]]);
      return `duplicate ${d.headers[i][0]}`;
    },
    3,
  ],
  [
    (d, r) => {
      const i = pickHeader(d, r);
      if (i < 0) return 'none';
      const name = d.headers[i][0];
      d.headers[i][0] = r.pick([
        name.toUpperCase(),
        name.toLowerCase(),
        `${name} `,
        ` ${name}`,
        name.slice(0, 1),
        `${name}:`,
        `${name}ü`,
        '',
        name.replace(/-/g, '_'),
      ]);
      return `header-name ${name}`;
    },
    2,
  ],
  [(d, r) => mutateValue(d, r), 8],
  [(d, r) => mutateNumber(d, r), 6],
  [
    (d, r) => {
      const [name, values] = r.pick(EXTRA_HEADERS);
      d.headers.splice(r.int(d.headers.length + 1), 0, [name, r.pick(values())]);
      return `insert ${name}`;
    },
    5,
  ],
  [
    (d, r) => {
      const real = d.body.length;
      d.contentLength = r.pick([
        String(real + r.range(1, 5)),
        String(Math.max(0, real - r.range(1, 5))),
        '-1',
        '0',
        '99999999',
        'x',
        `${real}, ${real}`,
      ]);
      if (r.chance(0.2)) d.contentLength = null;
      return `content-length ${d.contentLength}`;
    },
    3,
  ],
  [
    (d, r) => {
      if (isSdp(d) && r.chance(0.85)) {
        d.body = mutateSdp(d.body, r);
        return 'sdp';
      }
      d.body = r.pick([
        Buffer.alloc(0),
        r.bytes(r.range(1, 400)),
        Buffer.from('v=0\r\n' + 'a=x\r\n'.repeat(r.range(1, 3000))),
        Buffer.from('--x\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n--x--\r\n'),
        Buffer.from('<xml>&#0;</xml>'),
      ]);
      return 'body';
    },
    6,
  ],
  [
    (d, r) => {
      for (let i = d.headers.length - 1; i > 0; i--) {
        const j = r.int(i + 1);
        [d.headers[i], d.headers[j]] = [d.headers[j], d.headers[i]];
      }
      return 'shuffle headers';
    },
    1,
  ],
  [
    (d, r) => {
      d.eol = r.pick(['\n', '\r', '\r\r\n', '\n\r', ' \r\n']);
      return 'line ends';
    },
    1,
  ],
];

function mutateValue(d: SipDraft, r: Prng): string {
  const i = pickHeader(d, r);
  if (i < 0) return 'none';
  const [name, value] = d.headers[i];
  const at = r.int(value.length + 1);
  d.headers[i][1] = r.pick([
    () => '',
    () => r.pick(NASTY_STRINGS),
    () => value.slice(0, at),
    () => value.slice(0, at) + r.pick(NASTY_STRINGS) + value.slice(at),
    () => value.slice(0, at) + '\r\n ' + value.slice(at), // folded
    () => value.slice(0, at) + '\r\n' + value.slice(at), // a line that is not a header
    () => value + ', ' + value,
    () => value.repeat(r.range(2, 50)),
    () => value + ';' + 'p=v;'.repeat(r.range(1, 400)),
    () => value.replace(/<|>/g, ''),
    () => value.replace(/"/g, ''),
  ])();
  return `header-value ${name}`;
}

function mutateNumber(d: SipDraft, r: Prng): string {
  const candidates = d.headers.map((h, i) => [h, i] as const).filter(([[, v]]) => /\d/.test(v));
  if (!candidates.length) return 'none';
  const [[name, value], i] = r.pick(candidates);
  const numbers = [...value.matchAll(/\d+/g)];
  const m = r.pick(numbers);
  const at = m.index ?? 0;
  d.headers[i][1] = value.slice(0, at) + r.pick(NASTY_NUMBERS) + value.slice(at + m[0].length);
  return `number ${name}`;
}

const BYTE_MUTATIONS: Array<[(b: Buffer, r: Prng) => [Buffer, string], number]> = [
  [
    (b, r) => {
      const out = Buffer.from(b);
      for (let n = r.range(1, 5); n > 0 && out.length; n--) out[r.int(out.length)] ^= 1 << r.int(8);
      return [out, 'flip bits'];
    },
    3,
  ],
  [
    (b, r) => {
      const at = r.int(b.length + 1);
      const insert = r.pick(NASTY_BYTES);
      return [Buffer.concat([b.subarray(0, at), insert, b.subarray(at)]), 'insert bytes'];
    },
    3,
  ],
  [(b, r) => [b.subarray(0, r.int(b.length)), 'truncate'], 2],
  [(b, r) => [Buffer.concat([b, r.bytes(r.range(1, 200))]), 'trailing junk'], 1],
  [
    (b, r) => {
      const at = r.int(b.length);
      const len = r.range(1, 200);
      return [
        Buffer.concat([b.subarray(0, at), b.subarray(at, at + len), b.subarray(at)]),
        'dup slice',
      ];
    },
    1,
  ],
];

/** Applies 1–4 mutations to `draft` (none in ~5% of cases), then maybe one to its bytes. */
export function mutate(draft: SipDraft, rng: Prng): Mutated {
  const applied: string[] = [];
  if (!rng.chance(0.05)) {
    for (let n = rng.range(1, 4); n > 0; n--) applied.push(rng.weighted(MUTATIONS)(draft, rng));
  }
  let bytes = serializeDraft(draft);
  if (rng.chance(0.25)) {
    const [out, what] = rng.weighted(BYTE_MUTATIONS)(bytes, rng);
    bytes = out;
    applied.push(what);
  }
  return { bytes, applied };
}
