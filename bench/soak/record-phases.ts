// Where a call was when the customer left it, read from the gateway's own call record:
// which phases the soak's hang-ups really hit (not just which the scripts aimed at).
import type { CallRecord } from '../../gateway/call-records/call-record';

export type HangupPhase = 'queued' | 'ringing' | 'talking' | 'prompt' | 'music' | 'reroute';

export function hangupPhase(r: CallRecord, promptMs: number): HangupPhase | undefined {
  if (r.endReason !== 'customer-hangup' && r.endReason !== 'customer-cancel') return undefined;
  if (!r.answeredAt) return r.legs.length ? 'ringing' : 'queued';
  const at = (s?: string) => (s ? Date.parse(s) : NaN);
  const episode = r.disconnects[r.disconnects.length - 1];
  const lastLeg = r.legs[r.legs.length - 1];
  // Rerouted at the window: the customer left before another agent took the call.
  if (
    episode?.outcome === 'rerouted' &&
    (!lastLeg?.answeredAt || lastLeg.agentId === episode.agentId)
  )
    return 'reroute';
  if (!episode || episode.outcome !== 'customer-left') return 'talking';
  const promptAt = at(episode.promptAt);
  if (Number.isFinite(promptAt) && at(r.endedAt) - promptAt < promptMs) return 'prompt';
  return 'music';
}
