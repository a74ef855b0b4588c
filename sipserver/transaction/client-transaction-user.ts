import type { SipResponse } from '../message/sip-message';

/** The transaction user (UA core) above a client transaction. */
export interface ClientTransactionUser<T> {
  onResponse(res: SipResponse, txn: T): void;
  /** Timer B or F fired: no final response (RFC 3261 §17.1.1.2, §17.1.2.2). */
  onTimeout(txn: T): void;
  onTerminated(txn: T): void;
}
