// SIP over WebSocket (RFC 7118): subprotocol "sip", one SIP message per frame (§5.2).
// Clients behind a WebSocket cannot be reached at their Contact (it is a ".invalid"
// host, §5.4), so everything to them goes back over the connection they opened.
// WSS is the same over an HTTPS server (see wss-transport.ts).
import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Endpoint, Flow, Transport, TransportHandlers } from './transport-types';

let nextFlowId = 1;

export type WsProtocol = 'ws' | 'wss';

class WsFlow implements Flow {
  readonly id: string;
  closed = false;

  constructor(
    readonly protocol: WsProtocol,
    private readonly ws: WebSocket,
    readonly local: Endpoint,
    readonly remote: Endpoint,
  ) {
    this.id = `${protocol}-${nextFlowId++}`;
  }

  send(data: Buffer): void {
    if (!this.closed) this.ws.send(data.toString('utf8'));
  }

  close(): void {
    this.closed = true;
    this.ws.terminate();
  }
}

export class WsTransport implements Transport {
  private readonly flows = new Map<string, WsFlow>();

  private constructor(
    readonly protocol: WsProtocol,
    private readonly http: Server,
    private readonly wss: WebSocketServer,
    readonly local: Endpoint,
  ) {}

  static listen(
    address: string,
    port: number,
    handlers: TransportHandlers,
    logger: Logger,
    maxMessageBytes: number,
  ): Promise<WsTransport> {
    const http = createServer(refuseHttp);
    return WsTransport.listenOn(http, 'ws', address, port, handlers, logger, maxMessageBytes);
  }

  /** Serves WebSocket SIP on `http`, an HTTP or (for WSS) HTTPS server not yet listening. */
  static listenOn(
    http: Server,
    protocol: WsProtocol,
    address: string,
    port: number,
    handlers: TransportHandlers,
    logger: Logger,
    maxMessageBytes: number,
  ): Promise<WsTransport> {
    return new Promise((resolve, reject) => {
      const wss = new WebSocketServer({
        server: http,
        maxPayload: maxMessageBytes,
        // RFC 7118 §4.1: the client offers "sip"; a handshake without it is refused.
        verifyClient: (info: { req: { headers: Record<string, string | string[] | undefined> } }) =>
          /(^|,)\s*sip\s*(,|$)/i.test(String(info.req.headers['sec-websocket-protocol'] ?? '')),
        handleProtocols: (protocols) => (protocols.has('sip') ? 'sip' : false),
      });
      // ws re-emits the HTTP server's errors on the WebSocketServer, where nobody listened:
      // a port in use was thrown as an uncaught exception instead of rejecting.
      wss.once('error', reject);
      http.listen(port, address, () => {
        wss.off('error', reject);
        wss.on('error', (err) => logger.warn({ err: err.message }, `${protocol}: server error`));
        const addr = http.address();
        const local = { address, port: typeof addr === 'object' && addr ? addr.port : port };
        const t = new WsTransport(protocol, http, wss, local);
        wss.on('connection', (ws, req) => {
          const remote = {
            address: req.socket.remoteAddress ?? '',
            port: req.socket.remotePort ?? 0,
          };
          const flow = new WsFlow(protocol, ws, local, remote);
          t.flows.set(flow.id, flow);
          ws.on('message', (raw: Buffer | ArrayBuffer | Buffer[]) => {
            const data = Buffer.isBuffer(raw)
              ? raw
              : Array.isArray(raw)
                ? Buffer.concat(raw)
                : Buffer.from(raw);
            if (data.toString('latin1').trim() === '') return; // keep-alive
            handlers.onMessage({ data, protocol, local, remote, flow });
          });
          ws.on('error', (err) => {
            logger.warn({ remote, err: err.message }, `${protocol}: bad frame, closing connection`);
            flow.close();
          });
          ws.on('close', () => {
            flow.closed = true;
            t.flows.delete(flow.id);
            handlers.onFlowClosed(flow);
          });
        });
        resolve(t);
      });
    });
  }

  findFlow(remote: Endpoint): Flow | undefined {
    for (const f of this.flows.values()) {
      if (f.remote.address === remote.address && f.remote.port === remote.port) return f;
    }
    return undefined;
  }

  /** We never open WebSocket connections: without the client's flow there is no route. */
  send(data: Buffer, remote: Endpoint): Flow | undefined {
    const flow = this.findFlow(remote);
    if (!flow) throw new Error(`no WebSocket connection from ${remote.address}:${remote.port}`);
    flow.send(data);
    return flow;
  }

  close(): Promise<void> {
    for (const f of this.flows.values()) f.close();
    this.flows.clear();
    return new Promise((resolve) => {
      this.wss.close(() => this.http.close(() => resolve()));
      this.http.closeAllConnections();
    });
  }
}

/** Plain HTTP requests get 426: the port speaks only SIP over WebSocket. */
export function refuseHttp(
  _req: unknown,
  res: { writeHead(code: number, h: Record<string, string>): { end(s: string): void } },
): void {
  res.writeHead(426, { 'Content-Type': 'text/plain' }).end('SIP over WebSocket only\n');
}
