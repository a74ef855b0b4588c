// Plays a party a prompt once and then wait music in a loop, while the party it should no
// longer hear (the absent agent) is blocked; stop() undoes exactly that.
//
// rtpengine 10.5 cannot chain two files in one player, so the music starts when the prompt
// ends: at the duration rtpengine reports for the prompt (or the WAV header's), plus a small
// margin so that a late timer never cuts the prompt's tail. A later `play media` replaces
// the current player for that party (measured), so the hand-over needs no `stop media`.
// The alternative (one pre-mixed prompt+music file) would replay the prompt on every loop.
import createDebug from 'debug';
import { systemClock, type Clock, type Timer } from '../time/clock';
import { PromptFileError, RtpengineError } from './errors';
import type { MediaSession } from './media-session';
import type { PromptFile } from './prompt-validator';

const debug = createDebug('holdfast:playback');

export type PlaybackState = 'idle' | 'prompt' | 'music' | 'stopped';

export interface PlaybackOptions {
  /** The leg that hears the audio (rtpengine's play media from-tag). */
  listener: string;
  /** The leg whose media the listener must not hear meanwhile (block media from-tag). */
  absent?: string;
  /** Played once first; omit for music only. */
  prompt?: PromptFile;
  /** Looped after the prompt; omit for the prompt only. */
  music?: PromptFile;
  /** Silence between prompt end and music, also a margin for timer lateness. Default 100 ms. */
  gapMs?: number;
  /** Loops of the music file (rtpengine's repeat-times). Default 100000: until stopped. */
  musicRepeats?: number;
  clock?: Clock;
  /** Failures after start() (starting the music); default: logged. */
  onError?: (err: Error) => void;
}

export class Playback {
  private stateValue: PlaybackState = 'idle';
  private timer?: Timer;
  private blocked = false;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly clock: Clock;

  constructor(
    private readonly session: MediaSession,
    private readonly opts: PlaybackOptions,
  ) {
    if (!opts.prompt && !opts.music) throw new TypeError('Playback needs a prompt, music, or both');
    this.clock = opts.clock ?? systemClock;
  }

  get state(): PlaybackState {
    return this.stateValue;
  }

  get listener(): string {
    return this.opts.listener;
  }

  /** Blocks the absent party and starts the prompt (or the music when there is no prompt). */
  start(): Promise<void> {
    return this.serial(async () => {
      this.expect('start', ['idle']);
      if (this.opts.absent) {
        await this.session.block(this.opts.absent);
        this.blocked = true;
      }
      try {
        if (this.opts.prompt) await this.playPrompt(this.opts.prompt);
        else await this.playMusic();
      } catch (err) {
        // Leave nothing half-done: the absent party is heard again.
        if (this.blocked) {
          this.blocked = false;
          await this.session.unblock(this.opts.absent!).catch(() => {});
        }
        throw err;
      }
    });
  }

  /** Plays another prompt now (e.g. a more specific message), then the music again. */
  replacePrompt(prompt: PromptFile): Promise<void> {
    return this.serial(async () => {
      this.expect('replacePrompt', ['prompt', 'music']);
      this.cancelTimer();
      await this.playPrompt(prompt);
    });
  }

  /** Stops the audio and unblocks the absent party. Idempotent; safe after the call ended. */
  stop(): Promise<void> {
    return this.serial(async () => {
      if (this.stateValue === 'stopped') return;
      const wasPlaying = this.stateValue === 'prompt' || this.stateValue === 'music';
      this.cancelTimer();
      this.transition('stopped');
      if (this.session.closed) return;
      if (wasPlaying) {
        // Nothing may be playing any more (a prompt without music ended): that is fine.
        await this.session.stopPlaying(this.opts.listener);
      }
      if (this.blocked) {
        this.blocked = false;
        await this.session.unblock(this.opts.absent!);
      }
    });
  }

  private async playPrompt(prompt: PromptFile): Promise<void> {
    const reported = await this.play(prompt, 1);
    this.transition('prompt');
    const duration = reported ?? prompt.durationMs;
    if (!this.opts.music) return;
    this.timer = this.clock.after(duration + (this.opts.gapMs ?? 100), () => {
      this.timer = undefined;
      this.serial(async () => {
        if (this.stateValue !== 'prompt') return;
        await this.playMusic();
      }).catch((err: Error) =>
        (this.opts.onError ?? ((e: Error) => debug('music: %s', e.message)))(err),
      );
    });
  }

  private async playMusic(): Promise<void> {
    await this.play(this.opts.music!, this.opts.musicRepeats ?? 100000);
    this.transition('music');
  }

  private async play(file: PromptFile, repeats: number) {
    try {
      return await this.session.play(this.opts.listener, file.path, repeats);
    } catch (err) {
      if (err instanceof RtpengineError && err.reason && /media playback/i.test(err.reason)) {
        throw new PromptFileError(
          `rtpengine could not play ${file.path} (${err.reason}): the file must exist on the ` +
            `rtpengine host at that path and be a WAV rtpengine can decode`,
          file.path,
        );
      }
      throw err;
    }
  }

  private transition(to: PlaybackState): void {
    debug('%s: %s → %s', this.opts.listener, this.stateValue, to);
    this.stateValue = to;
  }

  private expect(action: string, states: PlaybackState[]): void {
    if (!states.includes(this.stateValue)) {
      throw new Error(
        `playback to ${this.opts.listener}: cannot ${action} while ${this.stateValue}`,
      );
    }
  }

  private cancelTimer(): void {
    if (this.timer) this.timer.cancel();
    this.timer = undefined;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    this.chain = run.catch(() => {});
    return run;
  }
}
