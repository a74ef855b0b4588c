// A small SIP user agent for tests, over UDP, TCP, TLS, WebSocket or secure WebSocket.
//
//   const alice = await SipClient.open(t, { transport: 'udp', server: sip.udp, user: 'alice' });
//   const inv = alice.invite('sip:bob@127.0.0.1', { body: sdpOffer(4000) });
//   const dialog = await inv.established();           // 2xx ACKed, dialog tracked
//   const bye = await dialog.nextRequest('BYE');      // … or dialog.bye()
//   alice.respond(bye, 200);
//
// It does just enough RFC 3261 to be a well-behaved peer: Via/branch/tags/CSeq, request
// retransmission over UDP (Timers A/B/E/F), ACK for non-2xx finals, answering retransmitted
// requests with the response already sent, and 2xx retransmission until the ACK. Everything
// it receives and does not consume itself waits in an inbox for `nextRequest`/`nextMessage`.
// `sendRaw` writes any bytes, and `dropIncoming`/`dropOutgoing` simulate packet loss.
import { randomBytes } from 'node:crypto';
import { Dialog } from './sip-dialog';
import { digestAuthorization, type DigestCredentials } from './sip-digest';
import { parseMessage, SipMessage, type Header } from './sip-message';
import { openTransport, type AnySipProto, type HostPort, type SipTransport } from './sip-transport';
import type { Teardownable } from './sipp';

export { Dialog } from './sip-dialog';
export { SipMessage } from './sip-message';

export interface SipClientOptions {
  transport: AnySipProto;
  server: HostPort;
  /** tls/wss: CA to verify the server's certificate against (default: Node's roots). */
  ca?: string | Buffer;
  /** User part of our AOR and Contact (default "client"). */
  user?: string;
  /** Base retransmission interval over UDP (default 500 ms, RFC 3261 T1). */
  t1Ms?: number;
  /** Return true to lose a message we are about to send (`msg` undefined for raw bytes). */
  dropOutgoing?: (msg: SipMessage | undefined, count: number) => boolean;
  /** Return true to lose a received message before anything looks at it. */
  dropIncoming?: (msg: SipMessage, count: number) => boolean;
}

export interface RequestOptions {
  headers?: Header[];
  body?: string | Buffer;
  contentType?: string;
  callId?: string;
  from?: string;
  to?: string;
  cseq?: number;
}

const T2_MS = 4000;
export const token = (bytes = 6) => randomBytes(bytes).toString('hex');

/** A minimal PCMU audio offer/answer on 127.0.0.1:`port`. */
export function sdpOffer(port: number, version = 1): string {
  return [
    'v=0',
    `o=- 1 ${version} IN IP4 127.0.0.1`,
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${port} RTP/AVP 0`,
    'a=rtpmap:0 PCMU/8000',
    '',
  ].join('\r\n');
}

export class ClientTransaction {
  readonly responses: SipMessage[] = [];
  readonly final: Promise<SipMessage>;
  private settle!: { resolve: (m: SipMessage) => void; reject: (e: Error) => void };
  private waiters: Array<{ status?: number; resolve: (m: SipMessage) => void }> = [];
  private retransmit?: NodeJS.Timeout;
  private timeout?: NodeJS.Timeout;
  private ack?: Buffer;
  done = false;

  constructor(
    protected readonly client: SipClient,
    readonly request: SipMessage,
  ) {
    this.final = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    this.final.catch(() => undefined); // callers that only want provisionals must not crash
  }

  get isInvite(): boolean {
    return this.request.method === 'INVITE';
  }

  /** First response with this status (any 1xx if omitted) — already received or to come. */
  provisional(status?: number): Promise<SipMessage> {
    const match = (m: SipMessage) => (status ? m.status === status : (m.status ?? 0) < 200);
    const seen = this.responses.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ status, resolve }));
  }

  /** CANCEL for this INVITE (same branch, RFC 3261 §9.1). */
  cancel(): ClientTransaction {
    const r = this.request;
    const cancel = new SipMessage({ method: 'CANCEL', uri: r.uri });
    for (const name of ['via', 'from', 'to', 'call-id']) cancel.set(name, r.get(name) ?? '');
    cancel.set('CSeq', `${r.cseq.seq} CANCEL`).set('Max-Forwards', '70');
    return this.client.send(cancel);
  }

  /** Sends (and remembers, to repeat on a retransmitted 2xx) the ACK for a 2xx. */
  sendAck(ack: SipMessage): void {
    this.ack = ack.toBuffer();
    this.client.sendRaw(this.ack);
  }

  start(t1: number, reliable: boolean): void {
    this.client.sendRaw(this.request.toBuffer(), this.request);
    this.timeout = setTimeout(
      () => this.fail(new Error(`no final response to ${this.request.method} in ${64 * t1} ms`)),
      64 * t1,
    );
    if (reliable) return;
    let interval = t1;
    const again = () => {
      this.client.sendRaw(this.request.toBuffer(), this.request);
      interval = this.isInvite ? interval * 2 : Math.min(interval * 2, T2_MS);
      this.retransmit = setTimeout(again, interval);
    };
    this.retransmit = setTimeout(again, interval);
  }

  receive(res: SipMessage): void {
    const status = res.status ?? 0;
    if (this.done) {
      // A retransmitted final: repeat our ACK (for a 2xx, once the dialog has sent one).
      if (this.isInvite && status >= 200 && this.ack) this.client.sendRaw(this.ack);
      return;
    }
    this.responses.push(res);
    if (this.isInvite) clearTimeout(this.retransmit); // Timer A stops on any response
    this.waiters = this.waiters.filter((w) => {
      const hit = w.status ? w.status === status : status < 200;
      if (hit) w.resolve(res);
      return !hit;
    });
    if (status < 200) return;
    this.done = true;
    this.stopTimers();
    if (this.isInvite && status >= 300) this.sendAck(this.ackForFailure(res));
    this.settle.resolve(res);
  }

  fail(err: Error): void {
    if (this.done) return;
    this.done = true;
    this.stopTimers();
    this.settle.reject(err);
  }

  stopTimers(): void {
    clearTimeout(this.retransmit);
    clearTimeout(this.timeout);
  }

  private ackForFailure(res: SipMessage): SipMessage {
    const r = this.request;
    const ack = new SipMessage({ method: 'ACK', uri: r.uri });
    ack.set('Via', r.getAll('via')[0] ?? '');
    ack.set('From', r.get('from') ?? '').set('To', res.get('to') ?? '');
    ack.set('Call-ID', r.callId).set('CSeq', `${r.cseq.seq} ACK`).set('Max-Forwards', '70');
    return ack;
  }
}

export class InviteTransaction extends ClientTransaction {
  /** Waits for the final response; on 2xx ACKs it (unless `ack: false`) and returns the dialog. */
  async established(options: { ack?: boolean } = {}): Promise<Dialog> {
    const res = await this.final;
    if ((res.status ?? 0) >= 300) throw new Error(`INVITE failed: ${res.status} ${res.reason}`);
    const dialog = Dialog.fromResponse(this.client, this.request, res);
    if (options.ack !== false) this.sendAck(dialog.build('ACK', {}, this.request.cseq.seq));
    return dialog;
  }
}

interface Waiter {
  match: (m: SipMessage) => boolean;
  resolve: (m: SipMessage) => void;
}

interface PendingAck {
  resolve: (m: SipMessage) => void;
  timerG?: NodeJS.Timeout;
  timerH: NodeJS.Timeout;
}

/** Requests we have answered, to answer their retransmissions the same way. */
interface ServerTxn {
  last?: Buffer;
}

export class SipClient {
  readonly user: string;
  /** Every message received (after simulated loss), in order, for assertions. */
  readonly received: SipMessage[] = [];
  /** Raw datagrams/frames that did not parse as SIP. */
  readonly unparsable: Buffer[] = [];
  private inbox: SipMessage[] = [];
  private waiters: Waiter[] = [];
  private transactions = new Map<string, ClientTransaction>();
  private serverTxns = new Map<string, ServerTxn>();
  private pendingAcks = new Map<string, PendingAck>();
  private sentCount = 0;
  private receivedCount = 0;
  private cseq = 1;
  readonly t1: number;

  private constructor(
    readonly transport: SipTransport<AnySipProto>,
    private readonly options: SipClientOptions,
  ) {
    this.user = options.user ?? 'client';
    this.t1 = options.t1Ms ?? 500;
    transport.onMessage((data) => this.onData(data));
  }

  /** Connects (TCP/TLS/WS/WSS) or binds (UDP) and registers `close` on `t`'s teardown. */
  static async open(t: Teardownable | null, options: SipClientOptions): Promise<SipClient> {
    const secure = { ca: options.ca };
    const client = new SipClient(
      await openTransport(options.transport, options.server, secure),
      options,
    );
    t?.teardown(() => client.close());
    return client;
  }

  /** A client over a connection opened elsewhere (e.g. one a test server accepted). */
  static adopt(
    t: Teardownable | null,
    transport: SipTransport<AnySipProto>,
    options: SipClientOptions,
  ): SipClient {
    const client = new SipClient(transport, options);
    t?.teardown(() => client.close());
    return client;
  }

  get proto(): AnySipProto {
    return this.transport.proto;
  }

  get hostport(): string {
    const { viaHost, viaPort } = this.transport;
    return viaPort ? `${viaHost}:${viaPort}` : viaHost;
  }

  get aor(): string {
    return `sip:${this.user}@${this.hostport}`;
  }

  get contact(): string {
    const tp = this.proto === 'udp' ? '' : `;transport=${this.proto}`;
    return `<sip:${this.user}@${this.hostport}${tp}>`;
  }

  /** Writes bytes as they are (subject to `dropOutgoing`). */
  sendRaw(data: Buffer | string, parsed?: SipMessage): void {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    if (this.options.dropOutgoing?.(parsed, ++this.sentCount)) return;
    this.transport.send(buf);
  }

  buildRequest(method: string, uri: string, o: RequestOptions = {}): SipMessage {
    const msg = new SipMessage({ method, uri, body: o.body });
    const tp = this.proto.toUpperCase();
    const rport = this.proto === 'udp' ? ';rport' : '';
    msg.set('Via', `SIP/2.0/${tp} ${this.hostport};branch=z9hG4bK${token()}${rport}`);
    msg.set('Max-Forwards', '70');
    msg.set('From', o.from ?? `<${this.aor}>;tag=${token()}`);
    msg.set('To', o.to ?? `<${uri}>`);
    msg.set('Call-ID', o.callId ?? `${token(8)}@holdfast.test`);
    msg.set('CSeq', `${o.cseq ?? this.cseq++} ${method}`);
    if (['INVITE', 'SUBSCRIBE', 'REFER', 'REGISTER'].includes(method))
      msg.set('Contact', this.contact);
    if (msg.body.length) {
      const type =
        o.contentType ??
        (msg.body.subarray(0, 3).toString() === 'v=0' ? 'application/sdp' : 'text/plain');
      msg.set('Content-Type', type);
    }
    for (const [n, v] of o.headers ?? []) msg.set(n, v);
    return msg;
  }

  /** Sends a request as a client transaction (ACK is sent bare: it has no transaction). */
  send(req: SipMessage): ClientTransaction {
    const tx =
      req.method === 'INVITE' ? new InviteTransaction(this, req) : new ClientTransaction(this, req);
    if (req.method === 'ACK') {
      this.sendRaw(req.toBuffer(), req);
      tx.done = true;
      return tx;
    }
    this.transactions.set(`${req.branch}|${req.method}`, tx);
    tx.start(this.t1, this.proto !== 'udp');
    return tx;
  }

  request(method: string, uri: string, options: RequestOptions = {}): ClientTransaction {
    return this.send(this.buildRequest(method, uri, options));
  }

  invite(uri: string, options: RequestOptions = {}): InviteTransaction {
    return this.send(this.buildRequest('INVITE', uri, options)) as InviteTransaction;
  }

  /** REGISTER, answering one 401/407 challenge with digest credentials when given. */
  async register(
    registrar: string,
    options: { credentials?: DigestCredentials; expires?: number; headers?: Header[] } = {},
  ): Promise<SipMessage> {
    const base: RequestOptions = {
      from: `<${this.aor}>;tag=${token()}`,
      to: `<${this.aor}>`,
      callId: `${token(8)}@holdfast.test`,
      headers: [['Expires', String(options.expires ?? 300)], ...(options.headers ?? [])],
    };
    const first = await this.request('REGISTER', registrar, base).final;
    const challenge = first.get('www-authenticate') ?? first.get('proxy-authenticate');
    if (!options.credentials || !challenge || (first.status !== 401 && first.status !== 407)) {
      return first;
    }
    const name = first.status === 401 ? 'Authorization' : 'Proxy-Authorization';
    const auth = digestAuthorization(challenge, options.credentials, 'REGISTER', registrar);
    return this.request('REGISTER', registrar, {
      ...base,
      headers: [...(base.headers ?? []), [name, auth]],
    }).final;
  }

  /**
   * Responds to a received request. Copies Via/From/To/Call-ID/CSeq, adds `toTag` to To when
   * it has none, and repeats this response if the request is retransmitted.
   */
  respond(
    req: SipMessage,
    status: number,
    reason = DEFAULT_REASONS[status] ?? 'Unknown',
    o: { headers?: Header[]; body?: string | Buffer; toTag?: string; contentType?: string } = {},
  ): SipMessage {
    const res = new SipMessage({ status, reason, body: o.body });
    for (const via of req.getAll('via')) res.headers.push(['Via', via]);
    res.set('From', req.get('from') ?? '');
    const to = req.get('to') ?? '';
    res.set('To', req.toTag || status === 100 ? to : `${to};tag=${o.toTag ?? token()}`);
    res.set('Call-ID', req.callId).set('CSeq', req.get('cseq') ?? '');
    if (res.body.length) res.set('Content-Type', o.contentType ?? 'application/sdp');
    for (const [n, v] of o.headers ?? []) res.set(n, v);
    const buf = res.toBuffer();
    this.serverTxns.set(`${req.branch}|${req.method}`, { last: buf });
    this.sendRaw(buf, res);
    return res;
  }

  /**
   * Answers an INVITE with 2xx and the Contact, retransmits it over UDP until the ACK
   * (`dialog.acked`), and returns the dialog.
   */
  accept(
    invite: SipMessage,
    o: { body?: string | Buffer; status?: number; headers?: Header[] } = {},
  ): Dialog {
    const toTag = invite.toTag ?? token();
    const res = this.respond(invite, o.status ?? 200, undefined, {
      body: o.body,
      toTag,
      headers: [['Contact', this.contact], ...(o.headers ?? [])],
    });
    const dialog = Dialog.fromRequest(this, invite, res.get('to') ?? '');
    const key = `${invite.callId}|${invite.cseq.seq}`;
    // Timer G retransmits the 2xx over UDP; Timer H (64·T1) gives up waiting for the ACK.
    dialog.acked = new Promise((resolve, reject) => {
      let interval = this.t1;
      const entry: PendingAck = {
        resolve,
        timerH: setTimeout(() => {
          clearTimeout(entry.timerG);
          this.pendingAcks.delete(key);
          reject(new Error(`no ACK for ${invite.callId} within ${64 * this.t1} ms`));
        }, 64 * this.t1),
      };
      this.pendingAcks.set(key, entry);
      if (this.proto !== 'udp') return;
      const again = () => {
        this.sendRaw(res.toBuffer(), res);
        interval = Math.min(interval * 2, T2_MS);
        entry.timerG = setTimeout(again, interval);
      };
      entry.timerG = setTimeout(again, interval);
    });
    dialog.acked.catch(() => undefined);
    return dialog;
  }

  /** Next received request matching a method or predicate (already queued or to come). */
  nextRequest(
    match?: string | ((m: SipMessage) => boolean),
    timeoutMs = 5000,
  ): Promise<SipMessage> {
    const fn =
      typeof match === 'function' ? match : (m: SipMessage) => !match || m.method === match;
    return this.nextMessage((m) => m.isRequest && fn(m), timeoutMs);
  }

  /** Next received message (request, or a response no transaction claimed) matching `match`. */
  nextMessage(
    match: (m: SipMessage) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<SipMessage> {
    const i = this.inbox.findIndex(match);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no matching SIP message within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Resolves true if no matching message arrives within `ms` (and leaves the inbox alone). */
  async quietFor(ms: number, match: (m: SipMessage) => boolean = () => true): Promise<boolean> {
    return this.nextMessage(match, ms).then(
      (m) => {
        this.inbox.unshift(m);
        return false;
      },
      () => true,
    );
  }

  async close(): Promise<void> {
    for (const tx of this.transactions.values()) tx.stopTimers();
    for (const a of this.pendingAcks.values()) {
      clearTimeout(a.timerG);
      clearTimeout(a.timerH);
    }
    this.pendingAcks.clear();
    await this.transport.close();
  }

  private onData(data: Buffer): void {
    let msg: SipMessage;
    try {
      msg = parseMessage(data);
    } catch {
      this.unparsable.push(data);
      return;
    }
    if (this.options.dropIncoming?.(msg, ++this.receivedCount)) return;
    this.received.push(msg);
    if (!msg.isRequest) {
      const tx = this.transactions.get(`${msg.branch}|${msg.cseq.method}`);
      if (tx) return tx.receive(msg);
    } else {
      if (msg.method === 'ACK') {
        const key = `${msg.callId}|${msg.cseq.seq}`;
        const pending = this.pendingAcks.get(key);
        if (pending) {
          clearTimeout(pending.timerG);
          clearTimeout(pending.timerH);
          this.pendingAcks.delete(key);
          pending.resolve(msg);
          return;
        }
      }
      const txKey = `${msg.branch}|${msg.method}`;
      const seen = this.serverTxns.get(txKey);
      if (seen) {
        if (seen.last) this.sendRaw(seen.last);
        return;
      }
      if (msg.method !== 'ACK') this.serverTxns.set(txKey, {});
    }
    const w = this.waiters.find((x) => x.match(msg));
    if (w) {
      this.waiters = this.waiters.filter((x) => x !== w);
      w.resolve(msg);
    } else {
      this.inbox.push(msg);
    }
  }
}

const DEFAULT_REASONS: Record<number, string> = {
  100: 'Trying',
  180: 'Ringing',
  183: 'Session Progress',
  200: 'OK',
  202: 'Accepted',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  481: 'Call/Transaction Does Not Exist',
  486: 'Busy Here',
  487: 'Request Terminated',
  491: 'Request Pending',
  500: 'Server Internal Error',
  503: 'Service Unavailable',
};
