// A UDP relay on loopback that drops a share of the datagrams in each direction: put in
// front of the gateway's SIP port (a party talks to `front`) or of rtpengine (a party's SDP
// names `back`), it gives that party a lossy path without touching anyone's code.
//
//   party ──► front ══(loss)══► back ──► peer        peer ──► back ══(loss)══► front ──► party
//
// The peer is fixed (the SIP server) or learned from the first datagram `back` receives
// (rtpengine sending to the address in the party's SDP).
import dgram from 'node:dgram';

export interface RelayStats {
  forwarded: number;
  dropped: number;
}

export interface LossyRelayOptions {
  /** Share of datagrams dropped, 0..1. */
  loss: number;
  /** Where `back` sends what the party sent: fixed, or set later (setPeer) / learned. */
  peer?: { host: string; port: number };
  /** Where `front` sends what the peer sent; else the last address the party sent from. */
  party?: { host: string; port: number };
  stats: RelayStats;
  random?: () => number;
}

export class LossyRelay {
  private closed = false;

  private constructor(
    private readonly front: dgram.Socket,
    private readonly back: dgram.Socket,
    private readonly opts: LossyRelayOptions,
  ) {
    const drop = () => (opts.random ?? Math.random)() < opts.loss;
    front.on('message', (msg, from) => {
      opts.party ??= { host: from.address, port: from.port };
      if (!opts.party.port) opts.party = { host: from.address, port: from.port };
      const peer = opts.peer;
      if (!peer) return;
      this.pass(drop(), () => back.send(msg, peer.port, peer.host));
    });
    back.on('message', (msg, from) => {
      opts.peer ??= { host: from.address, port: from.port };
      const party = opts.party;
      if (!party) return;
      this.pass(drop(), () => front.send(msg, party.port, party.host));
    });
    // ICMP port unreachable once a party has gone: nothing to do.
    front.on('error', () => {});
    back.on('error', () => {});
  }

  static async open(opts: LossyRelayOptions): Promise<LossyRelay> {
    const [front, back] = await Promise.all([bind(), bind()]);
    return new LossyRelay(front, back, opts);
  }

  get frontPort(): number {
    return this.front.address().port;
  }

  get backPort(): number {
    return this.back.address().port;
  }

  setPeer(host: string, port: number): void {
    this.opts.peer = { host, port };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.front.close();
    this.back.close();
  }

  private pass(dropped: boolean, send: () => void): void {
    if (this.closed) return;
    if (dropped) this.opts.stats.dropped++;
    else {
      this.opts.stats.forwarded++;
      send();
    }
  }
}

function bind(): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      s.removeListener('error', reject);
      resolve(s);
    });
  });
}
