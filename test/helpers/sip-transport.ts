// The ways the test client reaches a SIP server: UDP datagrams, one TCP or TLS connection,
// or one WebSocket, plain or secure (subprotocol "sip", RFC 7118). Each hands up whole
// messages as bytes and sends bytes as they are, so malformed-input tests can write anything.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect as tcpConnect, type Socket as TcpSocket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import WebSocket from 'ws';
import { StreamFramer } from './sip-message';

export type SipProto = 'udp' | 'tcp' | 'ws';
/** The secure transports; kept apart so code written for SipProto stays exhaustive. */
export type SecureSipProto = 'tls' | 'wss';
export type AnySipProto = SipProto | SecureSipProto;

/** For tls/wss: the CA the server's certificate is verified against. */
export interface SecureOptions {
  ca?: string | Buffer;
}

export interface HostPort {
  host: string;
  port: number;
}

export interface SipTransport<P extends AnySipProto = SipProto> {
  readonly proto: P;
  /** What goes in Via and Contact (for WebSocket an RFC 7118 `.invalid` host). */
  readonly viaHost: string;
  readonly viaPort: number;
  send(data: Buffer): void;
  onMessage(handler: (data: Buffer) => void): void;
  /** Resolves when the connection (not UDP) is closed by either side. */
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

export async function openTransport(
  proto: SipProto,
  server: HostPort,
  secure?: SecureOptions,
): Promise<SipTransport>;
export async function openTransport(
  proto: AnySipProto,
  server: HostPort,
  secure?: SecureOptions,
): Promise<SipTransport<AnySipProto>>;
export async function openTransport(
  proto: AnySipProto,
  server: HostPort,
  secure: SecureOptions = {},
): Promise<SipTransport<AnySipProto>> {
  if (proto === 'udp') return openUdp(server);
  if (proto === 'tcp' || proto === 'tls') return openStream(proto, server, secure);
  return openWs(proto, server, secure);
}

async function openUdp(server: HostPort): Promise<SipTransport<'udp'>> {
  const sock: UdpSocket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(0, '127.0.0.1', () => resolve());
  });
  let open = true;
  const closed = new Promise<void>((resolve) => sock.once('close', () => resolve()));
  return {
    proto: 'udp',
    viaHost: '127.0.0.1',
    viaPort: sock.address().port,
    send: (data) => {
      if (open) sock.send(data, server.port, server.host);
    },
    onMessage: (handler) => sock.on('message', (msg) => handler(msg)),
    closed,
    close: async () => {
      if (!open) return;
      open = false;
      sock.close();
      await closed;
    },
  };
}

async function openStream(
  proto: 'tcp' | 'tls',
  server: HostPort,
  secure: SecureOptions,
): Promise<SipTransport<'tcp' | 'tls'>> {
  const sock: TcpSocket =
    proto === 'tcp'
      ? tcpConnect(server.port, server.host)
      : tlsConnect({ host: server.host, port: server.port, ca: secure.ca });
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.once(proto === 'tcp' ? 'connect' : 'secureConnect', () => resolve());
  });
  return wrapStream(proto, sock, sock.localPort ?? 0);
}

/**
 * A connected TCP/TLS socket as a SipTransport; `viaPort` is what goes in Via and Contact
 * (for a connection a test server accepted: its listening port).
 */
export function wrapStream<P extends 'tcp' | 'tls'>(
  proto: P,
  sock: TcpSocket,
  viaPort: number,
): SipTransport<P> {
  sock.on('error', () => undefined); // a reset by the server shows up as `closed`
  const framer = new StreamFramer();
  const closed = new Promise<void>((resolve) => sock.once('close', () => resolve()));
  return {
    proto,
    viaHost: '127.0.0.1',
    viaPort,
    send: (data) => {
      if (!sock.destroyed) sock.write(data);
    },
    onMessage: (handler) => sock.on('data', (chunk: Buffer) => framer.push(chunk).forEach(handler)),
    closed,
    close: async () => {
      sock.end();
      const timer = setTimeout(() => sock.destroy(), 500);
      await closed;
      clearTimeout(timer);
    },
  };
}

async function openWs(
  proto: 'ws' | 'wss',
  server: HostPort,
  secure: SecureOptions,
): Promise<SipTransport<'ws' | 'wss'>> {
  const ws = new WebSocket(`${proto}://${server.host}:${server.port}`, 'sip', { ca: secure.ca });
  await new Promise<void>((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () => resolve());
  });
  ws.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  const viaHost = `${Math.random().toString(36).slice(2, 10)}.invalid`;
  return {
    proto,
    viaHost,
    viaPort: 0,
    send: (data) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      // Text frames for UTF-8, binary for anything else (RFC 7118 §5.2 allows both).
      const text = data.toString('utf8');
      ws.send(Buffer.from(text).equals(data) ? text : data, {
        binary: !Buffer.from(text).equals(data),
      });
    },
    onMessage: (handler) =>
      ws.on('message', (raw: WebSocket.RawData) => {
        handler(Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw as ArrayBuffer));
      }),
    closed,
    close: async () => {
      if (ws.readyState === WebSocket.CLOSED) return;
      ws.close();
      const timer = setTimeout(() => ws.terminate(), 500);
      await closed;
      clearTimeout(timer);
    },
  };
}
