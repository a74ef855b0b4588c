// SIP over a byte stream — TCP (RFC 3261 §18.3) or TLS (§26.2.1, RFC 5246): connections in
// both directions, messages framed by Content-Length. A connection that sends garbage is
// closed; others are unaffected. What differs between TCP and TLS is only how sockets are
// accepted and opened, so that is handed in as a `StreamWire`.
import type { Server, Socket } from 'node:net';
import type { Logger } from 'pino';
import { FramingError, StreamFramer } from './stream-framer';
import type { Endpoint, Flow, Transport, TransportHandlers } from './transport-types';

export type StreamProtocol = 'tcp' | 'tls';

export interface StreamWire {
  protocol: StreamProtocol;
  /** Listening, with accepted sockets reported as `acceptEvent`. */
  server: Server;
  /** 'connection' for TCP; 'secureConnection' (after the handshake) for TLS. */
  acceptEvent: string;
  /** Opens a connection to `remote`; it is usable once `readyEvent` fires. */
  connect(remote: Endpoint): Socket;
  readyEvent: string;
}

let nextFlowId = 1;

class StreamFlow implements Flow {
  readonly id: string;
  closed = false;
  private readonly framer: StreamFramer;
  private pending: Buffer[] | undefined;

  constructor(
    readonly protocol: StreamProtocol,
    private readonly socket: Socket,
    readonly local: Endpoint,
    readonly remote: Endpoint,
    readyEvent: string | undefined,
    handlers: TransportHandlers,
    logger: Logger,
    maxMessageBytes: number,
    onGone: (flow: StreamFlow) => void,
  ) {
    this.id = `${protocol}-${nextFlowId++}`;
    this.framer = new StreamFramer(maxMessageBytes);
    if (readyEvent) {
      // Queue until connected (for TLS: until the handshake is done).
      this.pending = [];
      socket.once(readyEvent, () => {
        for (const b of this.pending ?? []) socket.write(b);
        this.pending = undefined;
      });
    }
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      if (this.closed) return;
      let messages: Buffer[];
      try {
        messages = this.framer.push(chunk);
      } catch (err) {
        logger.warn(
          { remote, err: (err as Error).message },
          `${protocol}: bad stream, closing connection`,
        );
        // The core may still answer from the header section (e.g. 400 to a negative
        // Content-Length, RFC 4475 §3.1.2.3); the connection is closed after that.
        const head = err instanceof FramingError ? err.head : Buffer.alloc(0);
        const unframeable = err as Error;
        handlers.onMessage({
          data: head,
          protocol,
          local: this.local,
          remote,
          flow: this,
          unframeable,
        });
        this.close(true);
        return;
      }
      for (const data of messages) {
        if (this.closed) return;
        handlers.onMessage({ data, protocol, local: this.local, remote, flow: this });
      }
    });
    socket.on('error', (err) => logger.debug({ remote, err: err.message }, `${protocol} error`));
    socket.on('close', () => {
      this.closed = true;
      onGone(this);
      handlers.onFlowClosed(this);
    });
  }

  send(data: Buffer): void {
    if (this.closed) return;
    if (this.pending) this.pending.push(data);
    else this.socket.write(data);
  }

  /** `graceful`: let what was written (a last 400) leave first, then close. */
  close(graceful = false): void {
    this.closed = true;
    if (this.socket.destroyed) return;
    if (!graceful) {
      this.socket.destroy();
      return;
    }
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }
}

export class StreamTransport implements Transport {
  readonly protocol: StreamProtocol;
  private readonly flows = new Map<string, StreamFlow>();

  private constructor(
    private readonly wire: StreamWire,
    readonly local: Endpoint,
    private readonly handlers: TransportHandlers,
    private readonly logger: Logger,
    private readonly maxMessageBytes: number,
  ) {
    this.protocol = wire.protocol;
    wire.server.on(wire.acceptEvent, (socket: Socket) => {
      const remote = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
      this.adopt(socket, remote, undefined);
    });
  }

  static listen(
    wire: StreamWire,
    address: string,
    port: number,
    handlers: TransportHandlers,
    logger: Logger,
    maxMessageBytes: number,
  ): Promise<StreamTransport> {
    const { server } = wire;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, address, () => {
        server.off('error', reject);
        const addr = server.address();
        const bound = typeof addr === 'object' && addr ? addr.port : port;
        const local = { address, port: bound };
        resolve(new StreamTransport(wire, local, handlers, logger, maxMessageBytes));
      });
    });
  }

  private adopt(socket: Socket, remote: Endpoint, readyEvent: string | undefined): StreamFlow {
    const flow = new StreamFlow(
      this.protocol,
      socket,
      this.local,
      remote,
      readyEvent,
      this.handlers,
      this.logger,
      this.maxMessageBytes,
      (f) => {
        if (this.flows.get(key(f.remote)) === f) this.flows.delete(key(f.remote));
      },
    );
    this.flows.set(key(remote), flow);
    return flow;
  }

  findFlow(remote: Endpoint): Flow | undefined {
    const f = this.flows.get(key(remote));
    return f && !f.closed ? f : undefined;
  }

  /** Sends on the existing connection to `remote`, opening one if needed (§18.1.1). */
  send(data: Buffer, remote: Endpoint): Flow {
    let flow = this.flows.get(key(remote));
    if (!flow || flow.closed) {
      flow = this.adopt(this.wire.connect(remote), remote, this.wire.readyEvent);
    }
    flow.send(data);
    return flow;
  }

  close(): Promise<void> {
    for (const f of this.flows.values()) f.close();
    this.flows.clear();
    return new Promise((resolve) => this.wire.server.close(() => resolve()));
  }
}

function key(e: Endpoint): string {
  return `${e.address}:${e.port}`;
}
