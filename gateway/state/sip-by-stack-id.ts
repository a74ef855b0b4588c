// SIP messages in transactions and dialogs this app did not create: a dead instance's, by
// the SIP server's ids (drachtio's stackTxnId and stackDialogId). Both drachtio-server and
// the embedded server take them from any connected app: a response to a request another
// app received, a CANCEL of an INVITE another app sent, a request in another app's dialog.
// What they never do is forward that dead app's messages to anyone else (see
// docs/multi-instance.md), so a survivor acts but does not hear.
import type Srf from 'drachtio-srf';
import type { SipResponse } from '../sip-types/srf-types';

/** What a survivor can do to a dead instance's SIP, by id. */
export interface SipByStackId {
  /** A BYE in the dialog `stackDialogId`. */
  bye(stackDialogId: string): Promise<void>;
  /** CANCELs the INVITE sent in `stackTxnId` (an agent's, still ringing). */
  cancel(stackTxnId: string): Promise<void>;
  /** A final response (503) to the request received in `stackTxnId` (a waiting customer's). */
  reject(stackTxnId: string): Promise<void>;
}

const LOST = 'SIP;cause=503;text="gateway instance lost"';

type Ack = (opts?: { body?: string }) => void;
/** A request drachtio-srf sent: its responses, with the ACK for an INVITE's. */
export type SentRequest = {
  on(event: 'response', fn: (res: SipResponse, ack: Ack) => void): void;
};
type RawRequest = (
  uri: string,
  opts: Record<string, unknown>,
  cb: (err: Error | undefined, req: SentRequest) => void,
) => void;

/**
 * A request in a transaction or dialog named by the SIP server's id (`stackTxnId` or
 * `stackDialogId` in `opts`): the server builds it from its own, so the URI is drachtio's
 * placeholder. Resolves once it went out.
 */
export function sendByStackId(srf: Srf, opts: Record<string, unknown>): Promise<SentRequest> {
  return new Promise((resolve, reject) =>
    (srf.request as unknown as RawRequest).call(srf, 'sip:placeholder', opts, (err, req) =>
      err ? reject(err) : resolve(req),
    ),
  );
}

/** drachtio-srf's agent as far as this file uses it (it has no public API for responses). */
interface WireAgent {
  sendMessage(socket: unknown, msg: string, opts: { stackTxnId: string }): string;
  _getDefaultSocket(): unknown;
  mapServer: Map<unknown, { pendingRequests: Map<string, (token: string[]) => void> }>;
}

export function sipByStackId(srf: Srf): SipByStackId {
  const request = (opts: Record<string, unknown>) => sendByStackId(srf, opts).then(() => undefined);
  return {
    bye: (stackDialogId) => request({ method: 'BYE', stackDialogId, headers: { Reason: LOST } }),
    cancel: (stackTxnId) => request({ method: 'CANCEL', stackTxnId, headers: { Reason: LOST } }),
    reject: (stackTxnId) =>
      respond(srf, stackTxnId, `SIP/2.0 503 Service Unavailable\r\nReason: ${LOST}\r\n\r\n`),
  };
}

/**
 * A response in a transaction that drachtio-srf never saw (it keeps responses tied to the
 * requests it received): the same `sip|<txnId>|` message it sends itself, and the server's
 * OK or NOK for it.
 */
function respond(srf: Srf, stackTxnId: string, text: string): Promise<void> {
  const agent = (srf as unknown as { _app?: { client?: WireAgent } })._app?.client;
  const socket = agent?._getDefaultSocket();
  const pending = socket ? agent?.mapServer.get(socket)?.pendingRequests : undefined;
  if (!agent || !pending) return Promise.reject(new Error('not connected to a SIP server'));
  return new Promise((resolve, reject) => {
    const msgId = agent.sendMessage(socket, text, { stackTxnId });
    pending.set(msgId, (token) =>
      token[0] === 'OK' ? resolve() : reject(new Error(token[1] ?? 'refused')),
    );
  });
}
