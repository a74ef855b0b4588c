// Every agent's notification box, by agent id, all under the same limits.
import type { NotificationLimits } from '../config/config-types';
import { DEFAULTS } from '../config/defaults';
import { NotificationBox } from './notification-box';

export class NotificationCenter {
  private readonly boxes = new Map<string, NotificationBox>();

  constructor(
    agentIds: string[],
    now: () => number,
    /** The configuration's `notifications` (defaults until the caller passes them). */
    limits: NotificationLimits = DEFAULTS.notifications,
  ) {
    for (const id of agentIds) this.boxes.set(id, new NotificationBox(id, now, limits));
  }

  box(agentId: string): NotificationBox {
    const b = this.boxes.get(agentId);
    if (!b) throw new Error(`no notification box for agent ${agentId}`);
    return b;
  }
}
