// Whether the SIP server routes new requests to us yet. drachtio-srf sends its `route`
// messages on connect without waiting for their answers, and drachtio-server answers 503
// ("No providers available") to a request that arrives before it has them. The proof that
// routing is live: an OPTIONS we send to the SIP server's own address comes back to our
// OPTIONS handler (routes are taken in order, OPTIONS after the others).
import { randomUUID } from 'node:crypto';
import type { SipRequest, SrfInstance } from '../sip-types/srf-types';

export const PROBE_HEADER = 'X-Holdfast-Probe';

export class RouteProbe {
  private readonly token = randomUUID();
  private live = false;
  private waiters: (() => void)[] = [];

  get routed(): boolean {
    return this.live;
  }

  /** For the OPTIONS handler: true when `req` is our own probe (and routing is live). */
  isProbe(req: SipRequest): boolean {
    if (req.get(PROBE_HEADER) !== this.token) return false;
    this.live = true;
    for (const w of this.waiters.splice(0)) w();
    return true;
  }

  /** Probes `uri` every `everyMs` until the probe arrives; false after `withinMs`. */
  async run(srf: SrfInstance, uri: string, withinMs = 5000, everyMs = 100): Promise<boolean> {
    const until = Date.now() + withinMs;
    while (!this.live && Date.now() < until) {
      const arrived = new Promise<void>((resolve) => this.waiters.push(resolve));
      // drachtio-srf's typings only declare the (socket, uri, opts, callback) form.
      const request = srf.request as unknown as (uri: string, opts: object) => Promise<unknown>;
      request
        .call(srf, uri, { method: 'OPTIONS', headers: { [PROBE_HEADER]: this.token } })
        .catch(() => {});
      await Promise.race([arrived, new Promise((r) => setTimeout(r, everyMs))]);
    }
    return this.live;
  }
}

/** A UDP (else any) listening point the SIP server reported ('udp/127.0.0.1:5060'), as a URI. */
export function probeTarget(hostports: string): string | undefined {
  const points = hostports.split(',').filter(Boolean);
  const pick = points.find((p) => p.startsWith('udp/')) ?? points.find((p) => /^(tcp)\//.test(p));
  const m = pick ? /^(\w+)\/(.+)$/.exec(pick) : null;
  if (!m) return undefined;
  const host =
    m[2].includes(':') && !m[2].startsWith('[') && m[2].split(':').length > 2 ? `[${m[2]}]` : m[2];
  return `sip:${host};transport=${m[1]}`;
}
