// Composition: transports ↔ SIP core ↔ drachtio app listener.
import pino, { type Logger } from 'pino';
import { handleAppSip } from './core/app-messages';
import { flowClosed, handleInbound } from './core/network-messages';
import { DEFAULT_SUPPORTED_OPTION_TAGS } from './core/request-policy';
import { SipCore } from './core/sip-core';
import { AppServer } from './drachtio/app-server';
import type { AppConnection } from './drachtio/app-connection';
import { systemClock, type Clock } from '../time/clock';
import { DEFAULT_TIMERS, type TimerValues } from './transaction/timer-values';
import { loadTlsMaterial, type TlsOptions } from './transport/tls-material';
import { TransportLayer } from './transport/transport-layer';
import { DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_UDP_BUFFER_BYTES } from './transport/transport-types';
import { finishTransactionsOfGoneApp } from './core/app-gone';

export const VERSION = 'v0.9.3-holdfast';

export interface SipServerOptions {
  /** drachtio-style, e.g. 'sip:127.0.0.1:5060;transport=udp,tcp'; port 0 = pick a free one. */
  contacts: string[];
  /** drachtio protocol listen address, default '127.0.0.1'. */
  address?: string;
  /** drachtio protocol port, default 9022; 0 = ephemeral. */
  port?: number;
  secret: string;
  /** Default: pino at 'info' to stderr. */
  logger?: Logger;
  /** RFC 3261 T1/T2/T4 in ms (default 500/4000/5000); tests shorten them. */
  timers?: Partial<TimerValues>;
  /** No ACK for a 2xx after this many ms → BYE; default 64*T1. */
  ackTimeout?: number;
  /** Forget a network request the app never answers after this many ms; default 64000. */
  pendingRequestTimeout?: number;
  /** Largest SIP message accepted, bytes; default 65536. */
  maxMessageBytes?: number;
  /** Time source for transaction timers (tests). */
  clock?: Clock;
  /** Certificate and key for 'tls'/'wss' contacts: PEM text/Buffer or PEM file paths. */
  tls?: TlsOptions;
  /** UDP socket receive/send buffer size asked of the kernel; default 4 MiB. */
  udpBufferBytes?: number;
  /** Option tags a request may Require without a 420 (default DEFAULT_SUPPORTED_OPTION_TAGS). */
  supportedOptionTags?: string[];
}

export interface SipServer {
  readonly drachtio: { host: string; port: number; secret: string };
  readonly sipHostports: string[];
  close(): Promise<void>;
}

export async function startSipServer(opts: SipServerOptions): Promise<SipServer> {
  if (!opts || !Array.isArray(opts.contacts) || opts.contacts.length === 0) {
    throw new Error(
      "startSipServer: 'contacts' must list at least one SIP contact, e.g. 'sip:127.0.0.1:5060;transport=udp'",
    );
  }
  if (typeof opts.secret !== 'string' || !opts.secret) {
    throw new Error(
      "startSipServer: 'secret' is required (the shared secret apps authenticate with)",
    );
  }
  // Read and check the certificate first: a bad file is reported before any port opens.
  const tls = opts.tls ? loadTlsMaterial(opts.tls) : undefined;
  const logger = opts.logger ?? pino({ level: 'info', name: 'sipserver' }, pino.destination(2));
  const timers = { ...DEFAULT_TIMERS, ...opts.timers };
  // The core needs the transports and the transports deliver to the core: tie the knot.
  const ref: { core?: SipCore } = {};
  const transports = await TransportLayer.open(
    opts.contacts,
    {
      onMessage: (m) =>
        guarded(logger, 'sip message', () => ref.core && handleInbound(ref.core, m)),
      onFlowClosed: (f) =>
        guarded(logger, 'connection close', () => ref.core && flowClosed(ref.core, f)),
    },
    logger,
    {
      maxMessageBytes: opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      tls,
      udpBufferBytes: opts.udpBufferBytes ?? DEFAULT_UDP_BUFFER_BYTES,
    },
  );
  const c = new SipCore(
    transports,
    guardedClock(opts.clock ?? systemClock, logger),
    {
      timers,
      ackTimeout: opts.ackTimeout ?? 64 * timers.T1,
      pendingRequestTimeout: opts.pendingRequestTimeout ?? 64_000,
      supportedOptionTags: new Set(
        (opts.supportedOptionTags ?? DEFAULT_SUPPORTED_OPTION_TAGS).map((t) => t.toLowerCase()),
      ),
    },
    logger,
  );
  ref.core = c;
  const hostports = transports.hostports;
  const address = opts.address ?? '127.0.0.1';
  let apps: AppServer;
  try {
    apps = await AppServer.listen(
      address,
      opts.port ?? 9022,
      {
        secret: opts.secret,
        version: VERSION,
        hostports: () => hostports.join(','),
        onRoute: (conn: AppConnection, verb: string) => c.routes.add(verb, conn),
        onRemoveRoutes: (conn: AppConnection) => c.routes.removeAll(conn),
        onSip: (conn, msg) => guarded(logger, 'app message', () => handleAppSip(c, conn, msg)),
        onClose: (conn) => {
          c.routes.removeAll(conn);
          const done = finishTransactionsOfGoneApp(c, conn);
          if (done.answered || done.cancelled)
            logger.info(done, 'app gone: its pending requests got 503, its INVITEs a CANCEL');
        },
      },
      logger,
    );
  } catch (err) {
    await transports.close();
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    drachtio: { host: address, port: apps.port, secret: opts.secret },
    sipHostports: hostports,
    close() {
      closing ??= (async () => {
        c.close();
        await apps.close();
        await transports.close();
      })();
      return closing;
    },
  };
}

/** A bug met while handling one message must not take the server down: log it, go on. */
function guarded(logger: Logger, what: string, fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    logger.error({ err }, `internal error while handling ${what}`);
  }
}

function guardedClock(clock: Clock, logger: Logger): Clock {
  return {
    now: () => clock.now(),
    after: (ms, fn) => clock.after(ms, () => guarded(logger, 'timer', fn)),
  };
}
