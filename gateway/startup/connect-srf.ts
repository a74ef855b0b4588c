// drachtio-srf's connection to the SIP server (drachtio-server or the embedded one).
import type Srf from 'drachtio-srf';

/** The longest wait between two reconnect attempts. */
export const RECONNECT_MAX_DELAY_MS = 2000;

/**
 * Stops drachtio-srf for good: its socket closed and its reconnect loop ended. drachtio-srf
 * has no "give up" call (disconnect() asserts a live connection and leaves a pending retry
 * running, which keeps the process alive): closing is its wire protocol's own shutdown flag.
 */
export function abandonSrf(srf: Srf): void {
  type Wire = {
    closing?: boolean;
    socket?: { destroy(): void };
    reconnectVars?: { retryTimer?: NodeJS.Timeout | null };
  };
  type Agent = { wp?: Wire; mapServer?: Map<{ destroy(): void }, unknown> };
  const agent = (srf as unknown as { app?: { client?: Agent } }).app?.client;
  const wire = agent?.wp;
  if (wire) {
    wire.closing = true;
    if (wire.reconnectVars?.retryTimer) clearTimeout(wire.reconnectVars.retryTimer);
    wire.socket?.destroy();
  }
  for (const socket of agent?.mapServer?.keys() ?? []) socket.destroy();
}

/**
 * Connects drachtio-srf, or fails with one line naming the server and what to fix. On
 * failure drachtio-srf's own reconnect loop is stopped and its socket closed: it would
 * otherwise retry for ever and keep the process alive after start-up has given up.
 */
export function connectSrf(
  srf: Srf,
  connect: { host: string; port: number; secret: string },
): Promise<string> {
  const where = `${connect.host}:${connect.port}`;
  return new Promise((resolve, reject) => {
    let lastError = 'no answer';
    const onError = (err: Error) => (lastError = err.message);
    const fail = (message: string) => {
      clearTimeout(timer);
      srf.off('error', onError);
      abandonSrf(srf);
      reject(new Error(message));
    };
    // drachtio-srf retries a refused connection by itself: give a starting server 5 s.
    const timer = setTimeout(
      () =>
        fail(
          `cannot connect to drachtio-server at ${where} (DRACHTIO_HOST/DRACHTIO_PORT) within ` +
            `5 s: ${lastError}; start it there, or unset DRACHTIO_* to use the embedded SIP server`,
        ),
      5000,
    );
    srf.on('error', onError);
    srf.once('connect', (err: Error | undefined, hostport: string) => {
      if (err)
        return fail(
          `drachtio-server at ${where} refused the secret (DRACHTIO_SECRET): ` +
            'set it to the secret the server was started with',
        );
      clearTimeout(timer);
      srf.off('error', onError);
      resolve(hostport);
    });
    // drachtio-srf backs off by 1.7x per attempt without a ceiling unless given one: after
    // a long outage its next try would be minutes away. Capped, it is back within 2 s.
    const reconnect = { retryMaxDelay: RECONNECT_MAX_DELAY_MS }; // not in drachtio-srf's typings
    srf.connect({ ...connect, reconnect } as Parameters<Srf['connect']>[0]);
  });
}
