// The little audio maths the demo needs: G.711 μ-law both ways (ITU-T G.711), a steady tone
// as PCMU payloads, and a WAV file (16-bit PCM, mono, 8 kHz) of what a party heard.
import fs from 'node:fs';

const BIAS = 0x84;

/** One 16-bit linear sample as a μ-law byte. */
export function linearToUlaw(sample: number): number {
  const sign = sample < 0 ? 0x80 : 0;
  const magnitude = Math.min(Math.abs(sample), 32635) + BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (magnitude & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (magnitude >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** One μ-law byte as a 16-bit linear sample. */
export function ulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const magnitude = ((((u & 0x0f) << 3) + BIAS) << ((u & 0x70) >> 4)) - BIAS;
  return u & 0x80 ? -magnitude : magnitude;
}

/** 20 ms (160 samples) of a `hz` tone as PCMU, starting at sample `offset`. */
export function toneFrame(hz: number, offset: number, amplitude = 8000): Buffer {
  const out = Buffer.alloc(160);
  for (let i = 0; i < 160; i++)
    out[i] = linearToUlaw(
      Math.round(amplitude * Math.sin((2 * Math.PI * hz * (offset + i)) / 8000)),
    );
  return out;
}

/** Writes μ-law payloads, decoded, as one WAV file. */
export function writeUlawAsWav(file: string, payloads: Buffer[]): { bytes: number; ms: number } {
  const samples = payloads.reduce((n, p) => n + p.length, 0);
  const data = Buffer.alloc(samples * 2);
  let at = 0;
  for (const p of payloads)
    for (const b of p) {
      data.writeInt16LE(ulawToLinear(b), at);
      at += 2;
    }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8, 'latin1');
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(16000, 28); // bytes per second
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(data.length, 40);
  fs.writeFileSync(file, Buffer.concat([header, data]));
  return { bytes: 44 + data.length, ms: samples / 8 };
}
