// Bad input against the real server on loopback: each bad source is cut off alone.
import t, { type Test } from 'tap';
import { connect, type Socket } from 'node:net';
import { createSocket } from 'node:dgram';
import pino from 'pino';
import WebSocket from 'ws';
import { startSipServer, type SipServer } from '../../sipserver';

interface Captured {
  msg: string;
}

async function start(
  t: Test,
): Promise<{ server: SipServer; warnings: Captured[]; port: (p: string) => number }> {
  const warnings: Captured[] = [];
  const logger = pino(
    { level: 'warn' },
    { write: (line: string) => warnings.push(JSON.parse(line) as Captured) },
  );
  const server = await startSipServer({
    contacts: ['sip:127.0.0.1:0;transport=udp,tcp', 'sip:127.0.0.1:0;transport=ws'],
    port: 0,
    secret: 's3cret',
    logger,
  });
  t.teardown(() => server.close());
  const port = (proto: string) =>
    Number(server.sipHostports.find((h) => h.startsWith(proto + '/'))!.split(':')[1]);
  return { server, warnings, port };
}

function tcp(t: Test, port: number): Promise<Socket> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', () => undefined);
    t.teardown(() => s.destroy());
  });
}

const closed = (s: Socket) =>
  new Promise<void>((r) => (s.destroyed ? r() : s.once('close', () => r())));

function options(branch: string): string {
  return [
    'OPTIONS sip:127.0.0.1 SIP/2.0',
    `Via: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bK${branch}`,
    'From: <sip:a@x>;tag=1',
    'To: <sip:b@y>',
    `Call-ID: ${branch}`,
    'CSeq: 1 OPTIONS',
    'Max-Forwards: 70',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

function firstLine(s: Socket): Promise<string> {
  return new Promise((resolve) => s.once('data', (d) => resolve(d.toString().split('\r\n')[0])));
}

t.test('TCP: garbage and a 1 MB header close that connection only', async (t) => {
  const { warnings, port } = await start(t);
  const good = await tcp(t, port('tcp'));
  const bad1 = await tcp(t, port('tcp'));
  const bad2 = await tcp(t, port('tcp'));
  bad1.write('this is not sip\r\n\r\n');
  bad2.write('OPTIONS sip:x SIP/2.0\r\nX-Big: ' + 'a'.repeat(1024 * 1024));
  await Promise.all([closed(bad1), closed(bad2)]);
  t.pass('both bad connections closed');
  good.write(options('good1'));
  t.equal(
    await firstLine(good),
    'SIP/2.0 503 Service Unavailable',
    'the other connection still served (no app: 503)',
  );
  t.ok(warnings.length >= 2, 'each event logged as a warning');
  t.ok(warnings.every((w) => /tcp|sip/.test(w.msg)));
});

t.test('TCP: wrong Content-Length closes the connection', async (t) => {
  const { port } = await start(t);
  const s = await tcp(t, port('tcp'));
  s.write('OPTIONS sip:x SIP/2.0\r\nContent-Length: banana\r\n\r\n');
  await closed(s);
  t.pass('closed');
});

t.test('UDP: garbage and a bad request do not crash; a bad request gets 400', async (t) => {
  const { port } = await start(t);
  const sock = createSocket('udp4');
  t.teardown(() => sock.close());
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const replies: string[] = [];
  sock.on('message', (m) => replies.push(m.toString().split('\r\n')[0]));
  sock.send(Buffer.from([0, 1, 2, 3, 255]), port('udp'), '127.0.0.1');
  sock.send(options('q').replace('CSeq: 1 OPTIONS', 'CSeq: one OPTIONS'), port('udp'), '127.0.0.1');
  sock.send(options('r'), port('udp'), '127.0.0.1');
  for (let i = 0; i < 50 && replies.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
  t.same(replies.sort(), [
    'SIP/2.0 400 Missing or invalid CSeq header',
    'SIP/2.0 503 Service Unavailable',
  ]);
});

t.test('WebSocket: oversized frame closes that connection; subprotocol sip required', async (t) => {
  const { port } = await start(t);
  const url = `ws://127.0.0.1:${port('ws')}`;
  const noProto = new WebSocket(url);
  const refused = await new Promise<boolean>((r) => {
    noProto.on('open', () => r(false));
    noProto.on('error', () => r(true));
  });
  t.ok(refused, 'no "sip" subprotocol → refused');
  const ws = new WebSocket(url, 'sip');
  t.teardown(() => ws.terminate());
  await new Promise((r) => ws.on('open', r));
  const code = new Promise<number>((r) => ws.on('close', (c) => r(c)));
  ws.send('x'.repeat(100 * 1024));
  t.equal(await code, 1009, 'closed as message too big');
});

t.test('drachtio: a bad frame closes that app only; wrong secret is refused', async (t) => {
  const { server } = await start(t);
  const { port } = server.drachtio;
  const frame = (s: string) => `${Buffer.byteLength(s)}#${s}`;
  const app = await tcp(t, port);
  const bad = await tcp(t, port);
  const wrong = await tcp(t, port);
  wrong.write(frame('w1|authenticate|nope|'));
  t.match(await firstLine(wrong), /\|response\|w1\|NO\|incorrect secret$/);
  await closed(wrong);
  bad.write('1234567#whatever');
  await closed(bad);
  t.pass('six-digit length closed the bad app');
  app.write(frame('a1|authenticate|s3cret|'));
  t.match(
    await firstLine(app),
    /\|response\|a1\|OK\|udp\/127\.0\.0\.1:\d+,tcp\/127\.0\.0\.1:\d+,ws\/127\.0\.0\.1:\d+\|/,
  );
  app.write(frame('a2|ping'));
  t.match(await firstLine(app), /\|response\|a2\|OK\|pong$/);
});
