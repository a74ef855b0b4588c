// The positional metadata drachtio-server puts before a SIP message:
// `<source>|<bytes>|<proto>|<addr>|<port>|<time>`. drachtio-server names the transport by
// its underlying stream, so WebSocket shows as `tcp` and secure WebSocket as `tls` (seen on
// the wire with drachtio-server 0.9.10); apps that need to know read the top Via.
import type { TransportProtocol } from '../transport/transport-types';
import { wireTime } from '../drachtio/wire-message';

export function wireMeta(
  source: 'network' | 'application',
  bytes: number,
  protocol: TransportProtocol,
  address: string,
  port: number,
): string[] {
  return [source, String(bytes), streamName(protocol), address, String(port), wireTime()];
}

function streamName(protocol: TransportProtocol): string {
  if (protocol === 'ws') return 'tcp';
  if (protocol === 'wss') return 'tls';
  return protocol;
}
