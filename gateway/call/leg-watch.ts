// Watching one leg's media through the watchdog's per-leg listener: loss and return are
// evidence about the agent; a stall (rtpengine stopped forwarding after a freeze) or the
// call gone from rtpengine (it restarted) means the call's media is dead.
import type { MediaSession, MediaWatchdog } from '../../media';

export interface LegWatchListener {
  lost(e: { silentForMs: number }): void;
  restored(): void;
  /** The media cannot come back on these ports (stalled rtpengine, or the call is gone). */
  dead(why: 'stalled' | 'gone'): void;
}

/** Starts watching `tag`; returns what stops it. */
export function watchLeg(
  watchdog: MediaWatchdog,
  session: MediaSession,
  tag: string,
  listener: LegWatchListener,
): () => void {
  const handle = watchdog.watch(session, tag, {
    lost: (e) => listener.lost(e),
    restored: () => listener.restored(),
    stalled: () => listener.dead('stalled'),
    gone: () => listener.dead('gone'),
  });
  return () => handle.unwatch();
}
