// SIP over secure WebSocket (RFC 7118 §3, "wss"): the WebSocket transport on an HTTPS
// server. Browsers must use it from https pages; like WS, it never opens connections.
import { createServer } from 'node:https';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { TlsMaterial } from './tls-material';
import type { TransportHandlers } from './transport-types';
import { refuseHttp, WsTransport } from './ws-transport';

export const WssTransport = {
  listen(
    address: string,
    port: number,
    material: TlsMaterial,
    handlers: TransportHandlers,
    logger: Logger,
    maxMessageBytes: number,
  ): Promise<WsTransport> {
    const https = createServer(
      { key: material.key, cert: material.cert, ca: material.ca },
      refuseHttp,
    );
    https.on('tlsClientError', (err, socket) => {
      logger.warn({ remote: socket.remoteAddress, err: err.message }, 'wss: handshake failed');
    });
    // An https.Server is an http.Server as far as the ws library and listen/close go.
    const server: Server = https;
    return WsTransport.listenOn(server, 'wss', address, port, handlers, logger, maxMessageBytes);
  },
};
