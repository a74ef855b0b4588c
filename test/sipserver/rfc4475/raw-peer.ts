// A SIP peer that sends bytes exactly as given (over UDP or one TCP connection) and keeps
// what comes back, parsed leniently; for messages no well-behaved client would send.
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { parseMessage, StreamFramer, type SipMessage } from '../../helpers/sip-message';

export interface RawPeer {
  send(bytes: Buffer): void;
  /** Every message received so far, in order. */
  readonly received: SipMessage[];
  /** Resolves with the first received message matching `match` (or rejects after `ms`). */
  next(match: (m: SipMessage) => boolean, ms: number): Promise<SipMessage>;
  /** TCP: whether the server closed the connection. */
  readonly closed: boolean;
  whenClosed(ms: number): Promise<boolean>;
  close(): Promise<void>;
}

export async function openRawPeer(
  proto: 'udp' | 'tcp',
  server: { host: string; port: number },
): Promise<RawPeer> {
  const received: SipMessage[] = [];
  const waiters: Array<() => void> = [];
  const deliver = (data: Buffer) => {
    try {
      received.push(parseMessage(data));
    } catch {
      return; // the server only sends well-formed messages; anything else is noise
    }
    for (const w of waiters.splice(0)) w();
  };
  const next = (match: (m: SipMessage) => boolean, ms: number) =>
    new Promise<SipMessage>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching message in ${ms} ms`)), ms);
      const look = () => {
        const hit = received.find(match);
        if (hit) {
          clearTimeout(timer);
          resolve(hit);
        } else waiters.push(look);
      };
      look();
    });

  if (proto === 'udp') {
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    sock.on('message', deliver);
    return {
      send: (bytes) => sock.send(bytes, server.port, server.host),
      received,
      next,
      closed: false,
      whenClosed: async () => false,
      close: () => new Promise((r) => sock.close(() => r())),
    };
  }
  const sock = connect(server.port, server.host);
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', reject);
  });
  sock.on('error', () => undefined);
  const framer = new StreamFramer();
  sock.on('data', (chunk: Buffer) => framer.push(chunk).forEach(deliver));
  let closed = false;
  const gone = new Promise<void>((r) => sock.once('close', () => ((closed = true), r())));
  return {
    send: (bytes) => sock.write(bytes),
    received,
    next,
    get closed() {
      return closed;
    },
    whenClosed: (ms) =>
      Promise.race([gone.then(() => true), new Promise<boolean>((r) => setTimeout(r, ms, false))]),
    close: async () => {
      sock.destroy();
      await gone;
    },
  };
}
