// Who hears what, as a pure function of the call's legs: which senders rtpengine must
// block, and what each listener hears from the player (music, or a prompt then music).
// audio-plan.ts applies the difference; this file only decides.
import type { PromptFile } from '../../media';
import type { CallPhase } from './call-phase';
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
  phase: CallPhase;
  customer: string;
  /** The party the customer talks with (up), or waits for (gone). */
  primary?: PartyView;
  /** A leg being rung for the customer. */
  dialing?: PartyView;
  /** The agent the primary consults (ringing or talking with it). */
  consult?: PartyView;
  /** The target of a blind transfer, while it rings. */
  transfer?: PartyView;
  /** Released legs whose media is still in rtpengine (until the next leg answers). */
  retired: readonly string[];
  /** A last prompt before hanging up (overflow without a destination). */
  finalPrompt?: PromptFile;
  /** The call arrived less than queue.musicDelayMs ago: no wait music yet. */
  musicDelayed?: boolean;
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
  primaryDisconnected: PromptFile;
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
  if (scene.phase === 'consulting') {
    consulting(scene, prompts, blocked, sounds, music('hold'));
    return { blocked, sounds };
  }
  if (scene.phase === 'transferring') {
    // Whom the primary hands over to is rung: the customer waits with music, unless the
    // target's early media replaces it (pairing keeps the primary out of both).
    if (!scene.transfer?.earlyBridged) sounds.set(c, music('hold'));
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
  } else if (!scene.dialing?.earlyBridged && !scene.musicDelayed) {
    // Waiting for an agent: music, unless a ringing agent's early media replaces it, or
    // the call has only just arrived (an agent may answer before music is worth starting).
    sounds.set(c, music('queue'));
  }
  return { blocked, sounds };
}

/**
 * The primary talks with the consulted agent; the customer is on hold with music and is
 * heard by nobody (rtpengine's pairing sees to that). A gone primary: the consulted agent
 * hears the primary-disconnected prompt, then music. The consult ending (no consulted leg
 * any more, the customer not yet paired with the primary again): the music stops, since
 * that pairing would kill its player unseen, and a customer put back on hold is blocked
 * with its agent before the pairing lets them hear each other.
 */
function consulting(
  scene: AudioScene,
  prompts: ScenePrompts,
  blocked: Set<string>,
  sounds: Map<string, Sound>,
  hold: Sound,
): void {
  const p = scene.primary;
  const s = scene.consult;
  if (p?.state === 'gone' || (p?.state === 'up' && p.muted)) blocked.add(p.tag);
  if (!s) {
    if (p?.state === 'up' && p.held) blocked.add(p.tag).add(scene.customer);
    return;
  }
  sounds.set(scene.customer, hold);
  if (s?.state === 'up' && s.muted) blocked.add(s.tag);
  if (p?.state === 'gone' && s?.state === 'up') {
    sounds.set(s.tag, {
      purpose: 'absence',
      key: `absence:${p.tag}`,
      prompt: prompts.primaryDisconnected,
      music: prompts.waitMusic,
    });
  }
}
