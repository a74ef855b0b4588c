// Bounds on what the gateway holds: waiting calls (`queue`) and held notifications
// (`notifications`).
import type { HoldfastConfig, NotificationLimits } from './config-types';
import { DEFAULTS } from './defaults';
import { positiveInt, type Obj } from './config-values';

export const QUEUE_KEYS = [
  'ringTimeoutMs',
  'musicDelayMs',
  'maxWaitMs',
  'maxQueued',
  'retryAfterS',
] as const;
export const NOTIFICATION_KEYS = ['maxHeld', 'maxHeldBytes', 'maxAgeMs'] as const;

export function parseQueue(queue: Obj): HoldfastConfig['queue'] {
  const d = DEFAULTS.queue;
  return {
    ringTimeoutMs: positiveInt(queue.ringTimeoutMs, 'queue.ringTimeoutMs', d.ringTimeoutMs),
    musicDelayMs: positiveInt(queue.musicDelayMs, 'queue.musicDelayMs', d.musicDelayMs, true),
    maxWaitMs: positiveInt(queue.maxWaitMs, 'queue.maxWaitMs', d.maxWaitMs),
    maxQueued: positiveInt(queue.maxQueued, 'queue.maxQueued', d.maxQueued),
    retryAfterS: positiveInt(queue.retryAfterS, 'queue.retryAfterS', d.retryAfterS),
  };
}

export function parseNotifications(n: Obj): NotificationLimits {
  const d = DEFAULTS.notifications;
  return {
    maxHeld: positiveInt(n.maxHeld, 'notifications.maxHeld', d.maxHeld),
    maxHeldBytes: positiveInt(n.maxHeldBytes, 'notifications.maxHeldBytes', d.maxHeldBytes),
    maxAgeMs: positiveInt(n.maxAgeMs, 'notifications.maxAgeMs', d.maxAgeMs),
  };
}
