// One established call between a drachtio-srf UAS app and the Node test client: the setup
// most in-dialog conformance tests start from.
import type Srf from 'drachtio-srf';
import type { Dialog, SipClient } from './sip-client';
import { sdpOffer } from './sip-client';
import { routesSettled, within, type SrfDialog } from './sip-app';
import type { SipServerUnderTest } from './sip-server';

export interface AppCall {
  app: SrfDialog;
  client: Dialog;
}

/** The client INVITEs the app (which answers with createUAS); both dialogs once ACKed. */
export async function callApp(
  srf: Srf,
  client: SipClient,
  server: SipServerUnderTest,
): Promise<AppCall> {
  const addr = server.sip[client.proto]!;
  const app = new Promise<SrfDialog>((resolve, reject) =>
    srf.invite((req, res) => {
      srf.createUAS(req, res, { localSdp: sdpOffer(30100) }).then(resolve, reject);
    }),
  );
  await routesSettled(srf);
  const inv = client.invite(`sip:app@${addr.host}:${addr.port}`, { body: sdpOffer(40100) });
  const dialog = await within(inv.established(), 5000, 'INVITE to the app');
  return { app: await within(app, 5000, 'createUAS'), client: dialog };
}
