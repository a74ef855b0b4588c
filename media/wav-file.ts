// RIFF/WAVE header parsing (the chunks a player needs: 'fmt ' and 'data'). Used to
// validate prompt files and to know a prompt's duration before rtpengine plays it.

export interface WavInfo {
  /** 1 = PCM, 3 = IEEE float, 6 = A-law, 7 = μ-law (WAVE_FORMAT_EXTENSIBLE resolved). */
  format: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  blockAlign: number;
  dataOffset: number;
  dataBytes: number;
  durationMs: number;
}

export class WavFormatError extends Error {
  override name = 'WavFormatError';
}

const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/**
 * Parses the header of a WAV file held (at least its first chunks) in `buf`.
 * `fileBytes` is the file's real size, to cope with a 'data' chunk of unknown length.
 */
export function parseWavHeader(buf: Buffer, fileBytes = buf.length): WavInfo {
  if (buf.length < 12) throw new WavFormatError(`too short for a WAV file (${buf.length} bytes)`);
  if (buf.toString('latin1', 0, 4) !== 'RIFF' || buf.toString('latin1', 8, 12) !== 'WAVE') {
    throw new WavFormatError(
      `not a RIFF/WAVE file (starts with ${JSON.stringify(buf.toString('latin1', 0, 4))})`,
    );
  }
  let offset = 12;
  let fmt: Omit<WavInfo, 'dataOffset' | 'dataBytes' | 'durationMs'> | undefined;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('latin1', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > buf.length) throw new WavFormatError(`truncated 'fmt ' chunk`);
      let format = buf.readUInt16LE(body);
      if (format === WAVE_FORMAT_EXTENSIBLE && size >= 40 && body + 26 <= buf.length) {
        format = buf.readUInt16LE(body + 24); // first two bytes of the SubFormat GUID
      }
      fmt = {
        format,
        channels: buf.readUInt16LE(body + 2),
        sampleRate: buf.readUInt32LE(body + 4),
        blockAlign: buf.readUInt16LE(body + 12),
        bitsPerSample: buf.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!fmt) throw new WavFormatError(`'data' chunk before 'fmt ' chunk`);
      // Streaming writers leave the size at 0 or 0xffffffff: take the rest of the file.
      const rest = fileBytes - body;
      const dataBytes = size === 0 || size === 0xffffffff || size > rest ? rest : size;
      const bytesPerSecond = fmt.sampleRate * fmt.blockAlign;
      if (!bytesPerSecond) throw new WavFormatError('sample rate or block align is zero');
      return {
        ...fmt,
        dataOffset: body,
        dataBytes,
        durationMs: Math.round((dataBytes / bytesPerSecond) * 1000),
      };
    }
    offset = body + size + (size & 1); // chunks are padded to even sizes
  }
  throw new WavFormatError(fmt ? `no 'data' chunk found` : `no 'fmt ' chunk found`);
}
