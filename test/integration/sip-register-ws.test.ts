// REGISTER over WebSocket with a digest challenge answered by an srf app (using the
// gateway's own DigestAuth as the verifier), then an INVITE from the app to the registered
// WebSocket client, which must arrive over that same WebSocket connection.
import t from 'tap';
import { DigestAuth } from '../../gateway/sip/digest-auth';
import { uriOf } from '../helpers/sip-message';
import {
  connectApp,
  once,
  routesSettled,
  type SrfRequest,
  type SrfResponse,
  within,
} from '../helpers/sip-app';
import { SipClient, sdpOffer } from '../helpers/sip-client';
import { sipServerForTest } from '../helpers/sip-server';

type Handler = (req: SrfRequest, res: SrfResponse) => void;

t.test('REGISTER over WS with digest, then INVITE to the WS client', async (t) => {
  const server = await sipServerForTest(t);
  const ws = server.sip.ws;
  if (!ws) return t.skip('the server under test has no WebSocket transport', () => undefined);
  const srf = await connectApp(t, server);
  const auth = new DigestAuth('holdfast.test');
  const contacts = new Map<string, string>();
  (srf as unknown as { register(h: Handler): void }).register((req, res) => {
    const verdict = auth.verify({
      authorization: req.get('Authorization'),
      method: 'REGISTER',
      requestUri: req.uri,
      passwordOf: (u) => (u === 'agent7' ? 's3cret' : undefined),
    });
    if (!verdict.ok) return res.send(401, { headers: { 'WWW-Authenticate': auth.challenge() } });
    const contact = uriOf(req.get('Contact') ?? '');
    contacts.set(verdict.username, contact);
    res.send(200, { headers: { Contact: `<${contact}>;expires=300`, Expires: '300' } });
  });
  await routesSettled(srf);

  const agent = await SipClient.open(t, { transport: 'ws', server: ws, user: 'agent7' });
  const denied = await agent.register(`sip:${ws.host}:${ws.port}`);
  t.equal(denied.status, 401, 'challenged without credentials');
  const ok = await agent.register(`sip:${ws.host}:${ws.port}`, {
    credentials: { username: 'agent7', password: 's3cret' },
  });
  t.equal(ok.status, 200, 'registered with digest credentials');
  const contact = contacts.get('agent7') ?? '';
  t.match(contact, /\.invalid/, 'the app sees the WS client’s unreachable .invalid Contact');

  const uac = srf.createUAC(contact, { localSdp: sdpOffer(30600) });
  const invite = await agent.nextRequest('INVITE');
  t.match(invite.getAll('via')[0] ?? '', /^SIP\/2\.0\/WSS? /, 'delivered over WebSocket');
  const dialog = agent.accept(invite, { body: sdpOffer(40600) });
  const appDialog = await within(uac, 5000, 'createUAC to the WS client');
  await within(dialog.acked, 5000, 'ACK over WS');
  const destroyed = once(appDialog, 'destroy');
  t.equal((await dialog.bye()).status, 200);
  await destroyed;
});
