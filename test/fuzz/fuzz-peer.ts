// The fuzzer's end of one transport (UDP socket, TCP connection or WebSocket): sends bytes
// as they are, reconnects when the server closes a stream, and behaves just well enough to
// keep the server's state small: ACKs final responses to its INVITEs, answers requests the
// server sends it with 200, and keeps the dialogs it got into for in-dialog mutations.
import { createSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { parseMessage, StreamFramer, type SipMessage } from '../helpers/sip-message';
import type { FuzzProto, LiveDialog } from './templates';

export interface FuzzPeerStats {
  sent: number;
  received: number;
  reconnects: number;
  /** INVITEs that got a provisional response but no final one (yet), and since when. */
  pendingInvites: Map<string, { at: number; conn: object }>;
  /** Responses received, by status code. */
  statuses: Record<number, number>;
}

export class FuzzPeer {
  readonly dialogs: LiveDialog[] = [];
  readonly stats: FuzzPeerStats = {
    sent: 0,
    received: 0,
    reconnects: 0,
    pendingInvites: new Map(),
    statuses: {},
  };
  private udp?: ReturnType<typeof createSocket>;
  private stream?: Socket;
  private ws?: WebSocket;
  private connecting?: Promise<void>;
  private closed = false;
  /** host:port we put in Via/Contact. */
  local = '';
  /** Called with every response received (for the campaign's statistics). */
  onResponse?: (res: SipMessage) => void;

  private constructor(
    readonly proto: FuzzProto,
    private readonly server: { host: string; port: number },
  ) {}

  static async open(proto: FuzzProto, server: { host: string; port: number }): Promise<FuzzPeer> {
    const peer = new FuzzPeer(proto, server);
    await peer.ensureOpen();
    return peer;
  }

  async send(bytes: Buffer): Promise<void> {
    await this.ensureOpen();
    this.stats.sent++;
    this.write(bytes);
    // On a stream, a message that does not frame as exactly itself leaves the server
    // waiting for bytes or misreading the next message: start the next one afresh.
    if (this.proto === 'tcp' && this.stream && !framesAsOne(bytes)) {
      const old = this.stream; // its responses may still arrive for a moment
      setTimeout(() => old.destroy(), 2000).unref();
      this.stream = undefined;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.udp?.close();
    this.stream?.destroy();
    this.ws?.terminate();
  }

  private write(bytes: Buffer): void {
    if (this.udp) {
      if (bytes.length <= 65_000) this.udp.send(bytes, this.server.port, this.server.host);
    } else if (this.stream && !this.stream.destroyed) {
      this.stream.write(bytes);
    } else if (this.ws?.readyState === WebSocket.OPEN) {
      this.ws.send(bytes, { binary: !Buffer.from(bytes.toString('utf8')).equals(bytes) });
    }
  }

  private ensureOpen(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (
      this.udp ||
      (this.stream && !this.stream.destroyed) ||
      this.ws?.readyState === WebSocket.OPEN
    )
      return Promise.resolve();
    this.connecting ??= this.openTransport().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async openTransport(): Promise<void> {
    const { host, port } = this.server;
    if (this.proto === 'udp') {
      const sock = createSocket('udp4');
      await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
      sock.on('message', (m) => this.receive(m, sock));
      sock.on('error', () => undefined);
      this.udp = sock;
      this.local = `127.0.0.1:${sock.address().port}`;
      return;
    }
    if (this.stream || this.ws) this.stats.reconnects++;
    if (this.proto === 'tcp') {
      const sock = connect(port, host);
      sock.on('error', () => undefined);
      sock.once('close', () => this.forgetPending(sock));
      await new Promise<void>((resolve) => {
        sock.once('connect', resolve);
        sock.once('close', resolve);
      });
      const framer = new StreamFramer();
      sock.on('data', (chunk: Buffer) => {
        try {
          framer.push(chunk).forEach((m) => this.receive(m, sock));
        } catch {
          // a response we cannot frame: the server never sends one, so it is a finding
        }
      });
      this.stream = sock;
      this.local = `127.0.0.1:${sock.localPort ?? 5060}`;
      return;
    }
    const ws = new WebSocket(`ws://${host}:${port}`, 'sip');
    ws.on('error', () => undefined);
    ws.once('close', () => this.forgetPending(ws));
    await new Promise<void>((resolve) => {
      ws.once('open', resolve);
      ws.once('close', resolve);
    });
    ws.on('message', (raw: WebSocket.RawData) =>
      this.receive(Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw as ArrayBuffer), ws),
    );
    this.ws = ws;
    this.local = `${Math.random().toString(36).slice(2, 10)}.invalid`;
  }

  /** Finals still due on a connection the server closed cannot arrive any more. */
  private forgetPending(conn: object): void {
    for (const [k, p] of this.stats.pendingInvites)
      if (p.conn === conn) this.stats.pendingInvites.delete(k);
  }

  private receive(data: Buffer, conn: object): void {
    this.stats.received++;
    let msg: SipMessage;
    try {
      msg = parseMessage(data);
    } catch {
      return;
    }
    if (!msg.isRequest)
      this.stats.statuses[msg.status!] = (this.stats.statuses[msg.status!] ?? 0) + 1;
    if (!msg.isRequest) this.onResponse?.(msg);
    if (msg.isRequest) this.answer(msg);
    else if (msg.cseq.method === 'INVITE') this.onInviteResponse(msg, conn);
  }

  /** 200 to whatever the server asks of us (BYE after an ACK timeout, OPTIONS, ...). */
  private answer(req: SipMessage): void {
    if (req.method === 'ACK') return;
    const lines = [`SIP/2.0 ${req.method === 'INVITE' ? '488 Not Here' : '200 OK'}`];
    for (const v of req.getAll('via')) lines.push(`Via: ${v}`);
    lines.push(`From: ${req.get('from') ?? ''}`);
    const to = req.get('to') ?? '';
    lines.push(`To: ${/;\s*tag=/i.test(to) ? to : `${to};tag=fz${this.stats.received}`}`);
    lines.push(`Call-ID: ${req.callId}`, `CSeq: ${req.get('cseq') ?? ''}`, 'Content-Length: 0', '');
    this.write(Buffer.from(lines.join('\r\n') + '\r\n'));
  }

  private onInviteResponse(res: SipMessage, conn: object): void {
    const status = res.status ?? 0;
    const key = `${res.callId}|${res.cseq.seq}`;
    const toTag = res.toTag;
    if (status < 200) {
      if (!this.stats.pendingInvites.has(key))
        this.stats.pendingInvites.set(key, { at: Date.now(), conn });
      if (toTag && status > 100) this.remember(res, false);
      return;
    }
    this.stats.pendingInvites.delete(key);
    if (status >= 300) {
      this.ack(res, res.getAll('via')[0] ?? '', this.inviteUriOf(res));
      this.dialogs.splice(
        0,
        this.dialogs.length,
        ...this.dialogs.filter((d) => d.callId !== res.callId),
      );
      return;
    }
    const dlg = this.remember(res, true);
    if (dlg) {
      const branch = `z9hG4bKack${Math.random().toString(36).slice(2, 10)}`;
      this.ack(
        res,
        `SIP/2.0/${this.proto.toUpperCase()} ${this.local};branch=${branch}`,
        dlg.remoteTarget,
      );
    }
  }

  private remember(res: SipMessage, confirmed: boolean): LiveDialog | undefined {
    const contact = /<([^>]*)>/.exec(res.get('contact') ?? '')?.[1];
    const from = res.get('from') ?? '';
    const localTag = /;\s*tag=([^;\s]+)/i.exec(from)?.[1];
    if (!contact || !localTag || !res.toTag) return undefined;
    let dlg = this.dialogs.find((d) => d.callId === res.callId);
    if (!dlg) {
      dlg = {
        callId: res.callId,
        localTag,
        remoteTag: res.toTag,
        remoteTarget: contact,
        routes: res.getAll('record-route').reverse(),
        cseq: res.cseq.seq,
        inviteVia: res.getAll('via')[0] ?? '',
        inviteCseq: res.cseq.seq,
        inviteUri: this.inviteUriOf(res),
        confirmed,
      };
      this.dialogs.push(dlg);
      if (this.dialogs.length > 50) this.dialogs.shift();
    }
    dlg.confirmed ||= confirmed;
    return dlg;
  }

  private inviteUriOf(res: SipMessage): string {
    return /<([^>]*)>/.exec(res.get('to') ?? '')?.[1] ?? `sip:${this.server.host}`;
  }

  private ack(res: SipMessage, via: string, uri: string): void {
    const lines = [
      `ACK ${uri} SIP/2.0`,
      `Via: ${via}`,
      'Max-Forwards: 70',
      `From: ${res.get('from') ?? ''}`,
      `To: ${res.get('to') ?? ''}`,
      `Call-ID: ${res.callId}`,
      `CSeq: ${res.cseq.seq} ACK`,
      'Content-Length: 0',
      '',
      '',
    ];
    this.write(Buffer.from(lines.join('\r\n')));
  }
}

/** Does `bytes` frame as exactly one message by its Content-Length (RFC 3261 §18.3)? */
function framesAsOne(bytes: Buffer): boolean {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const cl = /^(?:content-length|l)[ \t]*:[ \t]*(\d+)[ \t]*$/im.exec(
    bytes.toString('latin1', 0, end),
  );
  return !!cl && end + 4 + Number(cl[1]) === bytes.length;
}
