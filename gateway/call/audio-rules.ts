// Who hears what, as a pure function of the call's legs: which senders rtpengine must
// block, and what each listener hears from the player (music, or a prompt then music).
// audio-plan.ts applies the difference; this file only decides.
import type { PromptFile } from '../../media';
import type { LegRole, LegState } from './leg-state';

export interface PartyView {
  tag: string;
  role: LegRole;
  state: LegState;
  held: boolean;
  muted: boolean;
  /** Its early media is what the customer hears (a ringing leg that sent 183 + SDP). */
  earlyBridged: boolean;
}

export interface AudioScene {
  customer: string;
  /** The party the customer talks with (up), or waits for (gone). */
  primary?: PartyView;
  /** A leg being rung for the customer. */
  dialing?: PartyView;
  /** Released legs whose media is still in rtpengine (until the next leg answers). */
  retired: readonly string[];
  /** A last prompt before hanging up (overflow without a destination). */
  finalPrompt?: PromptFile;
}

export type SoundPurpose = 'queue' | 'hold' | 'absence' | 'final';

export interface Sound {
  purpose: SoundPurpose;
  /** Same key, same sound: a prompt is not restarted while the plan is re-applied. */
  key: string;
  prompt?: PromptFile;
  music?: PromptFile;
}

export interface AudioWish {
  blocked: ReadonlySet<string>;
  sounds: ReadonlyMap<string, Sound>;
}

export interface ScenePrompts {
  agentDisconnected: PromptFile;
  waitMusic: PromptFile;
}

export function wishFor(scene: AudioScene, prompts: ScenePrompts): AudioWish {
  const blocked = new Set(scene.retired);
  const sounds = new Map<string, Sound>();
  const c = scene.customer;
  const music = (purpose: SoundPurpose): Sound => ({
    purpose,
    key: `music:${prompts.waitMusic.path}`,
    music: prompts.waitMusic,
  });
  if (scene.finalPrompt) {
    sounds.set(c, { purpose: 'final', key: 'final', prompt: scene.finalPrompt });
    return { blocked, sounds };
  }
  const p = scene.primary;
  if (p?.state === 'up') {
    if (p.held) {
      // On hold: neither hears the other; the customer hears music.
      blocked.add(p.tag).add(c);
      sounds.set(c, music('hold'));
    } else if (p.muted) {
      blocked.add(p.tag);
    }
  } else if (p?.state === 'gone') {
    blocked.add(p.tag);
    if (p.held) blocked.add(c);
    sounds.set(c, {
      purpose: 'absence',
      key: `absence:${p.tag}`,
      prompt: prompts.agentDisconnected,
      music: prompts.waitMusic,
    });
  } else if (!scene.dialing?.earlyBridged) {
    // Waiting for an agent: music, unless a ringing agent's early media replaces it.
    sounds.set(c, music('queue'));
  }
  return { blocked, sounds };
}
