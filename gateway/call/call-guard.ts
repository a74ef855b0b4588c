// A fault inside one call's SIP handler must not take the gateway down with every other
// call: the handler's exception (thrown, or a rejected promise) is logged, the request gets
// a 500 if nothing answered it yet, and that call alone ends, cleanly, with a record.
import type { Logger } from 'pino';
import type { SipResponse } from '../sip-types/srf-types';

export interface Guarded {
  readonly log: Logger;
  /** Ends the call after an internal error (idempotent). */
  fail(err: Error): void;
}

/** Wraps an in-dialog handler `(req, res) => void | Promise<void>` for `call`. */
export function guard<A extends unknown[]>(
  call: Guarded,
  what: string,
  handler: (...args: A) => void | Promise<void>,
): (...args: A) => void {
  return (...args: A) => {
    const failed = (err: unknown) => {
      const error = err instanceof Error ? err : new Error(String(err));
      call.log.error({ err: error.message, stack: error.stack, what }, 'handler failed');
      const res = args.find(isResponse);
      if (res && !res.finalResponseSent) {
        try {
          res.send(500);
        } catch {
          // the response could not be sent either; the call ends all the same
        }
      }
      call.fail(error);
    };
    try {
      const result = handler(...args);
      if (result instanceof Promise) result.catch(failed);
    } catch (err) {
      failed(err);
    }
  };
}

function isResponse(x: unknown): x is SipResponse {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as { send?: unknown }).send === 'function' &&
    'finalResponseSent' in x
  );
}
