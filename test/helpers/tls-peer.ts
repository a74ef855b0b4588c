// A SIP peer listening on TLS, for requests the server sends out: each connection the
// server opens becomes a SipClient (`next()`), with Contact on the listening port so the
// server's later requests in the dialog reuse that connection.
import { createServer, type TLSSocket } from 'node:tls';
import { SipClient } from './sip-client';
import { wrapStream } from './sip-transport';
import type { TestCert } from './tls-cert';
import type { Teardownable } from './sipp';

export interface TlsPeer {
  port: number;
  /** The SIP client over the next (or an already) accepted connection. */
  next(): Promise<SipClient>;
}

export async function listenTlsPeer(
  t: Teardownable,
  cert: TestCert,
  user = 'peer',
): Promise<TlsPeer> {
  const accepted: SipClient[] = [];
  const waiting: Array<(c: SipClient) => void> = [];
  const server = createServer({ key: cert.key, cert: cert.cert });
  const sockets = new Set<TLSSocket>();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  server.on('secureConnection', (sock: TLSSocket) => {
    sockets.add(sock);
    sock.once('close', () => sockets.delete(sock));
    const client = SipClient.adopt(null, wrapStream('tls', sock, port), {
      transport: 'tls',
      server: { host: sock.remoteAddress ?? '127.0.0.1', port: sock.remotePort ?? 0 },
      user,
    });
    const w = waiting.shift();
    if (w) w(client);
    else accepted.push(client);
  });
  t.teardown(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return {
    port,
    next: () => {
      const c = accepted.shift();
      return c ? Promise.resolve(c) : new Promise((resolve) => waiting.push(resolve));
    },
  };
}
