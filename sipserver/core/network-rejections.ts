// Answers to network messages the stack cannot accept (RFC 3261 §8.2, RFC 4475 §3.1.2):
// a response when one can be addressed, otherwise silence — and on a connection that
// sent something we can neither use nor answer, the connection is closed.
import { SipParseError } from '../message/sip-parse-error';
import { SipResponse, type SipMessage } from '../message/sip-message';
import type { Inbound } from '../transport/transport-types';
import { REASON } from './message-factory';
import type { SipCore, Target } from './sip-core';

/**
 * A message that did not parse: its headers are read as text, and a request that still
 * names Via, From, To, Call-ID and CSeq gets the error status of the parse failure.
 */
export function rejectUnparseable(core: SipCore, inb: Inbound, source: Target, err: Error): void {
  core.logger.warn(
    { remote: inb.remote, protocol: inb.protocol, err: err.message },
    'sip: unparseable message',
  );
  const text = inb.data.toString('utf8', 0, Math.min(inb.data.length, 8192));
  const status = err instanceof SipParseError ? err.status : 400;
  const vias = [...text.matchAll(/^(?:via|v)[ \t]*:[ \t]*(.+)$/gim)].map((m) => m[1].trim());
  const pick = (re: RegExp) => re.exec(text)?.[1]?.trim();
  const from = pick(/^(?:from|f)[ \t]*:(.+)$/im);
  const to = pick(/^(?:to|t)[ \t]*:(.+)$/im);
  const callId = pick(/^(?:call-id|i)[ \t]*:(.+)$/im);
  const cseq = pick(/^cseq[ \t]*:(.+)$/im);
  const isRequest = !text.startsWith('SIP/') && !text.startsWith('ACK ');
  if (isRequest && vias.length && from && to && callId && cseq) {
    const res = new SipResponse(status, REASON[status] ?? 'Bad Request');
    for (const v of vias) res.append('Via', v);
    res.append('From', from);
    res.append('To', to);
    res.append('Call-ID', callId);
    res.append('CSeq', cseq);
    core.trySend(res, source);
  } else {
    inb.flow?.close();
  }
}

/**
 * A request that parsed but breaks the grammar: answered statelessly with 400 `reason`,
 * its Via, From, To, Call-ID and CSeq copied as they came (§8.2.6.2) — no To tag is added
 * to a header that may itself be the malformed one.
 */
export function rejectMalformed(
  core: SipCore,
  msg: SipMessage,
  inb: Inbound,
  source: Target,
  reason: string,
): void {
  core.logger.warn(
    { remote: inb.remote, protocol: inb.protocol, problem: reason },
    'sip: malformed request rejected',
  );
  if (msg.kind === 'response' || msg.method === 'ACK') return; // nothing may answer these
  const res = new SipResponse(400, reason);
  for (const h of msg.headers) if (h.key === 'via') res.append('Via', h.value);
  for (const name of ['from', 'to', 'call-id', 'cseq']) {
    const h = msg.headers.find((x) => x.key === name);
    if (h) res.append(name, h.value);
  }
  core.trySend(res, source);
}

/** A response we cannot use (RFC 4475 §3.1.2.5, §3.1.2.19): dropped, its stream closed. */
export function dropInvalidResponse(core: SipCore, inb: Inbound, problem: string): void {
  core.logger.warn(
    { remote: inb.remote, protocol: inb.protocol, problem },
    'sip: invalid response dropped',
  );
  inb.flow?.close();
}
