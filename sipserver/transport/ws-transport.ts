// SIP over WebSocket (RFC 7118): subprotocol "sip", one SIP message per frame (§5.2).
// Clients behind a WebSocket cannot be reached at their Contact (it is a ".invalid"
// host, §5.4), so everything to them goes back over the connection they opened.
import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Endpoint, Flow, Transport, TransportHandlers } from './transport-types';

let nextFlowId = 1;

class WsFlow implements Flow {
  readonly id = `ws-${nextFlowId++}`;
  readonly protocol = 'ws';
  closed = false;

  constructor(
    private readonly ws: WebSocket,
    readonly local: Endpoint,
    readonly remote: Endpoint,
  ) {}

  send(data: Buffer): void {
    if (!this.closed) this.ws.send(data.toString('utf8'));
  }

  close(): void {
    this.closed = true;
    this.ws.terminate();
  }
}

export class WsTransport implements Transport {
  readonly protocol = 'ws';
  private readonly flows = new Map<string, WsFlow>();

  private constructor(
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
    return new Promise((resolve, reject) => {
      const http = createServer((_req, res) => {
        res.writeHead(426, { 'Content-Type': 'text/plain' }).end('SIP over WebSocket only\n');
      });
      const wss = new WebSocketServer({
        server: http,
        maxPayload: maxMessageBytes,
        // RFC 7118 §4.1: the client offers "sip"; a handshake without it is refused.
        verifyClient: (info: { req: { headers: Record<string, string | string[] | undefined> } }) =>
          /(^|,)\s*sip\s*(,|$)/i.test(String(info.req.headers['sec-websocket-protocol'] ?? '')),
        handleProtocols: (protocols) => (protocols.has('sip') ? 'sip' : false),
      });
      http.once('error', reject);
      http.listen(port, address, () => {
        http.off('error', reject);
        const addr = http.address();
        const local = { address, port: typeof addr === 'object' && addr ? addr.port : port };
        const t = new WsTransport(http, wss, local);
        wss.on('connection', (ws, req) => {
          const remote = {
            address: req.socket.remoteAddress ?? '',
            port: req.socket.remotePort ?? 0,
          };
          const flow = new WsFlow(ws, local, remote);
          t.flows.set(flow.id, flow);
          ws.on('message', (raw: Buffer | ArrayBuffer | Buffer[]) => {
            const data = Buffer.isBuffer(raw)
              ? raw
              : Array.isArray(raw)
                ? Buffer.concat(raw)
                : Buffer.from(raw);
            if (data.toString('latin1').trim() === '') return; // keep-alive
            handlers.onMessage({ data, protocol: 'ws', local, remote, flow });
          });
          ws.on('error', (err) => {
            logger.warn({ remote, err: err.message }, 'ws: bad frame, closing connection');
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
