// The certificate and key for the TLS and WSS transports, loaded and checked once at
// start-up so that a wrong path or a key that does not match its certificate is reported
// then, naming the file, rather than as handshake failures later.
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';

/**
 * Each value is PEM: a Buffer of PEM, a string holding PEM text (it contains
 * '-----BEGIN'), or otherwise a string taken as the path of a PEM file.
 */
export interface TlsOptions {
  /** Private key (unencrypted PEM). */
  key: string | Buffer;
  /** Our certificate; intermediates may follow it in the same PEM. */
  cert: string | Buffer;
  /**
   * Trusted CA certificate(s), drachtio-server's `--chain-file`: peers we connect to over
   * TLS are verified against them (default: Node's bundled public roots); they also
   * complete the chain we present.
   */
  ca?: string | Buffer;
}

export interface TlsMaterial {
  key: Buffer;
  cert: Buffer;
  ca?: Buffer;
}

/** A configuration mistake the operator must fix (the CLI exits 2 on it). */
export class TlsConfigError extends Error {
  override name = 'TlsConfigError';
}

export function loadTlsMaterial(opts: TlsOptions): TlsMaterial {
  if (!opts || opts.key === undefined || opts.cert === undefined) {
    throw new TlsConfigError("the 'tls' option needs both 'key' and 'cert'");
  }
  const key = readPem(opts.key, 'key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/);
  const cert = readPem(opts.cert, 'certificate', /-----BEGIN CERTIFICATE-----/);
  const ca =
    opts.ca === undefined ? undefined : readPem(opts.ca, 'CA', /-----BEGIN CERTIFICATE-----/);
  try {
    // Throws when the key does not belong to the certificate or cannot be parsed.
    createSecureContext({ key, cert, ca });
  } catch (err) {
    throw new TlsConfigError(
      `TLS key ${describe(opts.key)} and certificate ${describe(opts.cert)} are not usable together: ${(err as Error).message}`,
    );
  }
  return { key, cert, ca };
}

function readPem(value: string | Buffer, what: string, marker: RegExp): Buffer {
  let data: Buffer;
  if (Buffer.isBuffer(value)) data = value;
  else if (value.includes('-----BEGIN')) data = Buffer.from(value);
  else {
    if (!value) throw new TlsConfigError(`TLS ${what} file path is empty`);
    try {
      data = readFileSync(value);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new TlsConfigError(`cannot read TLS ${what} file '${value}': ${e.code ?? e.message}`);
    }
  }
  if (!marker.test(data.toString('latin1'))) {
    throw new TlsConfigError(`TLS ${what} ${describe(value)} is not PEM (no ${marker.source})`);
  }
  return data;
}

function describe(value: string | Buffer): string {
  return typeof value === 'string' && !value.includes('-----BEGIN')
    ? `file '${value}'`
    : '(inline PEM)';
}
