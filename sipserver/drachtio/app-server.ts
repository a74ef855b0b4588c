// The TCP listener drachtio-srf apps connect to (`srf.connect({host, port, secret})`).
import { createServer, type Server } from 'node:net';
import type { Logger } from 'pino';
import { AppConnection, type AppConnectionHost } from './app-connection';

export class AppServer {
  private readonly connections = new Set<AppConnection>();

  private constructor(
    private readonly server: Server,
    readonly address: string,
    readonly port: number,
  ) {}

  static listen(
    address: string,
    port: number,
    host: AppConnectionHost,
    logger: Logger,
  ): Promise<AppServer> {
    return new Promise((resolve, reject) => {
      const server = createServer();
      server.once('error', (err) =>
        reject(new Error(`cannot listen for drachtio apps on ${address}:${port}: ${err.message}`)),
      );
      server.listen(port, address, () => {
        const addr = server.address();
        const bound = typeof addr === 'object' && addr ? addr.port : port;
        const s = new AppServer(server, address, bound);
        server.on('connection', (socket) => {
          const conn = new AppConnection(socket, host, logger, (c) => s.connections.delete(c));
          s.connections.add(conn);
        });
        resolve(s);
      });
    });
  }

  close(): Promise<void> {
    for (const c of this.connections) c.close();
    this.connections.clear();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
