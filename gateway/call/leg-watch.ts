// Watching one leg's media: the watchdog's loss and return events for that leg only.
import type { MediaSession, MediaWatchdog } from '../../media';

export interface LegWatchListener {
  lost(e: { silentForMs: number }): void;
  restored(): void;
}

/** Starts watching `tag`; returns what stops it. */
export function watchLeg(
  watchdog: MediaWatchdog,
  session: MediaSession,
  tag: string,
  listener: LegWatchListener,
): () => void {
  const mine = (e: { callId: string; tag: string }) => e.callId === session.callId && e.tag === tag;
  const onLost = (e: { callId: string; tag: string; silentForMs: number }) => {
    if (mine(e)) listener.lost(e);
  };
  const onRestored = (e: { callId: string; tag: string }) => {
    if (mine(e)) listener.restored();
  };
  watchdog.on('lost', onLost);
  watchdog.on('restored', onRestored);
  watchdog.watch(session, tag);
  return () => {
    watchdog.off('lost', onLost);
    watchdog.off('restored', onRestored);
    watchdog.unwatch(session.callId, tag);
  };
}
