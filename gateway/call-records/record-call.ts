// Feeds one call's events into its CallRecordBuilder and hands over the record when the
// call ends. The builder ignores late or repeated events, so this is a plain mapping.
import type { AgentLeg } from '../call/agent-leg';
import type { Call } from '../call/call';
import type { CallRecord } from './call-record';
import { CallRecordBuilder } from './call-record-builder';

/** A leg as the record names it: its agent, or 'overflow' for the overflow destination. */
const legName = (leg: AgentLeg) => leg.agentId ?? 'overflow';

export function recordCall(call: Call, onRecord: (record: CallRecord) => void): CallRecordBuilder {
  const req = call.customer.request;
  const b = new CallRecordBuilder({
    callId: call.id,
    customer: {
      from: req.get('From') ?? '',
      to: req.get('To') ?? undefined,
      source: req.source_address,
      sipCallId: req.get('Call-ID') ?? undefined,
    },
  });
  call.on('legOffered', (leg) =>
    b.legOffered(legName(leg), { resumption: leg.spec.resume, role: leg.role }),
  );
  call.on('legAnswered', (leg) => b.legAnswered(legName(leg)));
  call.on('legEnded', (leg, reason) => b.legEnded(legName(leg), reason));
  call.on('disconnected', (agentId, evidence) => b.agentGone(agentId, evidence));
  call.on('promptStarted', () => b.promptStarted());
  call.on('returned', (evidence) => b.agentReturned(evidence));
  call.on('reattached', () => b.reattached());
  call.on('rerouted', () => b.rerouted());
  call.on('policyApplied', (cell) => b.policyApplied(cell));
  call.on('overflowed', (target) => b.overflowed(target));
  call.on('ended', (reason) => onRecord(b.end(reason)));
  return b;
}
