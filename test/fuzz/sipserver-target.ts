// Target (a): the embedded SIP server with a drachtio-srf app that bridges every INVITE to
// a sink UAS with createB2BUA (so mutated headers also travel back through the server as
// the app's requests) and answers other new requests 200. The good call goes the same way.
import pino from 'pino';
import Srf from 'drachtio-srf';
import { startSipServer } from '../../sipserver';
import { connectApp } from '../helpers/sip-app';
import { SipClient, sdpOffer } from '../helpers/sip-client';
import { parseHostports } from '../helpers/sip-server';
import type { Teardownable } from '../helpers/sipp';
import type { FuzzTarget } from './fuzz-campaign';
import { installNetworkGuard } from './network-guard';
import { watchProblems } from './problem-watch';
import { startSinkUas } from './sink-uas';

const OTHER_METHODS = ['register', 'options', 'message', 'subscribe', 'info', 'notify', 'publish'];

export async function startSipserverTarget(scope: Teardownable): Promise<FuzzTarget> {
  installNetworkGuard();
  const watch = watchProblems();
  scope.teardown(() => watch.stop());
  const server = await startSipServer({
    contacts: ['sip:127.0.0.1:0;transport=udp,tcp', 'sip:127.0.0.1:0;transport=ws'],
    port: 0,
    secret: 'fuzz',
    logger: pino({ level: 'error' }, watch.logStream),
  });
  scope.teardown(() => server.close());
  const sip = parseHostports(server.sipHostports.join(','));
  const sink = await startSinkUas();
  scope.teardown(() => sink.close());
  const srf = await connectApp(scope, { connect: server.drachtio, sip, external: false });
  srf.invite((req, res) => {
    srf
      .createB2BUA(req, res, `sip:sink@127.0.0.1:${sink.port}`, { localSdpB: req.body })
      .then(({ uas, uac }) => {
        uas.on('destroy', () => uac.destroy());
        uac.on('destroy', () => uas.destroy());
      })
      .catch(() => undefined);
  });
  type Handler = (req: Srf.SrfRequest, res: Srf.SrfResponse) => void;
  const use = srf.use as unknown as (method: string, fn: Handler) => void;
  for (const m of OTHER_METHODS) use.call(srf, m, (_req, res) => res.send(200));

  return {
    name: 'sipserver',
    sip,
    drainProblems: () => watch.drain(),
    async goodCall(proto) {
      const addr = sip[proto]!;
      const client = await SipClient.open(null, { transport: proto, server: addr, user: 'good' });
      try {
        const inv = client.invite(`sip:good@${addr.host}:${addr.port}`, { body: sdpOffer(40100) });
        const dialog = await withTimeout(inv.established(), 10_000, 'INVITE not answered');
        const bye = await withTimeout(dialog.bye(), 10_000, 'BYE not answered');
        if (bye.status !== 200) throw new Error(`BYE answered ${bye.status}`);
      } finally {
        await client.close();
      }
    },
    health: async () => undefined,
  };
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
    }),
  ]);
}
