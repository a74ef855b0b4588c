// Who hears of each call's life in the composition root: engagements, the policy, the
// handover desk (REFER), metrics, call records, the router and the drain; and what the
// gateway does when rtpengine lost its calls or a conversation changed.
import { RtpengineError, type RtpengineHandle } from '../media';
import type { CallRegistry } from './call/call-registry';
import { recordCall } from './call-records/record-call';
import type { CallRecordPublisher } from './call-records/call-record-publisher';
import { observeCallRecord } from './call-records/record-metrics';
import type { ConversationBook } from './conversations/conversation-book';
import type { DrainController } from './drain/drain-controller';
import type { Engagements } from './engagements/engagements';
import type { OpsEvents } from './events/ops-events';
import type { GatewayMetrics } from './metrics/gateway-metrics';
import type { NotificationCenter } from './notifications/notification-center';
import type { DisconnectCoordinator } from './policy/disconnect-coordinator';
import type { CallRouter } from './routing/call-router';
import type { HandoverDesk } from './routing/handover-desk';

export interface CallObservers {
  registry: CallRegistry;
  engagements: Engagements;
  coordinator: DisconnectCoordinator;
  desk: HandoverDesk;
  router: CallRouter;
  drain: DrainController;
  metrics: GatewayMetrics;
  records: CallRecordPublisher;
  rtpengine: RtpengineHandle;
  conversations: ConversationBook;
  notifications: NotificationCenter;
  events: OpsEvents;
}

export function observeCalls(o: CallObservers): void {
  const { registry, engagements, coordinator, desk, router, drain, metrics, records } = o;
  const { rtpengine, conversations, notifications } = o;
  const opsEvents = o.events;
  // Conversation events reach the agent's stream, the admin stream and the webhook.
  conversations.on('event', (ev) => {
    const { type, at, ...fields } = ev;
    notifications.box(ev.agentId).post({ type, callId: ev.callId, data: fields });
    records.publishEvent(opsEvents.publish(type, fields, at));
  });
  registry.on('opened', (call) => {
    engagements.track(call);
    call.on('phase', () => coordinator.phaseChanged(call));
    call.on('referred', (leg, req, res) => desk.refer(call, leg, req, res));
    metrics.callStarted();
    recordCall(call, (record) => {
      observeCallRecord(metrics, record);
      records.publish(record);
    });
    call.on('disconnected', (_agentId, evidence) => metrics.disconnectDetected(evidence));
    call.log.info(
      { from: call.customer.request.get('From'), source: call.customer.request.source_address },
      'customer call',
    );
  });
  // rtpengine restarted (or a new one answers): the calls it no longer knows lost their
  // media with it. Asked call by call: one set up since the restart is fine.
  rtpengine.health.on('stateLost', () => {
    for (const call of [...registry.all.values()])
      call.session.query().catch((err: unknown) => {
        if (err instanceof RtpengineError && err.unknownCall) void call.mediaLost();
      });
  });
  registry.on('closed', (call) => {
    router.forget(call);
    drain.callEnded();
  });
}
