// Which source addresses may send customer calls (the SBCs): IPv4/IPv6 addresses and CIDRs.
import { isIPv4, isIPv6 } from 'node:net';

export interface Cidr {
  bytes: number[];
  bits: number;
}

function bytesOf(ip: string): number[] | undefined {
  if (isIPv4(ip)) return ip.split('.').map(Number);
  if (!isIPv6(ip)) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return bytesOf(mapped[1]);
  const [head, tail] = ip.split('::');
  const parse = (s: string | undefined) => (s ? s.split(':').map((h) => parseInt(h, 16)) : []);
  const h = parse(head);
  const t = parse(tail);
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill(0), ...t];
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

export function parseCidr(text: string): Cidr | undefined {
  const [ip, bitsText, extra] = text.trim().split('/');
  if (extra !== undefined) return undefined;
  const bytes = bytesOf(ip);
  if (!bytes) return undefined;
  const max = bytes.length * 8;
  const bits = bitsText === undefined ? max : /^\d+$/.test(bitsText) ? Number(bitsText) : NaN;
  if (!(bits >= 0 && bits <= max)) return undefined;
  return { bytes, bits };
}

function contains(c: Cidr, bytes: number[]): boolean {
  if (bytes.length !== c.bytes.length) return false;
  for (let i = 0, left = c.bits; left > 0; i++, left -= 8) {
    const mask = left >= 8 ? 0xff : (0xff << (8 - left)) & 0xff;
    if ((bytes[i] & mask) !== (c.bytes[i] & mask)) return false;
  }
  return true;
}

export class AddressAllowList {
  private readonly cidrs: Cidr[];
  constructor(entries: string[]) {
    this.cidrs = entries.map((e) => {
      const c = parseCidr(e);
      if (!c) throw new TypeError(`not an IP address or CIDR: ${e}`);
      return c;
    });
  }

  allows(address: string): boolean {
    const bytes = bytesOf(address);
    return bytes !== undefined && this.cidrs.some((c) => contains(c, bytes));
  }
}
