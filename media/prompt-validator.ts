// Start-up check of an audio file holdfast will ask rtpengine to play: it must exist, be
// readable, and be a RIFF/WAVE of 16-bit PCM mono (what rtpengine plays reliably; raw .ul
// files are misdetected by its ffmpeg demuxer). The error names the file and the fix.
import fs from 'node:fs/promises';
import path from 'node:path';
import { PromptFileError } from './errors';
import { parseWavHeader, WavFormatError } from './wav-file';

export interface PromptFile {
  /** Absolute: rtpengine resolves relative names against its own working directory. */
  path: string;
  durationMs: number;
  sampleRate: number;
}

const HOW_TO_FIX =
  'convert it with: sox <input> -r 8000 -c 1 -b 16 -e signed-integer <output>.wav (see prompts/README.md)';
const MIN_RATE = 8000;
const MAX_RATE = 48000;

export async function validatePrompt(file: string): Promise<PromptFile> {
  const abs = path.resolve(file);
  let head: Buffer;
  let size: number;
  try {
    const handle = await fs.open(abs, 'r');
    try {
      size = (await handle.stat()).size;
      head = Buffer.alloc(Math.min(size, 4096));
      await handle.read(head, 0, head.length, 0);
    } finally {
      await handle.close();
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EACCES'
          ? 'is not readable by this process (check its permissions)'
          : code === 'EISDIR'
            ? 'is a directory, not a file'
            : `cannot be read (${(err as Error).message})`;
    throw new PromptFileError(`prompt file ${abs} ${why}`, abs);
  }
  let info;
  try {
    info = parseWavHeader(head, size);
  } catch (err) {
    const why = err instanceof WavFormatError ? err.message : String(err);
    throw new PromptFileError(
      `prompt file ${abs} is not a playable WAV file: ${why}; ${HOW_TO_FIX}`,
      abs,
    );
  }
  const problems: string[] = [];
  if (info.format !== 1) problems.push(`its encoding is format ${info.format}, not PCM (1)`);
  if (info.bitsPerSample !== 16)
    problems.push(`it has ${info.bitsPerSample}-bit samples, not 16-bit`);
  if (info.channels !== 1) problems.push(`it has ${info.channels} channels, not 1 (mono)`);
  if (info.sampleRate < MIN_RATE || info.sampleRate > MAX_RATE) {
    problems.push(`its sample rate ${info.sampleRate} Hz is outside ${MIN_RATE}–${MAX_RATE} Hz`);
  }
  if (info.durationMs < 100) problems.push(`it holds only ${info.durationMs} ms of audio`);
  if (problems.length) {
    throw new PromptFileError(
      `prompt file ${abs} cannot be used: ${problems.join('; ')}; ${HOW_TO_FIX}`,
      abs,
    );
  }
  return { path: abs, durationMs: info.durationMs, sampleRate: info.sampleRate };
}
