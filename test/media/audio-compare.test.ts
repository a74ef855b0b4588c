// The test helpers' audio comparison, on known signals: it must find a prompt at the right
// place through a G.711 round trip, and tell prompt, music, silence and a tone apart.
import t from 'tap';
import path from 'node:path';
import { classify, locate, toneShare } from '../helpers/audio-compare';
import { decodeG711, encodeUlaw } from '../helpers/audio-g711';
import { readWav, tone } from '../helpers/audio-wav';

const PROMPTS = path.join(__dirname, '..', '..', 'prompts');
const prompt = readWav(path.join(PROMPTS, 'agent-disconnected.wav')).samples;
const music = readWav(path.join(PROMPTS, 'wait-music.wav')).samples;
const other = readWav(path.join(PROMPTS, 'primary-agent-disconnected.wav')).samples;
const refs = [
  { name: 'prompt', samples: prompt },
  { name: 'music', samples: music },
];

t.test('μ-law round trip keeps the signal', async (t) => {
  const x = tone(440, 100, 10000);
  const y = decodeG711(encodeUlaw(x), 'ulaw');
  let err = 0;
  for (let i = 0; i < x.length; i++) err = Math.max(err, Math.abs(x[i] - y[i]));
  t.ok(err < 10000 * 0.04, `max error ${err}`);
  t.ok(toneShare(y, 440) > 0.9);
  t.ok(toneShare(y, 1000) < 0.05);
});

t.test('locate finds the prompt at its offset after silence, through μ-law', async (t) => {
  const lead = 2345;
  const stream = new Int16Array(lead + prompt.length + 4000);
  stream.set(decodeG711(encodeUlaw(prompt), 'ulaw'), lead);
  const loc = locate(stream, prompt, 5000);
  t.equal(loc.offset, lead);
  t.ok(loc.score > 0.98, `score ${loc.score.toFixed(3)}`);
  t.ok(locate(stream, other, 3000).score < 0.5, 'another prompt does not match');
  t.ok(locate(stream, music, 3000).score < 0.5, 'music does not match');
});

t.test('classify tells silence, a tone, the prompt and the music apart', async (t) => {
  const tones = [{ name: 'agent', freqHz: 1000 }];
  t.equal(classify(new Int16Array(4000), refs, tones), 'silence');
  t.equal(classify(tone(1000, 500), refs, tones), 'agent');
  t.equal(classify(prompt.slice(4000, 12000), refs, tones), 'prompt');
  t.equal(classify(music.slice(20000, 28000), refs, tones), 'music');
  t.equal(classify(other.slice(4000, 12000), refs, tones), 'unknown');
});
