// A small SIP user agent for end-to-end tests, where a test must decide when a party
// hangs up, re-INVITEs, sends INFO or stops answering: REGISTER (digest), INVITE out,
// INVITE in, BYE/re-INVITE/INFO both ways. All traffic goes to one server address (the SIP
// server under test) over UDP, TCP or WebSocket (the shared test transports).
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { digestAuthorization } from '../../helpers/sip-digest';
import { parseMessage, SipMessage, uriOf, type Header } from '../../helpers/sip-message';
import {
  openTransport,
  type HostPort,
  type SipProto,
  type SipTransport,
} from '../../helpers/sip-transport';

const rand = () => randomBytes(6).toString('hex');

export class SipError extends Error {
  constructor(
    readonly status: number,
    readonly response: SipMessage,
  ) {
    super(`SIP ${status} ${response.reason ?? ''}`);
  }
}

export interface Dialog {
  callId: string;
  localTag: string;
  remoteTag: string;
  localUri: string;
  remoteUri: string;
  remoteTarget: string;
  localCSeq: number;
  remoteSdp: string;
  localSdp: string;
  ended: boolean;
  /** Requests received in this dialog (method, headers, body), in order. */
  received: SipMessage[];
}

interface Pending {
  resolve: (m: SipMessage) => void;
  onProvisional?: (m: SipMessage) => void;
}

export interface IncomingInvite {
  req: SipMessage;
  /** Sends 180 (or 183 with sdp). */
  ring(sdp?: string): void;
  answer(sdp: string): Promise<Dialog>;
  reject(status: number): void;
}

export interface TestUaEvents {
  invite: [IncomingInvite];
  request: [SipMessage, Dialog | undefined];
  bye: [Dialog, SipMessage];
}

export class TestUa extends EventEmitter<TestUaEvents> {
  private readonly pending = new Map<string, Pending>();
  private readonly dialogs = new Map<string, Dialog>();
  private readonly lastResponses = new Map<string, Buffer>();
  private readonly incoming = new Map<string, IncomingInvite>();
  private readonly cancelWaiters = new Map<string, (m: SipMessage) => void>();
  private cseq = 1;
  private lastInvite?: SipMessage;
  /** Reply to in-dialog OPTIONS (keep-alives); false = stay silent like a dead peer. */
  answerOptions = true;
  /** Answer re-INVITEs with this SDP (default: the dialog's local SDP). */
  reinviteSdp?: (d: Dialog) => string;

  private constructor(
    readonly transport: SipTransport,
    readonly user: string,
    readonly server: HostPort,
  ) {
    super();
    transport.onMessage((data) => {
      let msg: SipMessage;
      try {
        msg = parseMessage(data);
      } catch {
        return;
      }
      if (msg.isRequest) this.onRequest(msg);
      else this.onResponse(msg);
    });
  }

  static async open(proto: SipProto, server: HostPort, user: string): Promise<TestUa> {
    return new TestUa(await openTransport(proto, server), user, server);
  }

  get proto(): SipProto {
    return this.transport.proto;
  }

  get contactUri(): string {
    const port = this.transport.viaPort ? `:${this.transport.viaPort}` : '';
    return `sip:${this.user}@${this.transport.viaHost}${port};transport=${this.proto}`;
  }

  get aor(): string {
    return `sip:${this.user}@${this.server.host}:${this.server.port}`;
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  async register(password: string | undefined, expires = 300): Promise<number> {
    const callId = rand();
    const fromTag = rand();
    const uri = `sip:${this.server.host}:${this.server.port}`;
    const build = (auth?: string) => {
      const m = this.request('REGISTER', uri, [
        ['From', `<${this.aor}>;tag=${fromTag}`],
        ['To', `<${this.aor}>`],
        ['Call-ID', callId],
        ['CSeq', `${this.cseq++} REGISTER`],
        ['Contact', `<${this.contactUri}>;expires=${expires}`],
        ['Expires', String(expires)],
      ]);
      if (auth) m.set('Authorization', auth);
      return m;
    };
    let res = await this.send(build());
    if (res.status === 401 && password !== undefined) {
      const auth = digestAuthorization(
        res.get('www-authenticate') ?? '',
        { username: this.user, password },
        'REGISTER',
        uri,
      );
      res = await this.send(build(auth));
    }
    return res.status!;
  }

  /** Calls `uri`; resolves with the dialog once answered (ACK sent), rejects with SipError. */
  async invite(
    uri: string,
    sdp: string,
    headers: Header[] = [],
    onProvisional?: (m: SipMessage) => void,
  ): Promise<Dialog> {
    const callId = rand();
    const localTag = rand();
    const localUri = `sip:${this.user}@${this.transport.viaHost}`;
    const cseq = this.cseq++;
    const req = this.request('INVITE', uri, [
      ['From', `<${localUri}>;tag=${localTag}`],
      ['To', `<${uri}>`],
      ['Call-ID', callId],
      ['CSeq', `${cseq} INVITE`],
      ['Contact', `<${this.contactUri}>`],
      ['Content-Type', 'application/sdp'],
      ...headers,
    ]);
    req.body = Buffer.from(sdp);
    this.lastInvite = req;
    const res = await this.send(req, onProvisional);
    if (this.lastInvite === req) this.lastInvite = undefined;
    if (res.status! >= 300) {
      this.ackFailure(req, res);
      throw new SipError(res.status!, res);
    }
    const dialog: Dialog = {
      callId,
      localTag,
      remoteTag: res.toTag ?? '',
      localUri,
      remoteUri: uri,
      remoteTarget: uriOf(res.get('contact') ?? uri),
      localCSeq: cseq,
      remoteSdp: res.body.toString(),
      localSdp: sdp,
      ended: false,
      received: [],
    };
    this.dialogs.set(callId, dialog);
    this.sendAck(dialog, cseq);
    return dialog;
  }

  /** Next INVITE that starts a dialog, or rejects after timeoutMs. */
  nextInvite(timeoutMs = 10_000): Promise<IncomingInvite> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('invite', on);
        reject(new Error(`${this.user}: no INVITE within ${timeoutMs} ms`));
      }, timeoutMs);
      const on = (inv: IncomingInvite) => {
        clearTimeout(timer);
        resolve(inv);
      };
      this.once('invite', on);
    });
  }

  /** CANCELs the INVITE still waiting for its final response. */
  async cancelPending(): Promise<number> {
    const inv = this.lastInvite;
    if (!inv) throw new Error(`${this.user}: no INVITE in progress`);
    const cancel = new SipMessage({
      method: 'CANCEL',
      uri: inv.uri,
      headers: [
        ['Via', inv.getAll('via')[0]],
        ['Max-Forwards', '70'],
        ['From', inv.get('from')!],
        ['To', inv.get('to')!],
        ['Call-ID', inv.callId],
        ['CSeq', `${inv.cseq.seq} CANCEL`],
      ],
    });
    // The CANCEL shares the INVITE's branch: wait for its 200 under a distinct key.
    return new Promise((resolve) => {
      this.cancelWaiters.set(inv.callId, (m) => resolve(m.status!));
      this.transport.send(cancel.toBuffer());
    });
  }

  /** ACK for a non-2xx final response (same branch, RFC 3261 §17.1.1.3). */
  private ackFailure(inv: SipMessage, res: SipMessage): void {
    const ack = new SipMessage({
      method: 'ACK',
      uri: inv.uri,
      headers: [
        ['Via', inv.getAll('via')[0]],
        ['Max-Forwards', '70'],
        ['From', inv.get('from')!],
        ['To', res.get('to')!],
        ['Call-ID', inv.callId],
        ['CSeq', `${inv.cseq.seq} ACK`],
      ],
    });
    this.transport.send(ack.toBuffer());
  }

  async bye(d: Dialog, headers: Header[] = []): Promise<number> {
    d.ended = true;
    const res = await this.send(this.inDialog(d, 'BYE', headers));
    return res.status!;
  }

  async reinvite(d: Dialog, sdp: string): Promise<SipMessage> {
    const req = this.inDialog(d, 'INVITE', [
      ['Content-Type', 'application/sdp'],
      ['Contact', `<${this.contactUri}>`],
    ]);
    req.body = Buffer.from(sdp);
    const res = await this.send(req);
    if (res.status! < 300) {
      d.localSdp = sdp;
      d.remoteSdp = res.body.toString() || d.remoteSdp;
      this.sendAck(d, d.localCSeq);
    }
    return res;
  }

  async info(d: Dialog, body: unknown): Promise<number> {
    const req = this.inDialog(d, 'INFO', [['Content-Type', 'application/json']]);
    req.body = Buffer.from(JSON.stringify(body));
    return (await this.send(req)).status!;
  }

  async options(uri: string): Promise<number> {
    const req = this.request('OPTIONS', uri, [
      ['From', `<sip:${this.user}@${this.transport.viaHost}>;tag=${rand()}`],
      ['To', `<${uri}>`],
      ['Call-ID', rand()],
      ['CSeq', `${this.cseq++} OPTIONS`],
    ]);
    return (await this.send(req)).status!;
  }

  /** Resolves when the peer ends the dialog with BYE. */
  waitForBye(d: Dialog, timeoutMs = 10_000): Promise<SipMessage> {
    const already = d.received.find((m) => m.method === 'BYE');
    if (already) return Promise.resolve(already);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('bye', on);
        reject(new Error(`${this.user}: no BYE within ${timeoutMs} ms`));
      }, timeoutMs);
      const on = (dialog: Dialog, m: SipMessage) => {
        if (dialog !== d) return;
        clearTimeout(timer);
        this.off('bye', on);
        resolve(m);
      };
      this.on('bye', on);
    });
  }

  private request(method: string, uri: string, headers: Header[]): SipMessage {
    const via = `SIP/2.0/${this.proto.toUpperCase()} ${this.transport.viaHost}${this.transport.viaPort ? `:${this.transport.viaPort}` : ''};branch=z9hG4bK${rand()};rport`;
    return new SipMessage({
      method,
      uri,
      headers: [['Via', via], ['Max-Forwards', '70'], ...headers],
    });
  }

  private inDialog(d: Dialog, method: string, extra: Header[]): SipMessage {
    const cseq = method === 'ACK' ? d.localCSeq : ++d.localCSeq;
    if (method !== 'ACK') d.localCSeq = cseq;
    return this.request(method, d.remoteTarget, [
      ['From', `<${d.localUri}>;tag=${d.localTag}`],
      ['To', `<${d.remoteUri}>;tag=${d.remoteTag}`],
      ['Call-ID', d.callId],
      ['CSeq', `${cseq} ${method}`],
      ...extra,
    ]);
  }

  private sendAck(d: Dialog, cseq: number): void {
    const ack = this.request('ACK', d.remoteTarget, [
      ['From', `<${d.localUri}>;tag=${d.localTag}`],
      ['To', `<${d.remoteUri}>;tag=${d.remoteTag}`],
      ['Call-ID', d.callId],
      ['CSeq', `${cseq} ACK`],
    ]);
    this.transport.send(ack.toBuffer());
  }

  /** Sends a request; resolves with its final response (retransmits over UDP). */
  private send(req: SipMessage, onProvisional?: (m: SipMessage) => void): Promise<SipMessage> {
    const branch = req.branch;
    return new Promise((resolve, reject) => {
      let tries = 0;
      let timer: NodeJS.Timeout | undefined;
      const finish = (m: SipMessage) => {
        if (timer) clearTimeout(timer);
        this.pending.delete(branch);
        resolve(m);
      };
      this.pending.set(branch, {
        resolve: finish,
        onProvisional: (m) => {
          if (timer) clearTimeout(timer); // a provisional stops retransmission
          timer = undefined;
          onProvisional?.(m);
        },
      });
      const transmit = () => {
        if (tries++ > 6) {
          this.pending.delete(branch);
          reject(new Error(`${this.user}: no response to ${req.method}`));
          return;
        }
        this.transport.send(req.toBuffer());
        if (this.proto === 'udp' || tries === 1)
          timer = setTimeout(transmit, this.proto === 'udp' ? 500 * tries : 8000);
      };
      transmit();
    });
  }

  private onResponse(res: SipMessage): void {
    if (res.cseq.method === 'CANCEL') {
      this.cancelWaiters.get(res.callId)?.(res);
      this.cancelWaiters.delete(res.callId);
      return;
    }
    const pending = this.pending.get(res.branch);
    if (!pending) {
      // A retransmitted 200 to our INVITE: ACK it again.
      const d = this.dialogs.get(res.callId);
      if (d && res.cseq.method === 'INVITE' && res.status === 200) this.sendAck(d, res.cseq.seq);
      return;
    }
    if (res.status! < 200) pending.onProvisional?.(res);
    else pending.resolve(res);
  }

  private reply(
    req: SipMessage,
    status: number,
    reason: string,
    extra: Header[] = [],
    body?: string,
    toTag?: string,
  ): void {
    const to = req.get('to') ?? '';
    const res = new SipMessage({
      status,
      reason,
      headers: [
        ...req.getAll('via').map((v): Header => ['Via', v]),
        ['From', req.get('from') ?? ''],
        ['To', toTag && !/;\s*tag=/i.test(to) ? `${to};tag=${toTag}` : to],
        ['Call-ID', req.callId],
        ['CSeq', req.get('cseq') ?? ''],
        ...extra,
      ],
      body,
    });
    const data = res.toBuffer();
    if (status >= 200) this.lastResponses.set(req.branch, data);
    this.transport.send(data);
  }

  private onRequest(req: SipMessage): void {
    if (process.env.TEST_UA_DEBUG) console.error('UA', this.user, 'got', req.method, req.branch);
    if (req.method === 'ACK') return;
    const again = this.lastResponses.get(req.branch);
    if (again) {
      this.transport.send(again);
      return;
    }
    const d = this.dialogs.get(req.callId);
    if (d && req.toTag) {
      d.received.push(req);
      this.emit('request', req, d);
      switch (req.method) {
        case 'BYE':
          d.ended = true;
          this.reply(req, 200, 'OK');
          this.emit('bye', d, req);
          return;
        case 'OPTIONS':
          if (this.answerOptions) this.reply(req, 200, 'OK');
          return;
        case 'INVITE': {
          const sdp = this.reinviteSdp?.(d) ?? d.localSdp;
          d.remoteSdp = req.body.toString() || d.remoteSdp;
          this.reply(
            req,
            200,
            'OK',
            [
              ['Contact', `<${this.contactUri}>`],
              ['Content-Type', 'application/sdp'],
            ],
            sdp,
          );
          return;
        }
        default:
          this.reply(req, 200, 'OK');
          return;
      }
    }
    if (req.method === 'INVITE' && !req.toTag) {
      this.onNewInvite(req);
      return;
    }
    if (req.method === 'CANCEL') {
      this.reply(req, 200, 'OK');
      this.incoming.get(req.branch)?.reject(487);
      return;
    }
    this.reply(
      req,
      req.method === 'OPTIONS' ? 200 : 481,
      req.method === 'OPTIONS' ? 'OK' : 'Call/Transaction Does Not Exist',
    );
  }

  private onNewInvite(req: SipMessage): void {
    const localTag = rand();
    let final = false;
    const inv: IncomingInvite = {
      req,
      ring: (sdp) => {
        if (final) return;
        if (sdp)
          this.reply(
            req,
            183,
            'Session Progress',
            [
              ['Contact', `<${this.contactUri}>`],
              ['Content-Type', 'application/sdp'],
            ],
            sdp,
            localTag,
          );
        else
          this.reply(
            req,
            180,
            'Ringing',
            [['Contact', `<${this.contactUri}>`]],
            undefined,
            localTag,
          );
      },
      answer: async (sdp) => {
        if (final) throw new Error('INVITE already answered or rejected');
        final = true;
        const dialog: Dialog = {
          callId: req.callId,
          localTag,
          remoteTag: req.fromTag ?? '',
          localUri: uriOf(req.get('to') ?? ''),
          remoteUri: uriOf(req.get('from') ?? ''),
          remoteTarget: uriOf(req.get('contact') ?? ''),
          localCSeq: 1,
          remoteSdp: req.body.toString(),
          localSdp: sdp,
          ended: false,
          received: [],
        };
        this.dialogs.set(req.callId, dialog);
        this.reply(
          req,
          200,
          'OK',
          [
            ['Contact', `<${this.contactUri}>`],
            ['Content-Type', 'application/sdp'],
          ],
          sdp,
          localTag,
        );
        return dialog;
      },
      reject: (status) => {
        if (final) return;
        final = true;
        this.reply(
          req,
          status,
          status === 487 ? 'Request Terminated' : 'Rejected',
          [],
          undefined,
          localTag,
        );
      },
    };
    this.incoming.set(req.branch, inv);
    this.emit('invite', inv);
  }
}
