// Bounds every SDP must satisfy before it reaches rtpengine. rtpengine 10.5 trusts the
// numbers it is given: `a=rtpmap:0 PCMU/2147483648` (a clock rate past 2^31 - 1, negative
// as a C int) or a channel count as large segfault it at the next `play media` (measured:
// every call of the gateway dies with it). So numbers are checked here, as digits, against
// ranges no real endpoint leaves, and sizes are bounded so that no body costs much to parse.
//
// Ranges and why:
// - clock rate 1000-192000 Hz: the lowest real RTP clock is 8000 (G.711, G.729,
//   telephone-event), video uses 90000, and 192 kHz is the highest audio sampling rate in
//   use (L16/L24 studio audio); below 1000 a 1 ms frame has no sample at all.
// - channels 1-8: mono to 7.1; rtpengine (through ffmpeg) has no layouts beyond.
// - payload types 0-127 (7 bits in the RTP header); ports 0-65535; SSRCs and ICE
//   priorities 32-bit unsigned; ptime 1-1000 ms.
// - a body of 16 KiB, 1000 lines of at most 1024 characters, 8 media sections, 128
//   attributes per section and 64 formats per m-line: a WebRTC offer with audio, video,
//   data and a dozen ICE candidates is about 6 KB and 60 attributes per section.

export interface SdpLimits {
  maxBytes: number;
  maxLines: number;
  maxLineLength: number;
  maxMedia: number;
  maxAttributesPerSection: number;
  maxFormats: number;
  clockRate: { min: number; max: number };
  channels: { min: number; max: number };
}

export const SDP_LIMITS: SdpLimits = {
  maxBytes: 16 * 1024,
  maxLines: 1000,
  maxLineLength: 1024,
  maxMedia: 8,
  maxAttributesPerSection: 128,
  maxFormats: 64,
  clockRate: { min: 1000, max: 192_000 },
  channels: { min: 1, max: 8 },
};

const UINT32_MAX = 4_294_967_295n;
const UINT64_MAX = 2n ** 64n - 1n;

/** A reason for refusing, short enough for a SIP Warning header. */
class Violation extends Error {}

/**
 * The first way `text` breaks the limits, as a short human reason (ASCII, no quotes), or
 * undefined when it is within them. Structural errors a parser would report anyway
 * (missing v=0) are left to the parser.
 */
export function sdpLimitViolation(
  text: string,
  limits: SdpLimits = SDP_LIMITS,
): string | undefined {
  try {
    checkLimits(text, limits);
    return undefined;
  } catch (err) {
    if (err instanceof Violation) return err.message;
    throw err;
  }
}

function checkLimits(text: string, limits: SdpLimits): void {
  if (typeof text !== 'string') throw new Violation('SDP body is not text');
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > limits.maxBytes)
    throw new Violation(`SDP body of ${bytes} bytes exceeds ${limits.maxBytes}`);
  // Tabs are allowed inside values by some stacks; any other control character is not SDP.
  const control = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.exec(text);
  if (control)
    throw new Violation(`control character 0x${control[0].charCodeAt(0).toString(16)} in SDP`);
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  if (lines.length > limits.maxLines)
    throw new Violation(`SDP has ${lines.length} lines, more than ${limits.maxLines}`);
  let mediaCount = 0;
  let attributes = 0;
  for (const line of lines) {
    if (line.length > limits.maxLineLength)
      throw new Violation(`SDP line longer than ${limits.maxLineLength} characters`);
    const key = line[0];
    const value = line.slice(2);
    if (line[1] !== '=') continue; // the parser names malformed lines
    switch (key) {
      case 'm':
        if (++mediaCount > limits.maxMedia)
          throw new Violation(`more than ${limits.maxMedia} media sections`);
        attributes = 0;
        checkMediaLine(value, limits);
        break;
      case 'a':
        if (++attributes > limits.maxAttributesPerSection)
          throw new Violation(
            `more than ${limits.maxAttributesPerSection} attributes in a section`,
          );
        checkAttribute(value, limits);
        break;
      case 'c':
        checkConnection(value);
        break;
      case 'o':
        checkOrigin(value);
        break;
      case 't':
        for (const n of value.trim().split(' ')) unsigned('t= time', n, UINT64_MAX);
        break;
      case 'b':
        checkBandwidth(value);
        break;
    }
  }
}

/** Parses a plain decimal integer within [min, max]; anything else is a violation. */
function integer(
  what: string,
  text: string | undefined,
  min: number | bigint,
  max: number | bigint,
): void {
  // Digits only: no sign, exponent, hex or spaces; compared exactly (64-bit fields).
  if (text === undefined || !/^\d{1,20}$/.test(text))
    throw new Violation(`malformed ${what} ${JSON.stringify(clip(text ?? ''))}`);
  const n = BigInt(text);
  if (n < BigInt(min) || n > BigInt(max))
    throw new Violation(`${what} ${clip(text)} out of range (${min}-${max})`);
}

function unsigned(what: string, text: string | undefined, max: number | bigint): void {
  integer(what, text, 0, max);
}

function clip(s: string): string {
  return s.length > 24 ? `${s.slice(0, 24)}...` : s;
}

function checkMediaLine(value: string, limits: SdpLimits): void {
  const [media, portSpec, proto, ...formats] = value.trimEnd().split(' ');
  if (!media || !proto) throw new Violation('malformed m= line');
  const [port, count] = (portSpec ?? '').split('/');
  unsigned('m= port', port, 65535);
  if (count !== undefined) integer('m= port count', count, 1, 16);
  if (!formats.length) throw new Violation('m= line without formats');
  if (formats.length > limits.maxFormats)
    throw new Violation(`m= line with more than ${limits.maxFormats} formats`);
  // RTP profiles (RTP/AVP, UDP/TLS/RTP/SAVPF…) list payload types; others (SCTP, T.38 over
  // UDPTL) list tokens that are not ours to judge.
  if (/\bRTP\//.test(proto)) for (const f of formats) payloadType(f);
}

function payloadType(text: string | undefined): void {
  unsigned('payload type', text, 127);
}

function checkAttribute(value: string, limits: SdpLimits): void {
  const colon = value.indexOf(':');
  if (colon < 0) return;
  const name = value.slice(0, colon);
  const rest = value.slice(colon + 1).trimEnd();
  switch (name) {
    case 'rtpmap': {
      const m = /^(\S+) ([^/\s]+)\/([^/\s]*)(?:\/(\S*))?$/.exec(rest);
      if (!m) throw new Violation(`malformed rtpmap ${JSON.stringify(clip(rest))}`);
      payloadType(m[1]);
      integer('rtpmap clock rate', m[3], limits.clockRate.min, limits.clockRate.max);
      if (m[4] !== undefined)
        integer('rtpmap channel count', m[4], limits.channels.min, limits.channels.max);
      break;
    }
    case 'fmtp':
      payloadType(rest.split(' ', 1)[0]);
      break;
    case 'rtcp-fb': {
      const pt = rest.split(' ', 1)[0];
      if (pt !== '*') payloadType(pt);
      break;
    }
    case 'ptime':
    case 'maxptime':
      integer(name, rest.trim(), 1, 1000);
      break;
    case 'rtcp':
      unsigned('a=rtcp port', rest.split(' ', 1)[0], 65535);
      break;
    case 'ssrc':
      unsigned('ssrc', rest.split(' ', 1)[0], UINT32_MAX);
      break;
    case 'candidate':
      checkCandidate(rest);
      break;
    case 'extmap':
      integer('extmap id', rest.split(' ', 1)[0].split('/')[0], 1, 255);
      break;
  }
}

// a=candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> …
function checkCandidate(rest: string): void {
  const f = rest.split(/ +/);
  if (f.length < 8 || f[6] !== 'typ') throw new Violation('malformed ICE candidate');
  integer('candidate component', f[1], 1, 256);
  unsigned('candidate priority', f[3], UINT32_MAX);
  unsigned('candidate port', f[5], 65535);
  const rport = f.indexOf('rport');
  if (rport > 0) unsigned('candidate rport', f[rport + 1], 65535);
}

// c=IN IP4 <address>[/<ttl>[/<count>]]
function checkConnection(value: string): void {
  const [net, type, address] = value.trimEnd().split(' ');
  if (net !== 'IN' || (type !== 'IP4' && type !== 'IP6') || !address)
    throw new Violation(`malformed c= line ${JSON.stringify(clip(value))}`);
  const [, ttl, count] = address.split('/');
  if (ttl !== undefined) unsigned('c= TTL', ttl, 255);
  if (count !== undefined) integer('c= address count', count, 1, 16);
}

// o=<username> <sess-id> <sess-version> IN IP4 <address>: ids are 64-bit (NTP-based
// values are common).
function checkOrigin(value: string): void {
  const f = value.trim().split(' ');
  if (f.length < 6) throw new Violation('malformed o= line');
  unsigned('o= session id', f[1], UINT64_MAX);
  unsigned('o= session version', f[2], UINT64_MAX);
}

// b=<type>:<bandwidth> (kbit/s for AS and CT, bit/s for TIAS): below 2^31 even in bit/s.
function checkBandwidth(value: string): void {
  const colon = value.indexOf(':');
  if (colon <= 0) throw new Violation(`malformed b= line ${JSON.stringify(clip(value))}`);
  unsigned('b= bandwidth', value.slice(colon + 1).trimEnd(), 2 ** 31 - 1);
}
