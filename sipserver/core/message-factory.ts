// Building the messages the stack itself originates: responses from their request
// (RFC 3261 §8.2.6), in-dialog requests (§12.2.1.1), and the stack's Via and Contact.
import type { Dialog } from '../dialog/dialog';
import { withTag } from '../message/name-addr';
import { SipRequest, SipResponse } from '../message/sip-message';
import { tagOf } from '../message/name-addr';
import type { Endpoint, TransportProtocol } from '../transport/transport-types';

export const REASON: Record<number, string> = {
  100: 'Trying',
  200: 'OK',
  400: 'Bad Request',
  408: 'Request Timeout',
  416: 'Unsupported URI Scheme',
  420: 'Bad Extension',
  481: 'Call/Transaction Does Not Exist',
  487: 'Request Terminated',
  491: 'Request Pending',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  505: 'Version Not Supported',
  513: 'Message Too Large',
};

/** §8.2.6.2: Via, From, Call-ID, CSeq copied; To copied with our tag added if it has none. */
export function responseTo(
  req: SipRequest,
  status: number,
  reason?: string,
  toTag?: string,
): SipResponse {
  const res = new SipResponse(status, reason ?? REASON[status] ?? 'Unknown');
  for (const via of req.getAll('via')) res.append('Via', via);
  res.append('From', req.get('from') ?? '');
  const to = req.get('to') ?? '';
  res.append('To', toTag && status > 100 && tagOf(to) === undefined ? withTag(to, toTag) : to);
  res.append('Call-ID', req.callId);
  res.append('CSeq', req.get('cseq') ?? '');
  return res;
}

export function viaValue(protocol: TransportProtocol, local: Endpoint, branch: string): string {
  return `SIP/2.0/${protocol.toUpperCase()} ${hostport(local)};rport;branch=${branch}`;
}

export function contactValue(protocol: TransportProtocol, local: Endpoint): string {
  const transport = protocol === 'udp' ? '' : `;transport=${protocol}`;
  return `<sip:${hostport(local)}${transport}>`;
}

export function hostport(e: Endpoint): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

/** §12.2.1.1: request URI is the remote target, From/To/Call-ID of the dialog, its route set. */
export function inDialogRequest(dialog: Dialog, method: string, cseq: number): SipRequest {
  const req = new SipRequest(method, dialog.remoteTarget);
  req.append('Max-Forwards', '70');
  req.append('From', dialog.localParty);
  req.append('To', dialog.remoteParty);
  req.append('Call-ID', dialog.callId);
  req.append('CSeq', `${cseq} ${method}`);
  for (const r of dialog.routeSet) req.append('Route', r);
  return req;
}
