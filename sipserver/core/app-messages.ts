// `sip|<txnId>|<dialogId>[|<outbound proxy>]\r\n<SIP>` from an app, sorted as
// drachtio-server does: a status line is a response; a dialog id an in-dialog request;
// a transaction id alone a CANCEL; neither a new request.
import type { AppConnection } from '../drachtio/app-connection';
import type { WireMessage } from '../drachtio/wire-message';
import { parseAppMessage } from '../message/parse';
import { handleAppCancel, handleAppInDialog, handleAppNewRequest } from './app-requests';
import { handleAppResponse } from './app-responses';
import type { SipCore } from './sip-core';

export function handleAppSip(core: SipCore, conn: AppConnection, wm: WireMessage): void {
  const [txnId = '', dialogId = '', proxy = ''] = wm.args;
  if (!wm.sip) {
    conn.reply(wm.id, ['NOK', 'sip message missing after the header line']);
    return;
  }
  let msg;
  try {
    // drachtio-srf's Content-Length counts characters, not bytes: take the body as is.
    msg = parseAppMessage(wm.sip);
  } catch (err) {
    core.logger.warn(
      { app: conn.remote, err: (err as Error).message },
      'drachtio: unparseable SIP from app',
    );
    conn.reply(wm.id, ['NOK', `invalid SIP message: ${(err as Error).message}`]);
    return;
  }
  if (msg.kind === 'response') {
    if (!txnId) {
      conn.reply(wm.id, ['NOK', 'transaction id missing']);
      return;
    }
    handleAppResponse(core, conn, wm.id, txnId, dialogId, msg);
  } else if (dialogId) {
    handleAppInDialog(core, conn, wm.id, txnId, dialogId, msg);
  } else if (txnId) {
    if (msg.method !== 'CANCEL') {
      conn.reply(wm.id, ['NOK', `only CANCEL may name a transaction, got ${msg.method}`]);
      return;
    }
    handleAppCancel(core, conn, wm.id, txnId, msg);
  } else {
    handleAppNewRequest(core, conn, wm.id, proxy, msg);
  }
}
