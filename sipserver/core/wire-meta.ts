// The positional metadata drachtio-server puts before a SIP message:
// `<source>|<bytes>|<proto>|<addr>|<port>|<time>`.
import type { TransportProtocol } from '../transport/transport-types';
import { wireTime } from '../drachtio/wire-message';

export function wireMeta(
  source: 'network' | 'application',
  bytes: number,
  protocol: TransportProtocol,
  address: string,
  port: number,
): string[] {
  return [source, String(bytes), protocol, address, String(port), wireTime()];
}
