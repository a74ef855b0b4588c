// The SIP server a test talks through: a real drachtio-server when DRACHTIO_HOST/PORT/SECRET
// are set, otherwise the embedded one on ephemeral loopback ports. Either way the SIP
// addresses under test come from the server's authenticate reply, as drachtio-srf sees it.
import Srf from 'drachtio-srf';
import { startSipServer, type SipServerOptions } from '../../sipserver';

export interface SipAddress {
  host: string;
  port: number;
}

export interface SipServerUnderTest {
  connect: { host: string; port: number; secret: string };
  /** Addresses by transport, parsed from the authenticate reply ('udp/127.0.0.1:5060,...'). */
  sip: Partial<Record<'udp' | 'tcp' | 'ws' | 'wss' | 'tls', SipAddress>>;
  external: boolean;
}

export function parseHostports(csv: string): SipServerUnderTest['sip'] {
  const out: SipServerUnderTest['sip'] = {};
  for (const item of csv.split(',').filter(Boolean)) {
    const m = /^(udp|tcp|ws|wss|tls)\/\[?([^\]]+?)\]?:(\d+)$/.exec(item.trim());
    if (m) out[m[1] as keyof SipServerUnderTest['sip']] ??= { host: m[2], port: Number(m[3]) };
  }
  return out;
}

/** Connects a throwaway drachtio-srf client once to learn the SIP hostports. */
async function probeHostports(connect: SipServerUnderTest['connect']): Promise<string> {
  const srf = new Srf();
  try {
    return await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('drachtio connect timed out')), 5000);
      srf.on('connect', (err: Error | undefined, hostport: string) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(hostport);
      });
      srf.on('error', (err: Error) => {
        clearTimeout(timer);
        reject(err);
      });
      srf.connect(connect);
    });
  } finally {
    srf.disconnect();
  }
}

export async function sipServerForTest(
  t: { teardown(fn: () => unknown): void },
  transports: string[] = ['udp,tcp', 'ws'],
  /** Embedded-only knobs (shorter timers…); ignored against an external server. */
  embedded: Partial<Omit<SipServerOptions, 'contacts' | 'secret'>> = {},
): Promise<SipServerUnderTest> {
  const { DRACHTIO_HOST, DRACHTIO_PORT, DRACHTIO_SECRET } = process.env;
  let connect: SipServerUnderTest['connect'];
  let external = false;
  if (DRACHTIO_HOST && DRACHTIO_PORT && DRACHTIO_SECRET) {
    connect = { host: DRACHTIO_HOST, port: Number(DRACHTIO_PORT), secret: DRACHTIO_SECRET };
    external = true;
  } else {
    const server = await startSipServer({
      contacts: transports.map((tr) => `sip:127.0.0.1:0;transport=${tr}`),
      address: '127.0.0.1',
      port: 0,
      secret: 'test-secret',
      ...embedded,
    });
    t.teardown(() => server.close());
    connect = server.drachtio;
  }
  return { connect, sip: parseHostports(await probeHostports(connect)), external };
}
