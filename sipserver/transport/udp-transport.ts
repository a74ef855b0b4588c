// SIP over UDP (RFC 3261 §18): one message per datagram. The socket gets large kernel
// buffers: between two turns of the event loop (or while the process waits for a CPU)
// datagrams pile up, and with Linux's default of ~200 KB a burst of a few hundred is lost
// — each loss a retransmission, at load a failed call.
import { createSocket, type Socket } from 'node:dgram';
import type { Logger } from 'pino';
import type { Endpoint, Flow, Transport, TransportHandlers } from './transport-types';

export class UdpTransport implements Transport {
  readonly protocol = 'udp';
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    readonly local: Endpoint,
  ) {}

  static bind(
    address: string,
    port: number,
    handlers: TransportHandlers,
    logger: Logger,
    { maxMessageBytes, bufferBytes }: { maxMessageBytes: number; bufferBytes: number },
  ): Promise<UdpTransport> {
    return new Promise((resolve, reject) => {
      const socket = createSocket({
        type: address.includes(':') ? 'udp6' : 'udp4',
        recvBufferSize: bufferBytes,
        sendBufferSize: bufferBytes,
      });
      socket.once('error', reject);
      socket.bind(port, address, () => {
        socket.off('error', reject);
        const local = { address, port: socket.address().port };
        const t = new UdpTransport(socket, local);
        socket.on('error', (err) => logger.warn({ err, local }, 'udp socket error'));
        socket.on('message', (data, rinfo) => {
          const remote = { address: rinfo.address, port: rinfo.port };
          if (data.length > maxMessageBytes) {
            logger.warn({ remote, bytes: data.length }, 'udp: oversized datagram dropped');
            return;
          }
          // RFC 5626 §4.4.1 keep-alive (CRLF) datagrams carry no message.
          if (data.toString('latin1').trim() === '') return;
          handlers.onMessage({ data, protocol: 'udp', local, remote });
        });
        resolve(t);
      });
    });
  }

  send(data: Buffer, remote: Endpoint): Flow | undefined {
    if (!this.closed) this.socket.send(data, remote.port, remote.address);
    return undefined;
  }

  findFlow(): Flow | undefined {
    return undefined;
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
