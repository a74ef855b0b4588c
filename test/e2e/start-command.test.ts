// `holdfast start` as an operator runs it: prints where it listens, serves SIP and HTTP,
// stops with exit code 0 on SIGTERM; bad configuration stops start-up with the key named.
import t from 'tap';
import { TestUa } from './fixtures/test-ua';
import { runCli as run, tempConfig } from './fixtures/cli-process';

const GOOD = `
sip:
  contacts: ['sip:127.0.0.1:0;transport=udp,tcp', 'sip:127.0.0.1:0;transport=ws']
http:
  listen: 127.0.0.1:0
  adminToken: admin-secret
agents:
  - { id: alice, password: pw, token: alice-tok }
`;

t.test(
  'start prints where it listens, serves SIP and HTTP, and SIGTERM stops it with exit 0',
  async (t) => {
    const cli = run(t, ['start', '--config', tempConfig(t, GOOD)]);
    await cli.waitFor(/holdfast started/);
    const udp = await cli.waitFor(/udp\/127\.0\.0\.1:(\d+)/);
    const http = await cli.waitFor(/HTTP\s+http:\/\/127\.0\.0\.1:(\d+)/);
    const ua = await TestUa.open('udp', { host: '127.0.0.1', port: Number(udp[1]) }, 'sbc');
    t.teardown(() => ua.close());
    t.equal(await ua.options(`sip:127.0.0.1:${udp[1]}`), 200, 'SIP answers');
    const base = `http://127.0.0.1:${http[1]}`;
    t.equal((await fetch(`${base}/v1/agents`)).status, 401, 'the API wants a token');
    const agents = await fetch(`${base}/v1/agents`, {
      headers: { Authorization: 'Bearer admin-secret' },
    });
    t.equal(agents.status, 200);
    t.match(await agents.json(), { agents: [{ id: 'alice', status: 'offline' }] });
    cli.child.kill('SIGTERM');
    t.equal(await cli.exited, 0, 'exit code 0');
    t.match(cli.out(), /holdfast stopped/);
  },
);

t.test('invalid configuration stops start-up with the key and the problem', async (t) => {
  const bad = tempConfig(t, GOOD + 'policy:\n  reconnectWindowMs: abc\n');
  const cli = run(t, ['start', '--config', bad]);
  t.equal(await cli.exited, 1);
  t.match(cli.err(), /policy\.reconnectWindowMs: must be a positive integer \(got "abc"\)/);
});

t.test('a missing prompt file and a missing config file are named', async (t) => {
  const bad = tempConfig(t, GOOD + 'prompts:\n  waitMusic: nowhere/music.wav\n');
  const cli = run(t, ['start', '--config', bad]);
  t.equal(await cli.exited, 1);
  t.match(cli.err(), /prompt file .*nowhere\/music\.wav does not exist/);
  const none = run(t, ['start', '--config', '/nonexistent/holdfast.yaml']);
  t.equal(await none.exited, 1);
  t.match(
    none.err(),
    /\/nonexistent\/holdfast\.yaml: cannot read the configuration file \(ENOENT\)/,
  );
});

t.test('an unreachable external rtpengine is a clear start-up error', async (t) => {
  const cli = run(t, ['start', '--config', tempConfig(t, GOOD)], {
    RTPENGINE_HOST: '127.0.0.1',
    RTPENGINE_PORT: '9',
  });
  t.equal(await cli.exited, 1);
  t.match(cli.err(), /rtpengine at 127\.0\.0\.1:9 .*did not answer/);
});
