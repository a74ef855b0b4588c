// A small SDP reader (RFC 8866): the session and its media sections with their attributes.
// Enough to check what rtpengine produced and to read a leg's direction; not a validator.

export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export interface SdpAttribute {
  name: string;
  value?: string;
}

export interface SdpMedia {
  type: string;
  port: number;
  proto: string;
  formats: string[];
  /** c= address of the media section, else of the session. */
  address?: string;
  /** a=sendrecv etc. of the media section, else of the session, else sendrecv. */
  direction: Direction;
  attributes: SdpAttribute[];
}

export interface Sdp {
  origin?: string;
  address?: string;
  attributes: SdpAttribute[];
  media: SdpMedia[];
}

const DIRECTIONS: readonly string[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];

export class SdpParseError extends Error {
  override name = 'SdpParseError';
}

export function parseSdp(text: string): Sdp {
  if (typeof text !== 'string' || !/^v=0\s*$/m.test(text.split(/\r?\n/, 1)[0] ?? '')) {
    throw new SdpParseError(`SDP must start with 'v=0'`);
  }
  const sdp: Sdp = { attributes: [], media: [] };
  let sessionDirection: Direction | undefined;
  let current: (SdpMedia & { ownDirection?: Direction }) | undefined;
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  for (const [i, line] of lines.entries()) {
    const m = /^([a-z])=(.*)$/.exec(line);
    if (!m)
      throw new SdpParseError(`line ${i + 1} is not '<letter>=<value>': ${line.slice(0, 60)}`);
    const [, key, value] = m;
    if (key === 'm') {
      const parts = value.split(' ');
      const port = Number(parts[1]?.split('/')[0]);
      if (parts.length < 3 || !Number.isInteger(port)) {
        throw new SdpParseError(`line ${i + 1}: malformed m= line: ${line}`);
      }
      current = {
        type: parts[0],
        port,
        proto: parts[2],
        formats: parts.slice(3),
        direction: 'sendrecv',
        attributes: [],
      };
      sdp.media.push(current);
    } else if (key === 'c') {
      const address = value.split(' ')[2]?.split('/')[0];
      if (current) current.address = address;
      else sdp.address = address;
    } else if (key === 'o' && !current) {
      sdp.origin = value;
    } else if (key === 'a') {
      const colon = value.indexOf(':');
      const attr: SdpAttribute =
        colon < 0
          ? { name: value }
          : { name: value.slice(0, colon), value: value.slice(colon + 1) };
      if (DIRECTIONS.includes(attr.name)) {
        if (current) current.ownDirection = attr.name as Direction;
        else sessionDirection = attr.name as Direction;
      }
      (current ? current.attributes : sdp.attributes).push(attr);
    }
  }
  for (const media of sdp.media as (SdpMedia & { ownDirection?: Direction })[]) {
    media.address ??= sdp.address;
    media.direction = media.ownDirection ?? sessionDirection ?? 'sendrecv';
    delete media.ownDirection;
  }
  return sdp;
}

/** The first audio section, or undefined. */
export function audioOf(sdp: Sdp): SdpMedia | undefined {
  return sdp.media.find((m) => m.type === 'audio' && m.port !== 0);
}

export function attr(media: SdpMedia, name: string): string | undefined {
  const a = media.attributes.find((x) => x.name === name);
  return a ? (a.value ?? '') : undefined;
}

export function attrs(media: SdpMedia, name: string): string[] {
  return media.attributes.filter((x) => x.name === name).map((x) => x.value ?? '');
}
