// The one owner of what rtpengine blocks and plays for a call. The call says "the scene
// changed" (sync); the plan asks audio-rules.ts what everybody should hear and sends
// rtpengine only the difference: blocks first (an absent party is silenced before its
// prompt starts), then the player, then unblocks. Runs one apply at a time; syncs that
// arrive meanwhile share the next one.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { Playback, type MediaSession } from '../../media';
import { wishFor, type AudioScene, type ScenePrompts, type Sound } from './audio-rules';

interface Playing {
  sound: Sound;
  playback: Playback;
}

export interface AudioPlanEvents {
  /** A sound started for a listener (records: when the disconnected prompt began). */
  started: [listener: string, sound: Sound];
}

export class AudioPlan extends EventEmitter<AudioPlanEvents> {
  private readonly blocked = new Set<string>();
  private readonly playing = new Map<string, Playing>();
  private tail: Promise<void> = Promise.resolve();
  private next?: Promise<void>;
  private closed = false;

  constructor(
    private readonly session: MediaSession,
    private readonly scene: () => AudioScene,
    private readonly prompts: ScenePrompts,
    private readonly log: Logger,
  ) {
    super();
    session.on('legRemoved', (tag) => this.forget(tag));
  }

  /** What `listener` hears from the player now, if anything. */
  hearing(listener: string): Sound | undefined {
    return this.playing.get(listener)?.sound;
  }

  /** Brings rtpengine in line with the scene as it is when the apply starts. */
  sync(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.next) return this.next;
    const run = this.tail.then(() => {
      this.next = undefined;
      return this.apply();
    });
    this.next = run;
    this.tail = run.catch(() => {});
    return run;
  }

  /** No more commands; players stop (the session may already be gone). */
  async close(): Promise<void> {
    this.closed = true;
    await this.tail;
    const all = [...this.playing.values()];
    this.playing.clear();
    await Promise.all(all.map((p) => p.playback.stop().catch(() => {})));
  }

  private async apply(): Promise<void> {
    if (this.closed || this.session.closed) return;
    const wish = wishFor(this.scene(), this.prompts);
    for (const tag of wish.blocked) {
      if (this.blocked.has(tag) || !this.present(tag)) continue;
      if (await this.attempt(`block ${tag}`, () => this.session.block(tag))) this.blocked.add(tag);
    }
    for (const [listener, current] of [...this.playing]) {
      const wanted = wish.sounds.get(listener);
      if (wanted && sameSound(current, wanted)) continue;
      this.playing.delete(listener);
      await this.attempt(`stop the player for ${listener}`, () => current.playback.stop());
    }
    for (const [listener, sound] of wish.sounds) {
      if (this.playing.has(listener) || !this.present(listener)) continue;
      await this.start(listener, sound);
    }
    for (const tag of [...this.blocked]) {
      if (wish.blocked.has(tag)) continue;
      this.blocked.delete(tag);
      if (this.present(tag)) await this.attempt(`unblock ${tag}`, () => this.session.unblock(tag));
    }
  }

  private async start(listener: string, sound: Sound): Promise<void> {
    if (this.closed) return;
    const playback = new Playback(this.session, {
      listener,
      prompt: sound.prompt,
      music: sound.music,
      onError: (err) => this.log.warn({ err: err.message, listener }, 'playback'),
    });
    this.playing.set(listener, { sound, playback });
    if (await this.attempt(`play to ${listener}`, () => playback.start()))
      this.emit('started', listener, sound);
  }

  private present(tag: string): boolean {
    return this.session.leg(tag) !== undefined;
  }

  private forget(tag: string): void {
    this.blocked.delete(tag);
    const p = this.playing.get(tag);
    if (p) {
      this.playing.delete(tag);
      void p.playback.stop().catch(() => {});
    }
  }

  private async attempt(what: string, fn: () => Promise<void>): Promise<boolean> {
    try {
      await fn();
      return true;
    } catch (err) {
      if (!this.closed && !this.session.closed)
        this.log.error({ err: (err as Error).message }, `could not ${what}`);
      return false;
    }
  }
}

/** Music already playing (alone, or after its prompt) is the music wanted: no restart. */
function sameSound(current: Playing, wanted: Sound): boolean {
  if (current.sound.key === wanted.key) return true;
  if (wanted.prompt || !wanted.music) return false;
  const state = current.playback.state;
  const musicNow = state === 'music' || (state !== 'prompt' && !current.sound.prompt);
  return musicNow && current.sound.music?.path === wanted.music.path;
}
