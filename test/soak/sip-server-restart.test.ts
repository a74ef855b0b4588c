// The SIP server the gateway connects to (drachtio-server, or `holdfast sipserver` run on
// its own) restarts under live calls. drachtio-srf binds every dialog to the connection it
// came on, so those calls can no longer be signalled at all (no BYE goes out, none comes
// in): they must end, their media released and a record written, instead of staying up
// for ever. The soak found them left over (calls, dialogs, rtpengine sessions, busy agents).
// drachtio-srf reconnects by itself; a call placed after the restart must work.
import t from 'tap';
import pino from 'pino';
import { startSipServer, type SipServer } from '../../sipserver/sip-server';
import { freePort } from '../helpers/sip-ports';
import { startTestGateway, waitFor } from '../e2e/fixtures/gateway-harness';
import { Agent, Customer } from '../e2e/fixtures/parties';

const SECRET = 'restart-secret';

async function sipServer(ports: { sip: number; drachtio: number }): Promise<SipServer> {
  return startSipServer({
    contacts: [`sip:127.0.0.1:${ports.sip};transport=udp`],
    address: '127.0.0.1',
    port: ports.drachtio,
    secret: SECRET,
    logger: pino({ level: 'silent' }),
  });
}

t.test('calls up when the SIP server restarts end cleanly; new calls work after it', async (t) => {
  const ports = { sip: await freePort(), drachtio: await freePort() };
  let server: SipServer | undefined = await sipServer(ports);
  const hf = await startTestGateway(t, [{ id: 'alice', password: 'pw-alice' }], {
    env: {
      DRACHTIO_HOST: '127.0.0.1',
      DRACHTIO_PORT: String(ports.drachtio),
      DRACHTIO_SECRET: SECRET,
    },
  });
  // After the gateway's own teardown (which stops it): a server left open delays nothing.
  t.teardown(() => server?.close());
  const alice = await Agent.open(t, hf, 'alice', { tone: 1000, password: 'pw-alice' });
  await Customer.call(t, hf);
  await waitFor(
    () => [...hf.gw.calls.values()].some((c) => c.state === 'connected'),
    'the call is connected',
  );
  const call = [...hf.gw.calls.values()][0];
  const ended = new Promise<string>((resolve) => call.once('ended', resolve));

  await server.close();
  server = undefined;
  const reason = await Promise.race([
    ended,
    new Promise<string>((r) => setTimeout(() => r('still up after 5 s'), 5000)),
  ]);
  t.equal(reason, 'error', 'the call ends when its SIP connection is gone');
  await hf.settled(10_000);
  t.equal(hf.gw.stats().dialogs, 0, 'drachtio-srf holds no dialog of it');
  t.equal(
    (await fetch(`http://${hf.gw.http.host}:${hf.gw.http.port}/ready`)).status,
    503,
    'not ready while the SIP server is away',
  );

  server = await sipServer(ports);
  await waitFor(
    async () => (await fetch(`http://${hf.gw.http.host}:${hf.gw.http.port}/ready`)).status === 200,
    'ready again once drachtio-srf has reconnected',
    15_000,
  );
  t.equal(hf.gw.agents.get('alice')!.status, 'available', 'the agent is available again');
  const next = alice.nextCall(10_000);
  const customer = await Customer.call(t, hf);
  await next;
  t.equal(await customer.hangUp(), 200, 'a call after the restart is answered and hung up');
  await hf.settled(10_000);
});
