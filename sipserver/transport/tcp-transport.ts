// SIP over TCP (RFC 3261 §18.3): connections in both directions, messages framed by
// Content-Length. A connection that sends garbage is closed; others are unaffected.
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { StreamFramer } from './stream-framer';
import type { Endpoint, Flow, Transport, TransportHandlers } from './transport-types';

let nextFlowId = 1;

class TcpFlow implements Flow {
  readonly id = `tcp-${nextFlowId++}`;
  readonly protocol = 'tcp';
  closed = false;
  private readonly framer: StreamFramer;
  private pending: Buffer[] | undefined;

  constructor(
    private readonly socket: Socket,
    readonly local: Endpoint,
    readonly remote: Endpoint,
    connecting: boolean,
    handlers: TransportHandlers,
    logger: Logger,
    maxMessageBytes: number,
    onGone: (flow: TcpFlow) => void,
  ) {
    this.framer = new StreamFramer(maxMessageBytes);
    if (connecting) {
      this.pending = [];
      socket.once('connect', () => {
        for (const b of this.pending ?? []) socket.write(b);
        this.pending = undefined;
      });
    }
    socket.setNoDelay(true);
    socket.on('data', (chunk) => {
      if (this.closed) return;
      try {
        for (const data of this.framer.push(chunk)) {
          handlers.onMessage({ data, protocol: 'tcp', local: this.local, remote, flow: this });
        }
      } catch (err) {
        logger.warn({ remote, err: (err as Error).message }, 'tcp: bad stream, closing connection');
        this.close();
      }
    });
    socket.on('error', (err) => logger.debug({ remote, err: err.message }, 'tcp socket error'));
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

  close(): void {
    if (!this.socket.destroyed) this.socket.destroy();
    this.closed = true;
  }
}

export class TcpTransport implements Transport {
  readonly protocol = 'tcp';
  private readonly flows = new Map<string, TcpFlow>();

  private constructor(
    private readonly server: Server,
    readonly local: Endpoint,
    private readonly handlers: TransportHandlers,
    private readonly logger: Logger,
    private readonly maxMessageBytes: number,
  ) {
    server.on('connection', (socket) => {
      const remote = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
      this.adopt(socket, remote, false);
    });
  }

  static listen(
    address: string,
    port: number,
    handlers: TransportHandlers,
    logger: Logger,
    maxMessageBytes: number,
  ): Promise<TcpTransport> {
    return new Promise((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(port, address, () => {
        server.off('error', reject);
        const addr = server.address();
        const bound = typeof addr === 'object' && addr ? addr.port : port;
        resolve(
          new TcpTransport(server, { address, port: bound }, handlers, logger, maxMessageBytes),
        );
      });
    });
  }

  private adopt(socket: Socket, remote: Endpoint, connecting: boolean): TcpFlow {
    const flow = new TcpFlow(
      socket,
      this.local,
      remote,
      connecting,
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
      const socket = connect({ host: remote.address, port: remote.port });
      flow = this.adopt(socket, remote, true);
    }
    flow.send(data);
    return flow;
  }

  close(): Promise<void> {
    for (const f of this.flows.values()) f.close();
    this.flows.clear();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function key(e: Endpoint): string {
  return `${e.address}:${e.port}`;
}
