// drachtio-server's --contact syntax: 'sip:<host>:<port>;transport=udp,tcp'; a 'sips:'
// contact without a transport parameter means TLS.
import type { TransportProtocol } from './transport-types';

export interface ContactSpec {
  host: string;
  port: number;
  protocols: TransportProtocol[];
}

const KNOWN: TransportProtocol[] = ['udp', 'tcp', 'ws', 'tls', 'wss'];

export function parseContactSpec(text: string): ContactSpec {
  const m = /^(sips?):(\[[^\]]+\]|[^:;]+)(?::(\d+))?(?:;transport=([a-z,]+))?$/i.exec(text.trim());
  if (!m) {
    throw new Error(
      `invalid contact '${text}': expected e.g. 'sip:127.0.0.1:5060;transport=udp,tcp'`,
    );
  }
  const fallback = m[1].toLowerCase() === 'sips' ? 'tls' : 'udp,tcp';
  const protocols = (m[4] ?? fallback).toLowerCase().split(',').filter(Boolean);
  for (const p of protocols) {
    if (!KNOWN.includes(p as TransportProtocol)) {
      throw new Error(
        `invalid contact '${text}': unknown transport '${p}' (use ${KNOWN.join(', ')})`,
      );
    }
  }
  const port = m[3] === undefined ? (fallback === 'tls' ? 5061 : 5060) : Number(m[3]);
  if (port > 65535) throw new Error(`invalid contact '${text}': port ${port} out of range`);
  return { host: m[2].replace(/^\[|\]$/g, ''), port, protocols: protocols as TransportProtocol[] };
}
