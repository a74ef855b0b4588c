// Messages from the network: parse, match to transactions (RFC 3261 §17.2.3, §17.1.3),
// answer what the stack answers itself, hand the rest to the app that owns it.
import { Dialog, dialogIdOf } from '../dialog/dialog';
import { tagOf, uriOf } from '../message/name-addr';
import { missingMandatoryHeader, parseMessage } from '../message/parse';
import type { SipRequest, SipResponse } from '../message/sip-message';
import { syntaxProblem } from '../message/syntax-checks';
import { randomToken } from '../message/random-ids';
import { parseVia } from '../message/via';
import { serializeText } from '../message/serialize';
import { splitHeaderValues } from '../message/split-values';
import { InviteServerTransaction } from '../transaction/invite-server-transaction';
import { NonInviteServerTransaction } from '../transaction/non-invite-server-transaction';
import type { Flow, Inbound } from '../transport/transport-types';
import { endDialogWithBye } from './dialog-termination';
import { responseTo } from './message-factory';
import { dropInvalidResponse, rejectMalformed, rejectUnparseable } from './network-rejections';
import { hasUnsupportedScheme, isUnknownMethod, unsupportedRequirements } from './request-policy';
import { clientKeyOf, type ServerEntry, type SipCore, type Target } from './sip-core';

export function handleInbound(core: SipCore, inb: Inbound): void {
  if (core.closed) return;
  const source: Target = {
    protocol: inb.protocol,
    remote: inb.remote,
    local: inb.local,
    flow: inb.flow,
  };
  if (inb.unframeable) {
    // The stream cannot be cut into messages any more: answer if we can; it closes after.
    rejectUnparseable(core, inb, source, inb.unframeable);
    return;
  }
  let msg;
  try {
    msg = parseMessage(inb.data);
  } catch (err) {
    rejectUnparseable(core, inb, source, err as Error);
    return;
  }
  if (msg.kind === 'response') {
    const problem = syntaxProblem(msg);
    if (problem) dropInvalidResponse(core, inb, problem);
    else handleResponse(core, msg, inb);
    return;
  }
  const missing = missingMandatoryHeader(msg);
  if (missing) {
    if (msg.get('via') && missing !== 'Via') {
      rejectMalformed(core, msg, inb, source, `Missing or invalid ${missing} header`);
    } else {
      core.logger.warn({ remote: inb.remote, protocol: inb.protocol }, 'sip: request without Via');
    }
    return;
  }
  handleRequest(core, msg, inb, source);
}

/**
 * RFC 3261 §18.2.1: add `received` when the sent-by host is not the packet's source;
 * RFC 3581 §4: fill in an empty `rport`. Returns whether the Via changed.
 */
function markReceived(msg: SipRequest, inb: Inbound): boolean {
  const top = msg.headers.find((h) => h.key === 'via');
  if (!top) return false;
  const [first, ...rest] = splitHeaderValues(top.value);
  const via = parseVia(first);
  if (!via) return false;
  let value = first;
  if (via.host !== inb.remote.address) value += `;received=${inb.remote.address}`;
  if (/;\s*rport(?=;|$)/i.test(value))
    value = value.replace(/;\s*rport(?=;|$)/i, `;rport=${inb.remote.port}`);
  if (value === first) return false;
  top.value = [value, ...rest].join(', ');
  return true;
}

function handleResponse(core: SipCore, res: SipResponse, inb: Inbound): void {
  const entry = core.clientByKey.get(clientKeyOf(res));
  if (entry) {
    entry.txn.receive(res);
    return;
  }
  // A 2xx retransmitted after the INVITE transaction ended: re-send our ACK (§13.2.2.4).
  if (res.cseq.method === 'INVITE' && res.status >= 200 && res.status < 300) {
    const dialog = core.dialogs.match(res.callId, tagOf(res.get('from')), tagOf(res.get('to')));
    if (dialog?.lastAck && dialog.lastAck.cseq === res.cseq.seq) {
      core.trySend(dialog.lastAck.msg, core.dialogTarget(dialog));
      return;
    }
  }
  core.logger.debug({ remote: inb.remote, status: res.status }, 'stray response dropped');
}

/** RFC 3261 §17.2.3: top Via branch, sent-by and method (ACK matches its INVITE). */
function serverKeyOf(req: SipRequest, method = req.method): string {
  const via = parseVia(req.get('via') ?? '');
  const sentBy = via ? `${via.host}:${via.port ?? ''}` : '';
  const branch = via?.branch ?? `${req.callId}/${tagOf(req.get('from'))}/${req.cseq.seq}`;
  return `${branch}|${sentBy}|${method === 'ACK' ? 'INVITE' : method}`;
}

function handleRequest(core: SipCore, req: SipRequest, inb: Inbound, source: Target): void {
  const existing = core.serverByKey.get(serverKeyOf(req));
  if (req.method === 'ACK') {
    if (
      existing &&
      existing.txn instanceof InviteServerTransaction &&
      existing.txn.state === 'Completed'
    ) {
      existing.txn.onAck(); // ACK for a non-2xx final: the transaction's business (§17.2.1)
      return;
    }
  } else if (existing) {
    existing.txn.onRetransmittedRequest(); // §17.2.1/§17.2.2: absorbed, last response resent
    return;
  }
  const outOfDialog = tagOf(req.get('to')) === undefined;
  // §8.2.1 comes first: an unknown method is 501 even when its CSeq disagrees
  // (RFC 4475 §3.1.2.18 prefers 501 to 400 there).
  if (outOfDialog && isUnknownMethod(req.method, (v) => core.routes.routed(v))) {
    const allow = ['ACK', 'BYE', 'CANCEL', ...core.routes.verbs()].join(', ');
    respondStateless(core, req, source, 501, [['Allow', allow]]);
    return;
  }
  const problem = syntaxProblem(req);
  if (problem) {
    rejectMalformed(core, req, inb, source, `Bad Request (${problem})`);
    return;
  }
  // Apps get CRLF line ends whatever came in: drachtio-srf cannot read bare-LF messages.
  const rewrite = markReceived(req, inb) || hasBareLf(inb.data);
  const raw = rewrite ? serializeText(req) : inb.data.toString('utf8');
  if (req.method === 'ACK') handleAck2xx(core, req, raw, source);
  else if (req.method === 'CANCEL') handleCancel(core, req, raw, source);
  else if (!outOfDialog) handleInDialog(core, req, raw, source);
  else handleNewRequest(core, req, raw, source);
}

/** A request outside any dialog: the §8.2.2 checks, then the app routing its method. */
function handleNewRequest(core: SipCore, req: SipRequest, raw: string, source: Target): void {
  if (req.method === 'BYE' || req.method === 'UPDATE' || req.method === 'PRACK') {
    respondStateless(core, req, source, 481);
    return;
  }
  if (hasUnsupportedScheme(req)) {
    respondStateless(core, req, source, 416);
    return;
  }
  const unsupported = unsupportedRequirements(req, core.options.supportedOptionTags);
  if (unsupported.length) {
    respondStateless(core, req, source, 420, [['Unsupported', unsupported.join(', ')]]);
    return;
  }
  const conn = core.routes.pick(req.method);
  if (!conn) {
    respondStateless(core, req, source, 503);
    return;
  }
  if (req.method === 'REGISTER' && source.flow && isWebSocket(source.protocol)) {
    core.registrations.remember(req, source.flow);
  }
  const entry = createServerEntry(core, req, source);
  entry.conn = conn;
  core.forwardToApp(conn, raw, source, entry.txnId, '', [
    source.local.address,
    String(source.local.port),
  ]);
}

/** A server transaction for `req`, with 100 Trying at once for INVITE (§8.2.6.1). */
export function createServerEntry(
  core: SipCore,
  req: SipRequest,
  source: Target,
  trying = true,
): ServerEntry {
  const txnId = core.newId();
  const key = serverKeyOf(req);
  const ctx = core.txnContext(source);
  const user = {
    onTerminated: () => {
      if (core.serverByKey.get(key) === entry) core.serverByKey.delete(key);
    },
  };
  const txn =
    req.method === 'INVITE'
      ? new InviteServerTransaction(txnId, req, ctx, user)
      : new NonInviteServerTransaction(txnId, req, ctx, user);
  const entry: ServerEntry = {
    txnId,
    txn,
    request: req,
    source,
    toTag: randomToken(),
    finalSent: false,
  };
  core.serverByKey.set(key, entry);
  core.serverById.set(txnId, entry);
  if (req.method === 'INVITE' && trying) txn.respond(responseTo(req, 100));
  // An unanswered non-INVITE is forgotten after 64 s; an INVITE may ring for longer
  // (its CANCEL, or the app's final response, ends it).
  if (req.method !== 'INVITE') {
    entry.dropTimer = core.clock.after(core.options.pendingRequestTimeout, () => {
      if (entry.finalSent) return;
      core.serverById.delete(txnId);
      entry.txn.terminate();
    });
  }
  return entry;
}

/** A final response from the stack alone (no app involved, so no 100 Trying first). */
function respondStateless(
  core: SipCore,
  req: SipRequest,
  source: Target,
  status: number,
  headers: Array<[string, string]> = [],
): void {
  const entry = createServerEntry(core, req, source, false);
  finalFromStack(core, entry, status, undefined, headers);
}

/** A final response the stack sends itself on a server transaction. */
export function finalFromStack(
  core: SipCore,
  entry: ServerEntry,
  status: number,
  reason?: string,
  headers: Array<[string, string]> = [],
): void {
  entry.finalSent = true;
  entry.dropTimer?.cancel();
  core.serverById.delete(entry.txnId);
  const res = responseTo(entry.request, status, reason, entry.toTag);
  for (const [name, value] of headers) res.append(name, value);
  entry.txn.respond(res);
}

function handleAck2xx(core: SipCore, ack: SipRequest, raw: string, source: Target): void {
  const dialog = core.dialogs.match(ack.callId, tagOf(ack.get('to')), tagOf(ack.get('from')));
  const pending = dialog?.pendingAck;
  if (!dialog || !pending || pending.cseq !== ack.cseq.seq) return; // retransmitted ACK
  dialog.clearPendingAck();
  if (!dialog.owner.closed) {
    core.forwardToApp(dialog.owner, raw, source, pending.txnId, dialog.id);
  }
}

/** Incoming CANCEL, RFC 3261 §9.2. */
function handleCancel(core: SipCore, cancel: SipRequest, raw: string, source: Target): void {
  const invite = core.serverByKey.get(serverKeyOf(cancel, 'INVITE'));
  const entry = createServerEntry(core, cancel, source);
  if (!invite) {
    finalFromStack(core, entry, 481);
    return;
  }
  const state = invite.txn.state;
  if (state === 'Proceeding' && !invite.finalSent) {
    finalFromStack(core, entry, 200);
    finalFromStack(core, invite, 487);
    if (invite.conn && !invite.conn.closed) {
      core.forwardToApp(invite.conn, raw, source, entry.txnId, '', [
        source.local.address,
        String(source.local.port),
      ]);
    }
    return;
  }
  if (state === 'Accepted' && invite.dialog?.pendingAck) {
    // CANCEL crossing our 2xx: the call is up but the caller gave up. 481, then BYE.
    finalFromStack(core, entry, 481);
    endDialogWithBye(core, invite.dialog, 'CANCEL after 200');
    return;
  }
  finalFromStack(core, entry, 200);
}

function handleInDialog(core: SipCore, req: SipRequest, raw: string, source: Target): void {
  const dialog = core.dialogs.match(req.callId, tagOf(req.get('to')), tagOf(req.get('from')));
  if (!dialog || dialog.owner.closed) {
    respondStateless(core, req, source, 481);
    return;
  }
  // §12.2.2: a lower CSeq than seen before is out of order.
  if (req.cseq.seq < dialog.remoteCSeq) {
    respondStateless(core, req, source, 500);
    return;
  }
  if (req.method === 'INVITE' && dialog.inviteInProgress) {
    respondStateless(core, req, source, 491); // §14.2 glare
    return;
  }
  dialog.remoteCSeq = req.cseq.seq;
  if (source.flow) dialog.flow = source.flow;
  const entry = createServerEntry(core, req, source);
  entry.dialog = dialog;
  entry.conn = dialog.owner;
  if (req.method === 'INVITE') dialog.incomingInviteTxnId = entry.txnId;
  core.forwardToApp(dialog.owner, raw, source, entry.txnId, dialog.id);
}

/** UAS dialog from our 2xx to an INVITE (§12.1.1). */
export function createUasDialog(core: SipCore, entry: ServerEntry, res: SipResponse): Dialog {
  const req = entry.request;
  const remoteTag = tagOf(req.get('from')) ?? '';
  const contact = req.get('contact');
  const d = new Dialog(
    dialogIdOf(req.callId, remoteTag),
    'uas',
    req.callId,
    tagOf(res.get('to')) ?? entry.toTag,
    remoteTag,
    res.get('to') ?? '',
    req.get('from') ?? '',
    contact ? uriOf(contact) : uriOf(req.get('from') ?? ''),
    req.getAll('record-route'),
    res.get('contact') ?? '',
    entry.conn!,
    entry.source.protocol,
    entry.source.remote,
    entry.source.flow,
    Math.floor(Math.random() * 10000) + 1,
    req.cseq.seq,
  );
  core.dialogs.add(d);
  return d;
}

export function flowClosed(core: SipCore, flow: Flow): void {
  core.registrations.forget(flow);
  core.failRequestsOn(flow);
}

/** Does the header section end a line with LF alone (RFC 3261 §7 asks CRLF)? */
function hasBareLf(data: Buffer): boolean {
  const end = data.indexOf('\r\n\r\n');
  for (let i = data.indexOf(10); i >= 0 && (end < 0 || i < end); i = data.indexOf(10, i + 1)) {
    if (i === 0 || data[i - 1] !== 13) return true;
  }
  return false;
}

/** WS and WSS clients are reachable only over their own connection (RFC 7118 §5.4). */
function isWebSocket(protocol: string): boolean {
  return protocol === 'ws' || protocol === 'wss';
}
