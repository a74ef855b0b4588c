// The far end of the fuzz app's B2BUA: a stateless UDP user agent that answers every INVITE
// 200 with SDP and every other request 200 (ACK aside), the same way on retransmissions.
import { createHash } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { parseMessage } from '../helpers/sip-message';

export interface SinkUas {
  port: number;
  invites: number;
  close(): Promise<void>;
}

export async function startSinkUas(): Promise<SinkUas> {
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const port = sock.address().port;
  const sink: SinkUas = {
    port,
    invites: 0,
    close: () => new Promise((r) => sock.close(() => r())),
  };
  sock.on('error', () => undefined);
  sock.on('message', (data, rinfo) => {
    let req;
    try {
      req = parseMessage(data);
    } catch {
      return;
    }
    if (!req.isRequest || req.method === 'ACK') return;
    const invite = req.method === 'INVITE';
    if (invite) sink.invites++;
    const tag = createHash('sha1').update(req.callId).digest('hex').slice(0, 10);
    const to = req.get('to') ?? '';
    const sdp = invite
      ? 'v=0\r\no=sink 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n' +
        `m=audio ${port + 2} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n`
      : '';
    const lines = ['SIP/2.0 200 OK'];
    for (const v of req.getAll('via')) lines.push(`Via: ${v}`);
    lines.push(
      `From: ${req.get('from') ?? ''}`,
      `To: ${/;\s*tag=/i.test(to) ? to : `${to};tag=${tag}`}`,
      `Call-ID: ${req.callId}`,
      `CSeq: ${req.get('cseq') ?? ''}`,
      `Contact: <sip:sink@127.0.0.1:${port}>`,
    );
    if (sdp) lines.push('Content-Type: application/sdp');
    lines.push(`Content-Length: ${Buffer.byteLength(sdp)}`, '', sdp);
    sock.send(lines.join('\r\n'), rinfo.port, rinfo.address);
  });
  return sink;
}
