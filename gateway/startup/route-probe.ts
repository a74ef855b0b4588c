// Whether the SIP server routes new requests to us yet. drachtio-srf sends its `route`
// messages on connect without waiting for their answers, and drachtio-server answers 503
// ("No providers available") to a request that arrives before it has them. The server
// handles an app's messages in order, so once it has sent a request we asked for after the
// routes, it has taken the routes too: the probe is an OPTIONS to a throwaway UDP socket of
// ours on loopback (a server will not send a request to itself), answered 200 by it.
import dgram from 'node:dgram';
import type { SipRequest, SrfInstance } from '../sip-types/srf-types';

export class RouteProbe {
  private live = false;

  get routed(): boolean {
    return this.live;
  }

  /** The connection dropped: the routes must be taken anew (probe again). */
  forget(): void {
    this.live = false;
  }

  /** Sends the probe; true once the server has sent it, false after `withinMs`. */
  async run(srf: SrfInstance, withinMs = 5000): Promise<boolean> {
    const sink = dgram.createSocket('udp4');
    sink.on('message', (msg, from) => {
      const reply = okTo(msg.toString('utf8'));
      if (reply) sink.send(reply, from.port, from.address);
    });
    try {
      await new Promise<void>((resolve, reject) => {
        sink.once('error', reject);
        sink.bind(0, '127.0.0.1', () => resolve());
      });
      const uri = `sip:probe@127.0.0.1:${sink.address().port};transport=udp`;
      // drachtio-srf's typings only declare the (socket, uri, opts, callback) form.
      const request = srf.request as unknown as (
        uri: string,
        opts: object,
        cb: (err: unknown, req?: SipRequest) => void,
      ) => void;
      this.live = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), withinMs);
        request.call(srf, uri, { method: 'OPTIONS' }, (err) => {
          clearTimeout(timer);
          resolve(!err);
        });
      });
      // Let the sink answer before it closes (the server's transaction then ends at once).
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      sink.close();
    }
    return this.live;
  }
}

/** A 200 OK to a SIP request (its Via, From, To, Call-ID and CSeq), or undefined. */
function okTo(text: string): string | undefined {
  const head = text.split('\r\n\r\n')[0].split('\r\n');
  if (!/^OPTIONS /.test(head[0] ?? '')) return undefined;
  const keep = head.filter((l) => /^(via|v|from|f|call-id|i|cseq)\s*:/i.test(l));
  const to = head.find((l) => /^(to|t)\s*:/i.test(l));
  if (!to) return undefined;
  const tagged = /;\s*tag=/i.test(to) ? to : `${to};tag=probe`;
  return ['SIP/2.0 200 OK', ...keep, tagged, 'Content-Length: 0', '', ''].join('\r\n');
}
