// SIP over TCP (RFC 3261 §18.3): a stream transport over plain sockets.
import { connect, createServer } from 'node:net';
import type { Logger } from 'pino';
import { StreamTransport } from './stream-transport';
import type { TransportHandlers } from './transport-types';

export const TcpTransport = {
  listen(
    address: string,
    port: number,
    handlers: TransportHandlers,
    logger: Logger,
    maxMessageBytes: number,
  ): Promise<StreamTransport> {
    const wire = {
      protocol: 'tcp' as const,
      server: createServer(),
      acceptEvent: 'connection',
      connect: (remote: { address: string; port: number }) =>
        connect({ host: remote.address, port: remote.port }),
      readyEvent: 'connect',
    };
    return StreamTransport.listen(wire, address, port, handlers, logger, maxMessageBytes);
  },
};
