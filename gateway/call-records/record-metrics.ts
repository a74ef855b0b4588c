// The end-of-call metrics, taken from the finished call record: outcome, episode outcomes
// and latencies, queue wait. One call at the end of each call keeps them consistent with
// what the record says; live gauges (active calls, agents, queue) are fed as things happen.
import type { CallRecord } from './call-record';
import type { GatewayMetrics } from '../metrics/gateway-metrics';

export function observeCallRecord(metrics: GatewayMetrics, record: CallRecord): void {
  metrics.callEnded(record.outcome);
  if (record.queueWaitMs !== undefined) metrics.observeQueueWait(record.queueWaitMs);
  for (const ep of record.disconnects) {
    metrics.episodeEnded(ep.outcome);
    if (ep.detectionToPromptMs !== undefined)
      metrics.observeDetectionToPrompt(ep.detectionToPromptMs);
    if (ep.reconnectToAudioMs !== undefined) metrics.observeReconnectToAudio(ep.reconnectToAudioMs);
  }
}
