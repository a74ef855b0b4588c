// Where a finished call record goes: always the log (info), and the webhook when one is
// configured. Publishing never throws into call handling.
import type { Logger } from 'pino';
import type { CallRecord } from './call-record';

export interface CallRecordSink {
  submit(record: CallRecord): void;
  /** Other signed events (a payload with its own `schema`), when the sink takes them. */
  submitEvent?(event: { schema: string; callId?: string }): void;
  close(): Promise<void>;
}

export class CallRecordPublisher {
  constructor(
    private readonly log: Logger,
    private readonly sink?: CallRecordSink,
  ) {}

  publish(record: CallRecord): void {
    try {
      this.log.info({ callId: record.callId, callRecord: record }, 'call record');
      this.sink?.submit(record);
    } catch (err) {
      this.log.error({ err, callId: record.callId }, 'call record could not be published');
    }
  }

  /** Another signed event for the webhook (its payload carries its own `schema`). */
  publishEvent(event: { schema: string; type: string; callId?: string }): void {
    try {
      this.log.info({ callId: event.callId, event }, 'gateway event');
      this.sink?.submitEvent?.(event);
    } catch (err) {
      this.log.error({ err, type: event.type }, 'gateway event could not be published');
    }
  }

  close(): Promise<void> {
    return this.sink?.close() ?? Promise.resolve();
  }
}
