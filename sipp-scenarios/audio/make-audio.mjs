#!/usr/bin/env node
// Regenerates the audio the runnable SIPp scenarios play with rtp_stream: raw PCMU (G.711
// mu-law, 8 kHz, no header), because SIPp 3.6.1's rtp_stream sends a file's bytes as they
// are (from a WAV it sends the header too, and misaligns the payloads). One second of a
// steady tone each, a whole number of cycles, so that rtp_stream's loop is seamless:
//   customer-440hz.pcmu   what the customer says (440 Hz)
//   agent-1000hz.pcmu     what an agent says (1000 Hz)
// Distinct pure tones make it easy to tell who is heard, by ear or by a spectrum.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RATE = 8000;
const here = dirname(fileURLToPath(import.meta.url));

/** ITU-T G.711 mu-law of one 16-bit linear sample. */
function ulaw(sample) {
  const BIAS = 0x84;
  const sign = sample < 0 ? 0x80 : 0;
  const magnitude = Math.min(Math.abs(sample), 32635) + BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (magnitude & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (magnitude >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

function tone(hz, amplitude = 8000) {
  const out = Buffer.alloc(RATE);
  for (let i = 0; i < RATE; i++)
    out[i] = ulaw(Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / RATE)));
  return out;
}

for (const [file, hz] of [
  ['customer-440hz.pcmu', 440],
  ['agent-1000hz.pcmu', 1000],
]) {
  writeFileSync(join(here, file), tone(hz));
  console.log(`${file}: ${hz} Hz, 1 s of PCMU`);
}
