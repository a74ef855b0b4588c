// Shared by the multi-party media tests: parties that each send their own tone through a
// real rtpengine, and what each of them hears, decoded (tones by frequency, the prompt and
// the wait music by correlation with the files), plus who rtpengine forwards each tag to.
import path from 'node:path';
import type { Test } from 'tap';
import type { MediaSession } from '../../media/media-session';
import { RtpEndpoint } from '../helpers/rtp-endpoint';
import { readWav } from '../helpers/audio-wav';
import { classify, joinSamples } from '../helpers/audio-compare';

export const PROMPTS = path.join(__dirname, '..', '..', 'prompts');
export const MUSIC_FILE = path.join(PROMPTS, 'wait-music.wav');
export const PROMPT_FILE = path.join(PROMPTS, 'primary-agent-disconnected.wav');

/** Each party's tone: what it says, so that whoever hears it can be told. */
export const TONES = { C: 600, P: 1000, S: 1400, T: 1800 } as const;
export type Party = keyof typeof TONES;

const REFS = [
  { name: 'music', samples: readWav(MUSIC_FILE).samples },
  { name: 'prompt', samples: readWav(PROMPT_FILE).samples },
];
const TONE_REFS = Object.entries(TONES).map(([name, freqHz]) => ({ name, freqHz }));

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An RTP endpoint sending `party`'s tone (once it knows where to). */
export async function party(t: Test, name: Party): Promise<RtpEndpoint> {
  const ep = await RtpEndpoint.open();
  t.teardown(() => ep.close());
  ep.play({ tone: TONES[name] });
  return ep;
}

/**
 * What each endpoint hears over `ms` (after `settleMs` for in-flight packets): the sorted
 * labels of the streams that reached it with at least `minPackets` packets — a party's
 * name for its tone, 'music', 'prompt', or 'unknown'.
 */
export async function hearing(
  eps: Partial<Record<Party, RtpEndpoint>>,
  opts: { ms?: number; settleMs?: number; minPackets?: number } = {},
): Promise<Record<string, string[]>> {
  const entries = Object.entries(eps) as [Party, RtpEndpoint][];
  await sleep(opts.settleMs ?? 200);
  for (const [, ep] of entries) ep.clear();
  await sleep(opts.ms ?? 800);
  const out: Record<string, string[]> = {};
  for (const [name, ep] of entries) {
    const labels = new Set<string>();
    for (const stream of ep.streams()) {
      if (stream.packets.length < (opts.minPackets ?? 3)) continue;
      labels.add(classify(joinSamples(stream.packets), REFS, TONE_REFS));
    }
    out[name] = [...labels].sort();
  }
  return out;
}

interface QueriedTag {
  subscribers?: { tag: string }[];
  medias?: { streams?: { 'local port'?: number }[] }[];
}

/**
 * For each live tag of the session (parties and their stand-ins), the live tags rtpengine
 * forwards its media to (its `subscribers` in a query reply).
 */
export async function forwarding(session: MediaSession): Promise<Record<string, string[]>> {
  const reply = await session.query();
  const tags = (reply.tags ?? {}) as Record<string, QueriedTag>;
  // A deleted tag stays in the reply, without local ports.
  const live = new Set(
    Object.keys(tags).filter(
      (tag) =>
        session.legTags.some((p) => tag === p || tag === `${p}~alone`) &&
        tags[tag].medias?.some((m) => m.streams?.some((s) => s['local port'] !== undefined)),
    ),
  );
  const out: Record<string, string[]> = {};
  for (const tag of [...live].sort()) {
    out[tag] = (tags[tag].subscribers ?? [])
      .map((s) => s.tag)
      .filter((s) => live.has(s))
      .sort();
  }
  return out;
}
