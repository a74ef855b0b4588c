// A burst of datagrams that arrives while the event loop is busy must wait in the socket,
// not be dropped: at 300+ calls/s a descheduled server lost thousands with the kernel's
// ~200 KB default receive buffer (each loss a retransmission, at load a failed call).
import { createSocket } from 'node:dgram';
import t from 'tap';
import pino from 'pino';
import { startSipServer } from '../../sipserver';

const BURST = 1500;

t.test(`${BURST} OPTIONS sent while the server cannot read are all answered`, async (t) => {
  const server = await startSipServer({
    contacts: ['sip:127.0.0.1:0;transport=udp'],
    port: 0,
    secret: 's',
    logger: pino({ level: 'silent' }),
  });
  t.teardown(() => server.close());
  const port = Number(server.sipHostports[0].split(':')[1]);
  const client = createSocket({ type: 'udp4', recvBufferSize: 16 << 20 });
  await new Promise<void>((r) => client.bind(0, '127.0.0.1', () => r()));
  t.teardown(() => client.close());
  const answered = new Set<string>();
  client.on('message', (m) => {
    const callId = /\r\nCall-ID: (\S+)/.exec(m.toString())?.[1];
    if (callId) answered.add(callId);
  });
  const local = client.address().port;
  // All sent in one synchronous loop: the server gets no turn until the burst is queued.
  for (let i = 0; i < BURST; i++) {
    const msg = [
      'OPTIONS sip:burst@127.0.0.1 SIP/2.0',
      `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bKburst${i}`,
      'Max-Forwards: 70',
      'From: <sip:burst@127.0.0.1>;tag=b',
      'To: <sip:burst@127.0.0.1>',
      `Call-ID: burst-${i}`,
      `CSeq: ${i + 1} OPTIONS`,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    client.send(msg, port, '127.0.0.1');
  }
  for (let waited = 0; answered.size < BURST && waited < 5000; waited += 50) {
    await new Promise((r) => setTimeout(r, 50));
  }
  t.equal(answered.size, BURST, 'every request of the burst was answered (none dropped)');
});
