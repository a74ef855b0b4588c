// Which agent gets the next call: the one idle the longest among those available and
// reachable, skipping those that already failed or declined this call.
import type { Agent } from './agent';

export function selectAgent(
  agents: Iterable<Agent>,
  skip: ReadonlySet<string> = new Set(),
): Agent | undefined {
  let best: Agent | undefined;
  for (const a of agents) {
    if (a.status !== 'available' || !a.contact || skip.has(a.id)) continue;
    if (!best || a.idleSince < best.idleSince || (a.idleSince === best.idleSince && a.id < best.id))
      best = a;
  }
  return best;
}
