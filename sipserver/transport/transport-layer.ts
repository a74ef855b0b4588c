// All listening transports of the server, opened from the contact specs, and the choice
// of transport for an outgoing message.
import type { Logger } from 'pino';
import { parseContactSpec } from './contact-spec';
import { TcpTransport } from './tcp-transport';
import { TlsConfigError, type TlsMaterial } from './tls-material';
import { TlsTransport } from './tls-transport';
import type {
  Endpoint,
  Flow,
  Transport,
  TransportHandlers,
  TransportProtocol,
} from './transport-types';
import { UdpTransport } from './udp-transport';
import { WsTransport } from './ws-transport';
import { WssTransport } from './wss-transport';

export interface TransportOptions {
  maxMessageBytes: number;
  tls?: TlsMaterial;
  /** SO_RCVBUF/SO_SNDBUF for UDP sockets (the kernel caps them at net.core.rmem_max). */
  udpBufferBytes: number;
}

export interface Sent {
  protocol: TransportProtocol;
  local: Endpoint;
  remote: Endpoint;
  flow?: Flow;
}

export class TransportLayer {
  private constructor(readonly transports: Transport[]) {}

  static async open(
    contacts: string[],
    handlers: TransportHandlers,
    logger: Logger,
    { maxMessageBytes, tls, udpBufferBytes }: TransportOptions,
  ): Promise<TransportLayer> {
    // Check every contact before opening any, so a config error leaves nothing behind.
    const specs = contacts.map((text) => ({ text, spec: parseContactSpec(text) }));
    for (const { text, spec } of specs) {
      const secure = spec.protocols.filter((p) => p === 'tls' || p === 'wss');
      if (secure.length && !tls) {
        throw new TlsConfigError(
          `contact '${text}' uses ${secure.join(',')} but no certificate is configured: ` +
            "set the 'tls' option { key, cert } (CLI: --key-file and --cert-file)",
        );
      }
    }
    const opened: Transport[] = [];
    try {
      for (const { spec } of specs) {
        const env = { handlers, logger, max: maxMessageBytes, tls, udpBufferBytes };
        opened.push(...(await openShared(spec.host, spec.port, spec.protocols, env)));
      }
    } catch (err) {
      await Promise.all(opened.map((t) => t.close()));
      throw err;
    }
    return new TransportLayer(opened);
  }

  /** 'udp/127.0.0.1:5060' etc., as drachtio-server reports them. */
  get hostports(): string[] {
    return this.transports.map((t) => `${t.protocol}/${t.local.address}:${t.local.port}`);
  }

  find(protocol: TransportProtocol): Transport | undefined {
    return this.transports.find((t) => t.protocol === protocol);
  }

  /** Sends on `flow` when given and open, otherwise by protocol to `remote`. */
  send(data: Buffer, protocol: TransportProtocol, remote: Endpoint, flow?: Flow): Sent {
    if (flow && !flow.closed) {
      flow.send(data);
      return { protocol: flow.protocol, local: flow.local, remote: flow.remote, flow };
    }
    const t = this.find(protocol);
    if (!t) throw new Error(`no ${protocol} transport configured`);
    const used = t.send(data, remote);
    return { protocol, local: t.local, remote, flow: used };
  }

  async close(): Promise<void> {
    await Promise.all(this.transports.map((t) => t.close()));
  }
}

/**
 * Opens the transports of one contact. Port 0 with several protocols means one shared
 * number: the first transport picks it, the rest bind the same; on a clash we retry.
 */
interface OpenEnv {
  handlers: TransportHandlers;
  logger: Logger;
  max: number;
  tls?: TlsMaterial;
  udpBufferBytes: number;
}

async function openShared(
  host: string,
  port: number,
  protocols: TransportProtocol[],
  env: OpenEnv,
): Promise<Transport[]> {
  for (let attempt = 0; ; attempt++) {
    const opened: Transport[] = [];
    let chosen = port;
    try {
      for (const p of protocols) {
        const t = await openOne(p, host, chosen, env);
        opened.push(t);
        chosen = t.local.port;
      }
      return opened;
    } catch (err) {
      await Promise.all(opened.map((t) => t.close()));
      const clash = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
      if (port !== 0 || !clash || opened.length === 0 || attempt >= 20) {
        throw new Error(
          `cannot listen on ${protocols.join(',')} ${host}:${port}: ${(err as Error).message}`,
        );
      }
    }
  }
}

function openOne(
  protocol: TransportProtocol,
  host: string,
  port: number,
  { handlers, logger, max, tls, udpBufferBytes }: OpenEnv,
): Promise<Transport> {
  switch (protocol) {
    case 'udp':
      return UdpTransport.bind(host, port, handlers, logger, {
        maxMessageBytes: max,
        bufferBytes: udpBufferBytes,
      });
    case 'tcp':
      return TcpTransport.listen(host, port, handlers, logger, max);
    case 'ws':
      return WsTransport.listen(host, port, handlers, logger, max);
    case 'tls':
    case 'wss':
      // TransportLayer.open has checked that secure contacts come with material.
      if (!tls) return Promise.reject(new TlsConfigError(`${protocol} needs a certificate`));
      return protocol === 'tls'
        ? TlsTransport.listen(host, port, tls, handlers, logger, max)
        : WssTransport.listen(host, port, tls, handlers, logger, max);
  }
}
