// drachtio-srf applications for the conformance tests: connect one to the server under test
// (disconnected on teardown), typed wrappers for the loosely typed request APIs, and a plain
// B2BUA that bridges every INVITE to a fixed target and ties the two legs' lifetimes.
import type { EventEmitter } from 'node:events';
import Srf from 'drachtio-srf';
import type { SipServerUnderTest } from './sip-server';
import type { Teardownable } from './sipp';

export type SrfDialog = Srf.Dialog;
export type SrfRequest = Srf.SrfRequest;
export type SrfResponse = Srf.SrfResponse;

export interface RequestSpec {
  method: string;
  headers?: Record<string, string>;
  body?: string;
}

/** A connected drachtio-srf app; `disconnect` is registered on `t`'s teardown. */
export async function connectApp(t: Teardownable, server: SipServerUnderTest): Promise<Srf> {
  const srf = new Srf();
  srf.on('error', () => undefined); // a server going away at teardown is not a test failure
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('srf connect timed out')), 5000);
    srf.on('connect', (err: Error | undefined) => {
      clearTimeout(timer);
      if (err) reject(err);
      else resolve();
    });
    srf.connect(server.connect);
  });
  // Wait for the socket to close so the next test's app is the only one the server routes to.
  t.teardown(async () => {
    const sock = srf.socket as import('node:net').Socket | undefined;
    const closed = sock && !sock.destroyed ? once(sock, 'close', 2000).catch(() => []) : [];
    try {
      srf.disconnect();
    } catch {
      // the server is already gone (e.g. it crashed under a malformed-input test)
    }
    await closed;
  });
  return srf;
}

/** The parts of drachtio-srf's agent (not in its typings) that `routesSettled` uses. */
interface SrfAgent {
  wp: { send(socket: unknown, msg: string): string };
  mapServer: Map<unknown, { pendingRequests: Map<string, () => void> }>;
}

/**
 * Resolves once the server has taken every route the app registered so far. drachtio-srf
 * sends `route|<verb>` without waiting for the reply, so a request arriving right after
 * `srf.invite()` can find no route (a real drachtio-server answers 503). The server handles
 * an app's messages in order: the reply to a `ping` sent now means the routes are in place.
 * Call it after installing handlers and before sending the requests they handle.
 */
export async function routesSettled(srf: Srf, ms = 5000): Promise<void> {
  const agent = (srf as unknown as { _app: { client: SrfAgent } })._app.client;
  const [socket, state] = agent.mapServer.entries().next().value ?? [];
  if (!state) throw new Error('routesSettled: the app is not connected');
  await within(
    new Promise<void>((resolve) => {
      state.pendingRequests.set(agent.wp.send(socket, 'ping'), () => resolve());
    }),
    ms,
    'ping round trip to the SIP server',
  );
}

/**
 * A new out-of-dialog request from the app (srf.request), resolving to the final response.
 * drachtio-srf's own typing of this call is wrong (it takes a body array), hence the cast.
 */
export function appRequest(srf: Srf, uri: string, spec: RequestSpec): Promise<SrfResponse> {
  type Req = { on(ev: 'response', cb: (res: SrfResponse) => void): void };
  const request = srf.request as unknown as (
    uri: string,
    opts: RequestSpec,
    cb: (err: Error | undefined, req: Req) => void,
  ) => void;
  return new Promise((resolve, reject) => {
    request.call(srf, uri, spec, (err, req) => {
      if (err) return reject(err);
      req.on('response', (res) => {
        if (res.status >= 200) resolve(res);
      });
    });
  });
}

/** An in-dialog request from the app (dialog.request), resolving to the final response. */
export function dialogRequest(dialog: SrfDialog, spec: RequestSpec): Promise<SrfResponse> {
  return (dialog.request as unknown as (o: RequestSpec) => Promise<SrfResponse>).call(dialog, spec);
}

/** Settles with the first emission of `event` (its arguments), or rejects after `ms`. */
export function once<T extends unknown[] = unknown[]>(
  emitter: object, // any EventEmitter; drachtio-srf's typings narrow `once` too far

  event: string,
  ms = 5000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${event}' within ${ms} ms`)), ms);
    (emitter as EventEmitter).once(event, (...args: unknown[]) => {
      clearTimeout(timer);
      resolve(args as T);
    });
  });
}

/** Rejects if `p` has not settled within `ms`, naming `what`. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
    }),
  ]);
}

export interface B2buaStats {
  bridged: number;
  failed: number;
  errors: string[];
}

/**
 * Bridges every INVITE to `target(req)` with createB2BUA; a BYE on either leg ends the other.
 * Re-INVITEs on the A leg are relayed to the B leg (`relayReinvites`). Resolves once the
 * server routes INVITEs to it.
 */
export async function installB2bua(
  srf: Srf,
  target: (req: SrfRequest) => string,
  options: { relayReinvites?: boolean } = {},
): Promise<B2buaStats> {
  const stats: B2buaStats = { bridged: 0, failed: 0, errors: [] };
  srf.invite((req, res) => {
    srf
      .createB2BUA(req, res, target(req), { localSdpB: req.body })
      .then(({ uas, uac }) => {
        stats.bridged++;
        uas.on('destroy', () => uac.destroy());
        uac.on('destroy', () => uas.destroy());
        if (options.relayReinvites) {
          uas.on('modify', (mreq: SrfRequest, mres: SrfResponse) => {
            uac.modify(mreq.body).then(
              (sdp) => mres.send(200, { body: sdp }),
              () => mres.send(500),
            );
          });
        }
      })
      .catch((err: Error) => {
        stats.failed++;
        if (stats.errors.length < 5) stats.errors.push(err.message);
      });
  });
  await routesSettled(srf);
  return stats;
}
