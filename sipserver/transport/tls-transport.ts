// SIP over TLS (RFC 3261 §26.2.1): the stream transport over TLS sockets. Incoming
// connections are not asked for a client certificate (as drachtio-server by default);
// outgoing ones verify the server against `ca`, or Node's public roots without it.
import { connect, createServer } from 'node:tls';
import type { Logger } from 'pino';
import { StreamTransport } from './stream-transport';
import type { TlsMaterial } from './tls-material';
import type { Endpoint, TransportHandlers } from './transport-types';

export const TlsTransport = {
  listen(
    address: string,
    port: number,
    material: TlsMaterial,
    handlers: TransportHandlers,
    logger: Logger,
    maxMessageBytes: number,
  ): Promise<StreamTransport> {
    const server = createServer({ key: material.key, cert: material.cert, ca: material.ca });
    // A failed handshake (plain text, wrong version…) ends that socket only.
    server.on('tlsClientError', (err, socket) => {
      logger.warn({ remote: socket.remoteAddress, err: err.message }, 'tls: handshake failed');
    });
    const wire = {
      protocol: 'tls' as const,
      server,
      acceptEvent: 'secureConnection',
      connect: (remote: Endpoint) =>
        connect({
          host: remote.address,
          port: remote.port,
          ca: material.ca,
          // SNI carries host names only; an IP literal is still checked against the SANs.
          servername: /^[\d.]+$|:/.test(remote.address) ? undefined : remote.address,
          rejectUnauthorized: true,
        }),
      readyEvent: 'secureConnect',
    };
    return StreamTransport.listen(wire, address, port, handlers, logger, maxMessageBytes);
  },
};
