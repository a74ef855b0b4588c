// The valid messages mutations start from: new INVITE (with SDP), REGISTER, OPTIONS, BYE,
// INFO, MESSAGE, SUBSCRIBE, requests inside a live dialog, and stray responses. Every
// host in them is loopback or `.invalid`, so nothing a mutation leaves intact routes away.
import type { Prng } from './prng';
import type { SipDraft } from './sip-draft';

export type FuzzProto = 'udp' | 'tcp' | 'ws';

/** A dialog the fuzzer holds with the server (from a 1xx/2xx to one of its INVITEs). */
export interface LiveDialog {
  callId: string;
  localTag: string;
  remoteTag: string;
  remoteTarget: string;
  routes: string[];
  cseq: number;
  /** The INVITE's top Via and CSeq, for a CANCEL of a still-pending INVITE. */
  inviteVia: string;
  inviteCseq: number;
  inviteUri: string;
  confirmed: boolean;
}

export interface TemplateContext {
  proto: FuzzProto;
  /** host:port of the server under test. */
  server: string;
  /** What we put in Via sent-by and Contact. */
  local: string;
  dialog?: LiveDialog;
}

export type TemplateName =
  | 'invite'
  | 'register'
  | 'options'
  | 'bye'
  | 'info'
  | 'message'
  | 'subscribe'
  | 'inDialog'
  | 'response';

export function sdpOffer(rng: Prng): string {
  const port = 20000 + 2 * rng.int(10000);
  return [
    'v=0',
    `o=fuzz ${rng.range(1, 99999)} 1 IN IP4 127.0.0.1`,
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${port} RTP/AVP 0 8 101`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-16',
    'a=ptime:20',
    'a=sendrecv',
    '',
  ].join('\r\n');
}

export function buildTemplate(name: TemplateName, rng: Prng, ctx: TemplateContext): SipDraft {
  if (name === 'inDialog' && ctx.dialog) return inDialog(rng, ctx, ctx.dialog);
  if (name === 'response') return strayResponse(rng, ctx);
  const method = name === 'inDialog' ? 'INVITE' : name.toUpperCase();
  const uri = `sip:${rng.pick(['support', 'app', '1000', 'alice', 'fuzz'])}@${ctx.server}`;
  const d = request(method, uri, rng, ctx);
  const add = (n: string, v: string) => d.headers.push([n, v]);
  switch (method) {
    case 'INVITE':
      add('Contact', contact(ctx));
      add('Allow', 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE');
      add('Supported', 'timer, replaces');
      add('Content-Type', 'application/sdp');
      d.body = Buffer.from(sdpOffer(rng));
      break;
    case 'REGISTER':
      d.start[1] = `sip:${ctx.server}`;
      d.headers[2][1] = `<sip:${rng.pick(['alice', 'bob', 'fuzz'])}@${ctx.server}>;tag=${rng.hex(8)}`;
      d.headers[3][1] = d.headers[2][1].replace(/;tag=.*/, '');
      add('Contact', `${contact(ctx)};expires=${rng.pick(['0', '60', '3600'])}`);
      add('Expires', '300');
      break;
    case 'INFO':
      add('Content-Type', 'application/dtmf-relay');
      d.body = Buffer.from('Signal=5\r\nDuration=160\r\n');
      break;
    case 'MESSAGE':
      add('Content-Type', 'text/plain;charset=utf-8');
      d.body = Buffer.from('hello ☎');
      break;
    case 'SUBSCRIBE':
      add('Contact', contact(ctx));
      add('Event', 'presence');
      add('Expires', '60');
      break;
  }
  return d;
}

function request(method: string, uri: string, rng: Prng, ctx: TemplateContext): SipDraft {
  return {
    start: [method, uri, 'SIP/2.0'],
    headers: [
      ['Via', via(rng, ctx)],
      ['Max-Forwards', '70'],
      ['From', `"Fuzz ${rng.hex(4)}" <sip:fuzz@127.0.0.1>;tag=${rng.hex(10)}`],
      ['To', `<${uri}>`],
      ['Call-ID', `${rng.hex(16)}@fuzz.invalid`],
      ['CSeq', `${rng.range(1, 9999)} ${method}`],
      ['User-Agent', 'holdfast-fuzz'],
    ],
    body: Buffer.alloc(0),
    contentLength: 'auto',
    eol: '\r\n',
  };
}

function via(rng: Prng, ctx: TemplateContext): string {
  const rport = ctx.proto === 'udp' ? ';rport' : '';
  return `SIP/2.0/${ctx.proto.toUpperCase()} ${ctx.local};branch=z9hG4bK${rng.hex(12)}${rport}`;
}

function contact(ctx: TemplateContext): string {
  const transport = ctx.proto === 'udp' ? '' : `;transport=${ctx.proto}`;
  return `<sip:fuzz@${ctx.local}${transport}>`;
}

/** BYE, INFO, re-INVITE, UPDATE, OPTIONS, PRACK, ACK or CANCEL in a dialog we hold. */
function inDialog(rng: Prng, ctx: TemplateContext, dlg: LiveDialog): SipDraft {
  const method = dlg.confirmed
    ? rng.pick(['BYE', 'INFO', 'INVITE', 'UPDATE', 'OPTIONS', 'ACK', 'NOTIFY'])
    : rng.pick(['CANCEL', 'PRACK', 'UPDATE', 'INFO', 'BYE']);
  if (method === 'CANCEL') {
    return {
      start: ['CANCEL', dlg.inviteUri, 'SIP/2.0'],
      headers: [
        ['Via', dlg.inviteVia],
        ['Max-Forwards', '70'],
        ['From', `"Fuzz" <sip:fuzz@127.0.0.1>;tag=${dlg.localTag}`],
        ['To', `<${dlg.inviteUri}>`],
        ['Call-ID', dlg.callId],
        ['CSeq', `${dlg.inviteCseq} CANCEL`],
      ],
      body: Buffer.alloc(0),
      contentLength: 'auto',
      eol: '\r\n',
    };
  }
  const seq = method === 'ACK' ? dlg.inviteCseq : ++dlg.cseq;
  const d: SipDraft = {
    start: [method, dlg.remoteTarget, 'SIP/2.0'],
    headers: [
      ['Via', via(rng, ctx)],
      ['Max-Forwards', '70'],
      ['From', `"Fuzz" <sip:fuzz@127.0.0.1>;tag=${dlg.localTag}`],
      ['To', `<${dlg.inviteUri}>;tag=${dlg.remoteTag}`],
      ['Call-ID', dlg.callId],
      ['CSeq', `${seq} ${method}`],
      ...dlg.routes.map((r): [string, string] => ['Route', r]),
    ],
    body: Buffer.alloc(0),
    contentLength: 'auto',
    eol: '\r\n',
  };
  if (method === 'INVITE' || method === 'UPDATE') {
    d.headers.push(['Contact', contact(ctx)], ['Content-Type', 'application/sdp']);
    d.body = Buffer.from(sdpOffer(rng));
  } else if (method === 'INFO') {
    d.headers.push(['Content-Type', 'application/dtmf-relay']);
    d.body = Buffer.from('Signal=1\r\nDuration=100\r\n');
  } else if (method === 'PRACK') {
    d.headers.push(['RAck', `1 ${dlg.inviteCseq} INVITE`]);
  } else if (method === 'NOTIFY') {
    d.headers.push(['Event', 'refer'], ['Subscription-State', 'active']);
  }
  return d;
}

/** A response nobody asked for (the stack must drop it), sometimes for our own dialog. */
function strayResponse(rng: Prng, ctx: TemplateContext): SipDraft {
  const status = rng.pick(['100 Trying', '180 Ringing', '200 OK', '404 Not Found', '503 Busy']);
  const dlg = ctx.dialog;
  const method = rng.pick(['INVITE', 'BYE', 'OPTIONS', 'INFO']);
  return {
    start: ['SIP/2.0', ...(status.split(/ (.*)/, 2) as [string, string])],
    headers: [
      ['Via', `SIP/2.0/${ctx.proto.toUpperCase()} ${ctx.server};branch=z9hG4bK${rng.hex(10)}`],
      ['From', `<sip:app@${ctx.server}>;tag=${dlg?.remoteTag ?? rng.hex(8)}`],
      ['To', `<sip:fuzz@127.0.0.1>;tag=${dlg?.localTag ?? rng.hex(8)}`],
      ['Call-ID', dlg?.callId ?? `${rng.hex(12)}@fuzz.invalid`],
      ['CSeq', `${rng.range(1, 500)} ${method}`],
      ['Contact', contact(ctx)],
    ],
    body: Buffer.alloc(0),
    contentLength: 'auto',
    eol: '\r\n',
  };
}
