// drachtio-server's command-line flags, as `holdfast sipserver` accepts them.
import { parseContactSpec } from './transport/contact-spec';

export interface SipserverArgs {
  contacts: string[];
  address: string;
  port: number;
  secret: string;
  loglevel: string;
  /** From --key-file/--cert-file/--chain-file (drachtio-server's names): PEM file paths. */
  tls?: { key: string; cert: string; ca?: string };
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export const SIPSERVER_USAGE = `usage: holdfast sipserver --secret <secret> [--contact <sip-uri>]... [--address <ip>] [--port <n>] [--loglevel <level>]
       [--key-file <pem> --cert-file <pem> [--chain-file <pem>]]

  --contact   SIP listen address, repeatable; e.g. 'sip:127.0.0.1:5060;transport=udp,tcp'
              or 'sip:127.0.0.1:8088;transport=ws' (default 'sip:127.0.0.1:5060;transport=udp,tcp');
              'sips:127.0.0.1:5061;transport=tls' and 'sips:127.0.0.1:8443;transport=wss'
              need --key-file and --cert-file
  --address   address for drachtio apps to connect to (default 127.0.0.1)
  --port      port for drachtio apps (default 9022; 0 = any free port)
  --secret    shared secret apps authenticate with (required)
  --loglevel  trace, debug, info, warn, error (default info)
  --key-file    TLS private key (PEM file) for tls/wss contacts
  --cert-file   TLS certificate (PEM file; intermediates may follow it)
  --chain-file  CA certificate(s) (PEM file) to verify TLS peers we connect to and to
                complete our chain (default: Node's public root CAs)
`;

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

export function parseSipserverArgs(argv: string[]): SipserverArgs {
  const files: { key?: string; cert?: string; ca?: string } = {};
  const out: SipserverArgs = {
    contacts: [],
    address: '127.0.0.1',
    port: 9022,
    secret: '',
    loglevel: 'info',
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--contact':
        out.contacts.push(value());
        break;
      case '--address':
        out.address = value();
        break;
      case '--port': {
        const v = value();
        if (!/^\d+$/.test(v) || Number(v) > 65535)
          throw new UsageError(`--port '${v}' is not a port number (0-65535)`);
        out.port = Number(v);
        break;
      }
      case '--secret':
        out.secret = value();
        break;
      case '--loglevel': {
        const v = value().toLowerCase();
        if (!LEVELS.includes(v))
          throw new UsageError(`--loglevel '${v}' is not one of ${LEVELS.join(', ')}`);
        out.loglevel = v;
        break;
      }
      case '--key-file':
        files.key = value();
        break;
      case '--cert-file':
        files.cert = value();
        break;
      case '--chain-file':
        files.ca = value();
        break;
      default:
        throw new UsageError(`unknown option '${arg}'`);
    }
  }
  if (!out.secret) throw new UsageError('--secret is required');
  if (!out.contacts.length) out.contacts.push('sip:127.0.0.1:5060;transport=udp,tcp');
  out.tls = tlsFiles(files, out.contacts);
  return out;
}

function tlsFiles(
  files: { key?: string; cert?: string; ca?: string },
  contacts: string[],
): SipserverArgs['tls'] {
  if (files.key && files.cert) return { key: files.key, cert: files.cert, ca: files.ca };
  if (files.key || files.cert || files.ca) {
    throw new UsageError('--key-file and --cert-file go together (--chain-file needs both)');
  }
  const secure = contacts.find((c) => isSecure(c));
  if (secure) throw new UsageError(`--contact '${secure}' needs --key-file and --cert-file`);
  return undefined;
}

function isSecure(contact: string): boolean {
  try {
    return parseContactSpec(contact).protocols.some((p) => p === 'tls' || p === 'wss');
  } catch {
    return false; // an invalid contact is reported when the server starts
  }
}
