// The three ways the test client reaches a SIP server: UDP datagrams, one TCP connection, or
// one WebSocket (subprotocol "sip", RFC 7118). Each hands up whole messages as bytes and
// sends bytes as they are, so malformed-input tests can write anything.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect as tcpConnect, type Socket as TcpSocket } from 'node:net';
import WebSocket from 'ws';
import { StreamFramer } from './sip-message';

export type SipProto = 'udp' | 'tcp' | 'ws';

export interface HostPort {
  host: string;
  port: number;
}

export interface SipTransport {
  readonly proto: SipProto;
  /** What goes in Via and Contact (for WebSocket an RFC 7118 `.invalid` host). */
  readonly viaHost: string;
  readonly viaPort: number;
  send(data: Buffer): void;
  onMessage(handler: (data: Buffer) => void): void;
  /** Resolves when the connection (not UDP) is closed by either side. */
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

export async function openTransport(proto: SipProto, server: HostPort): Promise<SipTransport> {
  if (proto === 'udp') return openUdp(server);
  if (proto === 'tcp') return openTcp(server);
  return openWs(server);
}

async function openUdp(server: HostPort): Promise<SipTransport> {
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

async function openTcp(server: HostPort): Promise<SipTransport> {
  const sock: TcpSocket = tcpConnect(server.port, server.host);
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.once('connect', () => resolve());
  });
  sock.on('error', () => undefined); // a reset by the server shows up as `closed`
  const framer = new StreamFramer();
  const closed = new Promise<void>((resolve) => sock.once('close', () => resolve()));
  return {
    proto: 'tcp',
    viaHost: '127.0.0.1',
    viaPort: sock.localPort ?? 0,
    send: (data) => {
      if (!sock.destroyed) sock.write(data);
    },
    onMessage: (handler) => sock.on('data', (chunk) => framer.push(chunk).forEach(handler)),
    closed,
    close: async () => {
      sock.end();
      const timer = setTimeout(() => sock.destroy(), 500);
      await closed;
      clearTimeout(timer);
    },
  };
}

async function openWs(server: HostPort): Promise<SipTransport> {
  const ws = new WebSocket(`ws://${server.host}:${server.port}`, 'sip');
  await new Promise<void>((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () => resolve());
  });
  ws.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  const viaHost = `${Math.random().toString(36).slice(2, 10)}.invalid`;
  return {
    proto: 'ws',
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
