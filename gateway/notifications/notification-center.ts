// Every agent's notification box, by agent id.
import { NotificationBox } from './notification-box';

export class NotificationCenter {
  private readonly boxes = new Map<string, NotificationBox>();

  constructor(
    agentIds: string[],
    private readonly now: () => number,
  ) {
    for (const id of agentIds) this.boxes.set(id, new NotificationBox(id, now));
  }

  box(agentId: string): NotificationBox {
    const b = this.boxes.get(agentId);
    if (!b) throw new Error(`no notification box for agent ${agentId}`);
    return b;
  }
}
