// Cheap, robust checks on received audio (8 kHz PCM):
// - locate(): where a reference (a prompt file) occurs in what arrived and how well it
//   matches — coarse alignment by cross-correlating 20 ms energy envelopes, then a
//   normalised sample correlation around that lag (G.711 round trips score ≈ 0.99);
// - toneShare(): the share of a signal's energy at one frequency (Goertzel), to recognise
//   the test tones the endpoints send;
// - classify(): silence, a known tone, a known reference, or unknown.

const FRAME = 160;
const CANDIDATES = 4;

export function rms(x: ArrayLike<number>, from = 0, to = x.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += x[i] * x[i];
  return to > from ? Math.sqrt(sum / (to - from)) : 0;
}

/** Share (0–1) of the signal's energy at `freqHz` (Goertzel over the whole span). */
export function toneShare(x: ArrayLike<number>, freqHz: number, sampleRate = 8000): number {
  const n = x.length;
  if (!n) return 0;
  const w = (2 * Math.PI * freqHz) / sampleRate;
  const coeff = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  let energy = 0;
  for (let i = 0; i < n; i++) {
    const s0 = x[i] + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
    energy += x[i] * x[i];
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2; // |X(f)|²
  // A pure tone of amplitude A gives |X|² ≈ (A·n/2)² and energy ≈ A²·n/2.
  return energy > 0 ? Math.min(1, (2 * power) / (n * energy)) : 0;
}

export function envelope(x: ArrayLike<number>, frame = FRAME): Float64Array {
  const out = new Float64Array(Math.floor(x.length / frame));
  for (let f = 0; f < out.length; f++) out[f] = rms(x, f * frame, (f + 1) * frame);
  return out;
}

/** Normalised correlation of a[aFrom..] with b over n items, means removed. */
function ncc(
  a: ArrayLike<number>,
  aFrom: number,
  b: ArrayLike<number>,
  bFrom: number,
  n: number,
): number {
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[aFrom + i];
    mb += b[bFrom + i];
  }
  ma /= n;
  mb /= n;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[aFrom + i] - ma;
    const db = b[bFrom + i] - mb;
    ab += da * db;
    aa += da * da;
    bb += db * db;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}

export interface Location {
  /** Sample index in `received` where the reference starts (may be negative: cut off). */
  offset: number;
  /** Normalised sample correlation over the overlap, −1…1. */
  score: number;
  /** Samples of the reference that overlap `received`. */
  overlap: number;
}

/**
 * Finds `reference` in `received`. Only the first `maxRefMs` of the reference are used,
 * which keeps it cheap and lets a reference longer than the capture still be found.
 */
export function locate(received: Int16Array, reference: Int16Array, maxRefMs = 3000): Location {
  const ref = reference.subarray(0, Math.min(reference.length, maxRefMs * 8));
  const re = envelope(received);
  const fe = envelope(ref);
  // At least half of the shorter of the two must overlap (a capture may hold only a piece).
  const minOverlap = Math.max(
    1,
    Math.min(fe.length, re.length, Math.max(5, Math.floor(Math.min(fe.length, re.length) / 2))),
  );
  // Envelopes of periodic audio (music) match at several lags: refine the best few.
  const lags: { lag: number; score: number }[] = [];
  for (let lag = -(fe.length - minOverlap); lag <= re.length - minOverlap; lag++) {
    const from = Math.max(0, -lag);
    const n = Math.min(fe.length - from, re.length - (lag + from));
    if (n < minOverlap) continue;
    lags.push({ lag, score: ncc(re, lag + from, fe, from, n) });
  }
  lags.sort((a, b) => b.score - a.score);
  // Refine each to the sample within ±1 frame of the envelope's lag.
  let result: Location = { offset: (lags[0]?.lag ?? 0) * FRAME, score: -1, overlap: 0 };
  for (const { lag } of lags.slice(0, CANDIDATES)) {
    for (let d = -FRAME; d <= FRAME; d++) {
      const offset = lag * FRAME + d;
      const from = Math.max(0, -offset);
      const n = Math.min(ref.length - from, received.length - (offset + from));
      if (n < FRAME) continue;
      const score = ncc(received, offset + from, ref, from, n);
      if (score > result.score) result = { offset, score, overlap: n };
    }
  }
  return result;
}

export interface Reference {
  name: string;
  samples: Int16Array;
}

export interface ToneRef {
  name: string;
  freqHz: number;
}

/** Labels a stretch of audio: 'silence', a tone's name, a reference's name, or 'unknown'. */
export function classify(
  x: Int16Array,
  refs: Reference[],
  tones: ToneRef[] = [],
  silenceRms = 100,
  matchScore = 0.7,
): string {
  if (rms(x) < silenceRms) return 'silence';
  for (const t of tones) if (toneShare(x, t.freqHz) > 0.6) return t.name;
  let bestName = 'unknown';
  let best = matchScore;
  for (const r of refs) {
    const loc = locate(x, r.samples, Math.ceil(r.samples.length / 8));
    if (loc.score > best && loc.overlap >= Math.min(x.length, r.samples.length) * 0.5) {
      best = loc.score;
      bestName = r.name;
    }
  }
  return bestName;
}

/** Concatenates packets' samples in arrival order (gaps in time are not filled). */
export function joinSamples(chunks: { samples: Int16Array }[]): Int16Array {
  let n = 0;
  for (const c of chunks) n += c.samples.length;
  const out = new Int16Array(n);
  let at = 0;
  for (const c of chunks) {
    out.set(c.samples, at);
    at += c.samples.length;
  }
  return out;
}
