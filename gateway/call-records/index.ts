export * from './call-record';
export { callOutcome, type OutcomeFacts } from './call-outcome';
export { CallRecordBuilder, type CallRecordBuilderOptions } from './call-record-builder';
export { CallRecordPublisher, type CallRecordSink } from './call-record-publisher';
export { backoffDelay, type BackoffOptions } from './retry-backoff';
export {
  WebhookConfigError,
  WebhookSink,
  type WebhookDropReason,
  type WebhookSinkOptions,
} from './webhook-sink';
export * from './webhook-signature';
