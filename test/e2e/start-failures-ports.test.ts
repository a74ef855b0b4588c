// `holdfast start` when a port it must listen on is taken: SIP UDP, TCP, WebSocket, HTTP.
import t from 'tap';
import { runCli, tempConfig } from './fixtures/cli-process';
import { busyTcpPort, busyUdpPort, config, failsCleanly, FREE } from './fixtures/start-failure';

t.test('SIP UDP port in use', async (t) => {
  const port = await busyUdpPort(t);
  const cli = runCli(t, [
    'start',
    '--config',
    tempConfig(t, config([`sip:127.0.0.1:${port};transport=udp`])),
  ]);
  await failsCleanly(
    t,
    cli,
    new RegExp(`^holdfast start: sip.contacts udp 127.0.0.1:${port}: address already in use`),
  );
});

t.test('SIP TCP port in use', async (t) => {
  const port = await busyTcpPort(t);
  const cli = runCli(t, [
    'start',
    '--config',
    tempConfig(t, config([`sip:127.0.0.1:${port};transport=tcp`])),
  ]);
  await failsCleanly(
    t,
    cli,
    new RegExp(`sip.contacts tcp 127.0.0.1:${port}: address already in use`),
  );
});

t.test('SIP WebSocket port in use (after a UDP contact that did start)', async (t) => {
  const port = await busyTcpPort(t);
  const contacts = ['sip:127.0.0.1:0;transport=udp', `sip:127.0.0.1:${port};transport=ws`];
  const cli = runCli(t, ['start', '--config', tempConfig(t, config(contacts))]);
  await failsCleanly(
    t,
    cli,
    new RegExp(`sip.contacts ws 127.0.0.1:${port}: address already in use`),
  );
  t.notMatch(cli.err(), /node:events|Unhandled 'error'/, 'no stack trace');
});

t.test('HTTP port in use (everything else already started)', async (t) => {
  const port = await busyTcpPort(t);
  const cli = runCli(t, ['start', '--config', tempConfig(t, config(FREE, `127.0.0.1:${port}`))]);
  await failsCleanly(
    t,
    cli,
    new RegExp(
      `^holdfast start: http.listen 127.0.0.1:${port}: address already in use.*pick another port`,
    ),
  );
});
