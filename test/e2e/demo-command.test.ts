// `holdfast demo` as a user runs it: it exits 0 by itself with nothing of it left running (no
// rtpengine), prints each step, and the WAV file it saves holds what the customer heard:
// carol's tone, then the agent-disconnected prompt (correlated with prompts/), then carol
// again after her return.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { toneShare } from '../helpers/audio-compare';
import { readWav } from '../helpers/audio-wav';
import { runCli } from './fixtures/cli-process';
import { findsPrompt } from './fixtures/hearing';

const CAROL_HZ = 1000;

t.test('holdfast demo: steps printed, WAV with the prompt, exit 0, nothing left', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'holdfast-demo-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const wav = path.join(dir, 'heard.wav');
  const demo = runCli(t, ['demo', '--out', wav], {}, 90_000);
  const code = await demo.exited;
  t.equal(code, 0, `exit 0 (stderr: ${demo.err().slice(-500)})`);
  t.same(demo.survivors(), [], 'nothing of it left running (no rtpengine)');

  const out = demo.out();
  for (const step of [
    /\d+ ms {2}carol answers/,
    /carol's desktop drops/,
    /carol is gone \(evidence: media-loss\)/,
    /agent-disconnected prompt/,
    /carol is back \(evidence: media-resumed\), \d+ ms after she went/,
    /carol reattached/,
    /call ended \(customer-hangup\)/,
    /everything stopped/,
  ])
    t.match(out, step, `prints ${step}`);
  t.match(out, `what the customer heard: ${wav}`, 'prints where the WAV is');

  const { sampleRate, samples } = readWav(wav);
  t.equal(sampleRate, 8000, '8 kHz');
  const p = findsPrompt(t, samples, 'agent-disconnected', 'the customer heard the prompt');
  // carol talked for 3 s before she dropped; lossMs (2 s) of silence came before the prompt.
  const before = samples.subarray(Math.max(0, p.offset - 4.5 * 8000), p.offset - 2.5 * 8000);
  t.ok(
    toneShare(before, CAROL_HZ) > 0.8,
    `carol before the drop (${toneShare(before, CAROL_HZ).toFixed(2)})`,
  );
  const last = samples.subarray(samples.length - 2 * 8000);
  t.ok(
    toneShare(last, CAROL_HZ) > 0.8,
    `carol again at the end (${toneShare(last, CAROL_HZ).toFixed(2)})`,
  );
});
