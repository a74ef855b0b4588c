// `holdfast start` with a missing prompt file, an unreachable external rtpengine, or a bad
// configuration.
import t from 'tap';
import { runCli, tempConfig } from './fixtures/cli-process';
import { config, failsCleanly, FREE } from './fixtures/start-failure';

t.test('missing prompt file', async (t) => {
  const extra = 'prompts:\n  waitMusic: nowhere/music.wav\n';
  const cli = runCli(t, ['start', '--config', tempConfig(t, config(FREE, undefined, extra))]);
  await failsCleanly(t, cli, /prompt file .*nowhere\/music\.wav does not exist/);
});

t.test('unreachable external rtpengine', async (t) => {
  const cli = runCli(t, ['start', '--config', tempConfig(t, config(FREE))], {
    RTPENGINE_HOST: '127.0.0.1',
    RTPENGINE_PORT: '9',
  });
  await failsCleanly(t, cli, /rtpengine at 127\.0\.0\.1:9 .*did not answer/);
});

t.test('bad configuration', async (t) => {
  const extra = 'policy:\n  reconectWindowMs: 5000\n';
  const cli = runCli(t, ['start', '--config', tempConfig(t, config(FREE, undefined, extra))]);
  await failsCleanly(
    t,
    cli,
    /policy\.reconectWindowMs: unknown key; did you mean reconnectWindowMs\?/,
  );
  const none = runCli(t, ['start', '--config', '/nonexistent/holdfast.yaml']);
  await failsCleanly(t, none, /cannot read the configuration file \(ENOENT\)/);
});
