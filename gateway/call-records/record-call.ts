// Feeds one call's events into its CallRecordBuilder and hands over the record when the
// call ends. The builder ignores late or repeated events, so this is a plain mapping.
import type { Call } from '../call/call';
import type { SipRequest } from '../sip/srf-types';
import type { CallRecord } from './call-record';
import { CallRecordBuilder } from './call-record-builder';

export function recordCall(
  call: Call,
  req: SipRequest,
  onRecord: (record: CallRecord) => void,
): CallRecordBuilder {
  const b = new CallRecordBuilder({
    callId: call.id,
    customer: {
      from: req.get('From') ?? '',
      to: req.get('To') ?? undefined,
      source: req.source_address,
      sipCallId: req.get('Call-ID') ?? undefined,
    },
  });
  call.on('legOffered', (agentId, resumption) => b.legOffered(agentId, { resumption }));
  call.on('legAnswered', (agentId) => b.legAnswered(agentId));
  call.on('legEnded', (agentId, reason) => b.legEnded(agentId, reason));
  call.on('disconnected', (agentId, evidence) => b.agentGone(agentId, evidence));
  call.on('promptStarted', () => b.promptStarted());
  call.on('returned', (evidence) => b.agentReturned(evidence));
  call.on('reattached', () => b.reattached());
  call.on('rerouted', () => b.rerouted());
  call.on('overflowed', (target) => b.overflowed(target));
  call.on('ended', (reason) => onRecord(b.end(reason)));
  return b;
}
