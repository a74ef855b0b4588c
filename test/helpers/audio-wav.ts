// Reads 16-bit PCM WAV files into samples and makes test tones, for the RTP endpoint and
// the audio comparison.
import fs from 'node:fs';
import { parseWavHeader } from '../../media/wav-file';

export interface Pcm {
  sampleRate: number;
  samples: Int16Array;
}

/** Mono 16-bit PCM WAV → samples. Throws for anything else (tests use our own prompts). */
export function readWav(file: string): Pcm {
  const buf = fs.readFileSync(file);
  const info = parseWavHeader(buf);
  if (info.format !== 1 || info.bitsPerSample !== 16 || info.channels !== 1) {
    throw new Error(`${file}: expected mono 16-bit PCM WAV`);
  }
  const bytes = buf.subarray(info.dataOffset, info.dataOffset + info.dataBytes);
  const samples = new Int16Array(bytes.length >> 1);
  for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(i * 2);
  return { sampleRate: info.sampleRate, samples };
}

/** A sine tone at 8 kHz. */
export function tone(freqHz: number, durationMs: number, amplitude = 8000): Int16Array {
  const n = Math.round((durationMs / 1000) * 8000);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++)
    out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * freqHz * i) / 8000));
  return out;
}
