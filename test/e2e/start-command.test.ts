// `holdfast start` as an operator runs it: prints where it listens, serves SIP and HTTP,
// stops with exit code 0 on SIGTERM; bad configuration stops start-up with the key named.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { TestUa } from './fixtures/test-ua';

const CLI = path.join(__dirname, 'fixtures/run-cli.ts');

function run(
  t: { teardown(fn: () => unknown): void },
  args: string[],
  env: NodeJS.ProcessEnv = {},
) {
  const child = spawn(process.execPath, [...process.execArgv, CLI, ...args], {
    env: { ...process.env, HOLDFAST_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  t.teardown(() => {
    clearTimeout(timer);
    child.kill('SIGKILL');
  });
  return {
    child,
    exited,
    out: () => out,
    err: () => err,
    async waitFor(re: RegExp, timeoutMs = 20_000): Promise<RegExpExecArray> {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const m = re.exec(out);
        if (m) return m;
        if (Date.now() > until || child.exitCode !== null)
          throw new Error(`no ${re} in output:\n${out}\n${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

function tempConfig(t: { teardown(fn: () => unknown): void }, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'holdfast-start-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'holdfast.yaml');
  fs.writeFileSync(file, text);
  return file;
}

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
