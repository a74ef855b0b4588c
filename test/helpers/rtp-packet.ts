// RTP fixed header (RFC 3550 §5.1): just enough to send and read audio packets.

export interface RtpPacket {
  payloadType: number;
  marker: boolean;
  sequence: number;
  timestamp: number;
  ssrc: number;
  payload: Buffer;
}

export function buildRtp(p: RtpPacket): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x80; // version 2, no padding, no extension, no CSRC
  header[1] = (p.marker ? 0x80 : 0) | (p.payloadType & 0x7f);
  header.writeUInt16BE(p.sequence & 0xffff, 2);
  header.writeUInt32BE(p.timestamp >>> 0, 4);
  header.writeUInt32BE(p.ssrc >>> 0, 8);
  return Buffer.concat([header, p.payload]);
}

/** Parses an RTP packet; undefined for anything else (RTCP, STUN, DTLS, garbage). */
export function parseRtp(buf: Buffer): RtpPacket | undefined {
  if (buf.length < 12 || buf[0] >> 6 !== 2) return undefined;
  const payloadType = buf[1] & 0x7f;
  if (payloadType >= 72 && payloadType <= 76) return undefined; // RTCP SR/RR/SDES/BYE/APP
  let offset = 12 + (buf[0] & 0x0f) * 4;
  if (buf[0] & 0x10) {
    if (buf.length < offset + 4) return undefined;
    offset += 4 + buf.readUInt16BE(offset + 2) * 4;
  }
  let end = buf.length;
  if (buf[0] & 0x20) end -= buf[buf.length - 1];
  if (offset > end) return undefined;
  return {
    payloadType,
    marker: (buf[1] & 0x80) !== 0,
    sequence: buf.readUInt16BE(2),
    timestamp: buf.readUInt32BE(4),
    ssrc: buf.readUInt32BE(8),
    payload: buf.subarray(offset, end),
  };
}
