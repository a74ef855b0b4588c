// REGISTERs received over WebSocket: their Contact (a '.invalid' host, RFC 7118 §5.4) and
// AOR are reachable only over the connection they came on. A closed connection forgets them.
import { aorKey, parseUri, uriKey } from '../message/uri';
import { uriOf } from '../message/name-addr';
import type { SipRequest } from '../message/sip-message';
import type { Flow } from '../transport/transport-types';

export class WsRegistrations {
  private readonly byKey = new Map<string, Flow>();

  remember(register: SipRequest, flow: Flow): void {
    const aor = parseUri(uriOf(register.get('to') ?? ''));
    if (aor) this.byKey.set('aor:' + aorKey(aor), flow);
    for (const c of register.getAll('contact')) {
      const uri = parseUri(uriOf(c));
      if (uri) this.byKey.set('contact:' + uriKey(uri), flow);
    }
  }

  /** The connection for a request URI: exact contact first, then the AOR. */
  lookup(uriText: string): Flow | undefined {
    const uri = parseUri(uriText);
    if (!uri) return undefined;
    const flow = this.byKey.get('contact:' + uriKey(uri)) ?? this.byKey.get('aor:' + aorKey(uri));
    return flow && !flow.closed ? flow : undefined;
  }

  forget(flow: Flow): void {
    for (const [k, f] of this.byKey) if (f === flow) this.byKey.delete(k);
  }
}
