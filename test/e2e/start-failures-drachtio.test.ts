// `holdfast start` against a drachtio-server that is not there, or refuses the secret.
import pino from 'pino';
import t from 'tap';
import { startSipServer } from '../../sipserver';
import { runCli, tempConfig } from './fixtures/cli-process';
import { closedTcpPort, config, failsCleanly, FREE } from './fixtures/start-failure';

t.test('unreachable drachtio-server', async (t) => {
  const port = await closedTcpPort();
  const cli = runCli(t, ['start', '--config', tempConfig(t, config(FREE))], {
    DRACHTIO_HOST: '127.0.0.1',
    DRACHTIO_PORT: String(port),
    DRACHTIO_SECRET: 'x',
  });
  await failsCleanly(
    t,
    cli,
    new RegExp(
      `cannot connect to drachtio-server at 127\\.0\\.0\\.1:${port} \\(DRACHTIO_HOST/DRACHTIO_PORT\\) within 5 s: .*ECONNREFUSED`,
    ),
  );
});

t.test('a drachtio-server that refuses the secret', async (t) => {
  const server = await startSipServer({
    contacts: ['sip:127.0.0.1:0;transport=udp'],
    address: '127.0.0.1',
    port: 0,
    secret: 'the-right-secret',
    logger: pino({ level: 'silent' }),
  });
  t.teardown(() => server.close());
  const cli = runCli(t, ['start', '--config', tempConfig(t, config(FREE))], {
    DRACHTIO_HOST: server.drachtio.host,
    DRACHTIO_PORT: String(server.drachtio.port),
    DRACHTIO_SECRET: 'a-wrong-secret',
  });
  await failsCleanly(t, cli, /drachtio-server at .* refused the secret \(DRACHTIO_SECRET\)/);
});
