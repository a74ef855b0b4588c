// `holdfast sipserver`: the embedded SIP server in the foreground, with drachtio-server's
// flags. Stops cleanly on SIGTERM/SIGINT (exit 0); bad flags exit 2.
import pino from 'pino';
import { parseSipserverArgs, SIPSERVER_USAGE, UsageError, type SipserverArgs } from './cli-args';
import { startSipServer } from './sip-server';
import { TlsConfigError } from './transport/tls-material';

export async function sipserverCommand(args: string[]): Promise<void> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(SIPSERVER_USAGE);
    return;
  }
  let parsed: SipserverArgs;
  try {
    parsed = parseSipserverArgs(args);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`holdfast sipserver: ${err.message}\n\n${SIPSERVER_USAGE}`);
    process.exitCode = 2;
    return;
  }
  let server;
  try {
    server = await startSipServer({
      contacts: parsed.contacts,
      address: parsed.address,
      port: parsed.port,
      secret: parsed.secret,
      tls: parsed.tls,
      logger: pino({ level: parsed.loglevel, name: 'sipserver' }, pino.destination(2)),
    });
  } catch (err) {
    // An unusable contact or certificate is a usage error too; a busy port is not.
    if (err instanceof TlsConfigError || /invalid contact/.test((err as Error).message)) {
      process.stderr.write(`holdfast sipserver: ${(err as Error).message}\n`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
  process.stdout.write(
    `sipserver: drachtio apps on ${server.drachtio.host}:${server.drachtio.port}; SIP on ${server.sipHostports.join(', ')}\n`,
  );
  const stop = () => {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    server.close().then(
      () => {
        process.exitCode = 0;
      },
      (err: unknown) => {
        process.stderr.write(`holdfast sipserver: error while closing: ${String(err)}\n`);
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
