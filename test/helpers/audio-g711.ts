// G.711 μ-law and A-law (ITU-T G.711), as the RTP endpoint needs them: encode μ-law to send,
// decode both to compare what arrives. Decoding goes through 256-entry tables.

const ULAW_BIAS = 0x84;
const ULAW_CLIP = 32635;

export function linearToUlaw(sample: number): number {
  let s = Math.max(-32768, Math.min(32767, Math.round(sample)));
  const sign = s < 0 ? 0x80 : 0;
  if (sign) s = -s;
  if (s > ULAW_CLIP) s = ULAW_CLIP;
  s += ULAW_BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

function ulawToLinearSlow(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const magnitude = ((((u & 0x0f) << 3) + ULAW_BIAS) << exponent) - ULAW_BIAS;
  return u & 0x80 ? -magnitude : magnitude;
}

function alawToLinearSlow(byte: number): number {
  const a = byte ^ 0x55;
  const exponent = (a >> 4) & 0x07;
  const mantissa = a & 0x0f;
  const magnitude =
    exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  return a & 0x80 ? magnitude : -magnitude;
}

const ULAW_TABLE = Int16Array.from({ length: 256 }, (_, i) => ulawToLinearSlow(i));
const ALAW_TABLE = Int16Array.from({ length: 256 }, (_, i) => alawToLinearSlow(i));

export function decodeG711(payload: Uint8Array, law: 'ulaw' | 'alaw'): Int16Array {
  const table = law === 'ulaw' ? ULAW_TABLE : ALAW_TABLE;
  const out = new Int16Array(payload.length);
  for (let i = 0; i < payload.length; i++) out[i] = table[payload[i]];
  return out;
}

export function encodeUlaw(pcm: ArrayLike<number>): Buffer {
  const out = Buffer.alloc(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = linearToUlaw(pcm[i]);
  return out;
}
