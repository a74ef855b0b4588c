// Events that are not call records but that the outside must hear of (conversations kept,
// rejoined or rerouted while an agent was gone; a call ended with its chat): one shape for
// the admin stream and the signed webhook.
import { EventEmitter } from 'node:events';

export const GATEWAY_EVENT_SCHEMA = 'holdfast.event/1';

export interface GatewayEvent {
  schema: typeof GATEWAY_EVENT_SCHEMA;
  type: string;
  /** ISO 8601 (UTC). */
  at: string;
  agentId?: string;
  callId?: string;
  [field: string]: unknown;
}

export class OpsEvents extends EventEmitter<{ event: [GatewayEvent] }> {
  publish(type: string, fields: Omit<GatewayEvent, 'schema' | 'type' | 'at'>, at = Date.now()) {
    const event: GatewayEvent = {
      schema: GATEWAY_EVENT_SCHEMA,
      type,
      at: new Date(at).toISOString(),
      ...fields,
    };
    this.emit('event', event);
    return event;
  }
}
