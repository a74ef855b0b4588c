// Start-up validation of prompt files: good files pass with their duration; anything
// rtpengine cannot play reliably is refused with the file's name and how to fix it.
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { validatePrompt } from '../../media/prompt-validator';
import { parseWavHeader } from '../../media/wav-file';

const PROMPTS = path.join(__dirname, '..', '..', 'prompts');

function wav(opts: {
  format?: number;
  channels?: number;
  rate?: number;
  bits?: number;
  samples?: number;
}): Buffer {
  const { format = 1, channels = 1, rate = 8000, bits = 16, samples = 8000 } = opts;
  const block = (channels * bits) / 8;
  const data = Buffer.alloc(samples * block);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(format, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * block, 28);
  header.writeUInt16LE(block, 32);
  header.writeUInt16LE(bits, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

t.test('the shipped prompts are valid 8 kHz mono 16-bit WAVs', async (t) => {
  for (const name of [
    'agent-disconnected.wav',
    'primary-agent-disconnected.wav',
    'wait-music.wav',
  ]) {
    const p = await validatePrompt(path.join(PROMPTS, name));
    t.equal(p.sampleRate, 8000, name);
    t.ok(p.durationMs > 1000, `${name}: ${p.durationMs} ms`);
    t.ok(path.isAbsolute(p.path));
  }
});

t.test('bad files are refused with the file name and the fix', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'holdfast-prompts-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const cases: [string, Buffer | null, RegExp][] = [
    ['missing.wav', null, /does not exist/],
    ['raw.ul', Buffer.alloc(8000, 0xff), /not a playable WAV file: not a RIFF\/WAVE file.*sox/],
    ['stereo.wav', wav({ channels: 2 }), /2 channels, not 1/],
    ['alaw.wav', wav({ format: 6, bits: 8 }), /format 6, not PCM.*8-bit/],
    ['rate.wav', wav({ rate: 4000 }), /4000 Hz is outside/],
    ['short.wav', wav({ samples: 80 }), /only 10 ms/],
    ['truncated.wav', wav({}).subarray(0, 30), /truncated 'fmt ' chunk/],
  ];
  for (const [name, content, why] of cases) {
    const file = path.join(dir, name);
    if (content) fs.writeFileSync(file, content);
    const err = await validatePrompt(file).catch((e: Error) => e);
    t.equal((err as Error).name, 'PromptFileError', name);
    t.match((err as Error).message, why, name);
    t.ok((err as Error).message.includes(file), `${name}: the message names the file`);
  }
  const unreadable = path.join(dir, 'dir.wav');
  fs.mkdirSync(unreadable);
  await t.rejects(validatePrompt(unreadable), /is a directory/);
});

t.test('WAV header parsing: odd chunks, extensible format, unknown data length', async (t) => {
  const base = wav({ samples: 800 });
  // Insert a LIST chunk of odd size (padded) between fmt and data.
  const list = Buffer.concat([
    Buffer.from('LIST', 'latin1'),
    Buffer.from([3, 0, 0, 0]),
    Buffer.from('abc\0', 'latin1'),
  ]);
  const withList = Buffer.concat([base.subarray(0, 36), list, base.subarray(36)]);
  const info = parseWavHeader(withList);
  t.equal(info.durationMs, 100);
  t.equal(info.dataOffset, 36 + list.length + 8);
  const streaming = Buffer.from(base);
  streaming.writeUInt32LE(0xffffffff, 40);
  t.equal(parseWavHeader(streaming).dataBytes, 1600, 'size taken from the file');
});
