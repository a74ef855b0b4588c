// One drachtio-srf application connected to us (inbound mode): authentication, routes,
// pings here; `sip|…` messages go to the SIP core.
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { FrameDecoder, frameText } from './frame-decoder';
import { decodeWireMessage, encodeWireMessage, type WireMessage } from './wire-message';

let nextId = 1;

export interface AppConnectionHost {
  secret: string;
  /** 'udp/127.0.0.1:5060,…' */
  hostports(): string;
  version: string;
  onRoute(conn: AppConnection, verb: string): void;
  onRemoveRoutes(conn: AppConnection): void;
  onSip(conn: AppConnection, msg: WireMessage): void;
  onClose(conn: AppConnection): void;
}

export class AppConnection {
  readonly id = `app-${nextId++}`;
  authenticated = false;
  closed = false;
  tags: string[] = [];
  private readonly decoder = new FrameDecoder();
  private corked = false;
  readonly remote: string;

  constructor(
    private readonly socket: Socket,
    private readonly host: AppConnectionHost,
    private readonly logger: Logger,
    onGone: (conn: AppConnection) => void = () => undefined,
  ) {
    this.remote = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', (err) =>
      logger.debug({ app: this.remote, err: err.message }, 'app socket error'),
    );
    socket.on('close', () => {
      this.closed = true;
      onGone(this);
      host.onClose(this);
    });
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    let payloads: string[];
    try {
      payloads = this.decoder.push(chunk);
    } catch (err) {
      this.logger.warn(
        { app: this.remote, err: (err as Error).message },
        'drachtio: bad frame, closing app connection',
      );
      this.close();
      return;
    }
    for (const p of payloads) {
      if (this.closed) return;
      try {
        this.onMessage(decodeWireMessage(p));
      } catch (err) {
        this.logger.warn(
          { app: this.remote, err: (err as Error).message },
          'drachtio: bad message, closing app connection',
        );
        this.close();
        return;
      }
    }
  }

  private onMessage(msg: WireMessage): void {
    if (msg.type === 'authenticate') {
      if (msg.args[0] !== this.host.secret) {
        this.logger.warn({ app: this.remote }, 'drachtio: incorrect secret');
        this.reply(msg.id, ['NO', 'incorrect secret']);
        this.socket.end();
        return;
      }
      this.authenticated = true;
      this.tags = (msg.args[1] ?? '').split(',').filter(Boolean);
      this.reply(msg.id, ['OK', this.host.hostports(), this.host.version, this.host.hostports()]);
      return;
    }
    if (!this.authenticated) {
      this.logger.warn(
        { app: this.remote, type: msg.type },
        'drachtio: message before authenticate, closing',
      );
      this.close();
      return;
    }
    switch (msg.type) {
      case 'ping':
        this.reply(msg.id, ['OK', 'pong']);
        return;
      case 'route':
        this.host.onRoute(this, msg.args[0] ?? '');
        this.reply(msg.id, ['OK']);
        return;
      case 'remove_route':
        this.host.onRemoveRoutes(this);
        this.reply(msg.id, ['OK']);
        return;
      case 'sip':
        this.host.onSip(this, msg);
        return;
      default:
        this.reply(msg.id, ['NOK', `unsupported message type '${msg.type}'`]);
    }
  }

  /** `response|<rid>|…` */
  reply(rid: string, fields: string[], sip?: string): void {
    this.send(['response', rid, ...fields], sip);
  }

  /**
   * Frames written in one turn of the event loop leave in one write: the socket is corked
   * at the first and uncorked on the next tick (a syscall per frame showed in profiles).
   */
  send(fields: string[], sip?: string): void {
    if (this.closed || this.socket.destroyed) return;
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(frameText(encodeWireMessage(fields, sip)));
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }
}
