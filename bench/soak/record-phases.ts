// Where a call was when the customer left it, read from the gateway's own call record:
// which phases the soak's hang-ups really hit (not just which the scripts aimed at).
import type { CallRecord } from '../../gateway/call-records/call-record';

export type HangupPhase = 'queued' | 'ringing' | 'talking' | 'prompt' | 'music' | 'reroute';

export function hangupPhase(r: CallRecord, promptMs: number): HangupPhase | undefined {
  if (r.endReason !== 'customer-hangup' && r.endReason !== 'customer-cancel') return undefined;
  const at = (s?: string) => (s ? Date.parse(s) : NaN);
  const ended = at(r.endedAt);
  if (!r.answeredAt) return r.legs.length ? 'ringing' : 'queued';
  const episode = r.disconnects[r.disconnects.length - 1];
  if (!episode || episode.outcome !== 'customer-left') return 'talking';
  const t0 = at(episode.t0);
  // A new agent offered during the episode (not the same one resumed): the reroute was on.
  const rerouting = r.legs.some(
    (l) => !l.resumption && l.agentId !== episode.agentId && at(l.offeredAt) >= t0,
  );
  if (rerouting) return 'reroute';
  const promptAt = at(episode.promptAt);
  if (Number.isFinite(promptAt) && ended - promptAt < promptMs) return 'prompt';
  return 'music';
}
