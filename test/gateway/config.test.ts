import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig, loadConfigFile } from '../../gateway/config/load-config';
import { env, problem } from './fixtures/config-problem';

t.test('defaults fill an empty document', async (t) => {
  const c = parseConfig({}, { env });
  t.equal(c.policy.reconnectWindowMs, 30000);
  t.equal(c.policy.presenceTimeoutMs, 150000);
  t.same(c.sbc.allow, ['127.0.0.0/8']);
  t.equal(c.http.adminToken, 'admin');
  t.ok(path.isAbsolute(c.prompts.waitMusic));
  t.match(c.sip.contacts[0], /5060/);
  t.equal(c.sip.drachtio, undefined);
});

t.test('every bad value names its key and the problem', async (t) => {
  t.equal(
    problem({ policy: { reconnectWindowMs: 'abc' } }),
    'policy.reconnectWindowMs: must be a positive integer (got "abc")',
  );
  t.match(
    problem({ policy: { reconnectWindowMs: 200000 } }),
    /^policy.presenceTimeoutMs: must be greater/,
  );
  t.match(
    problem({ sbc: { allow: ['10.0.0.0/33'] } }),
    /^sbc.allow\[0\]: must be an IP address or CIDR/,
  );
  t.match(problem({ agents: [{ id: 'a', token: 'x' }] }), /^agents\[0\]: agent a needs a uri/);
  t.match(
    problem({
      agents: [
        { id: 'a', uri: 'sip:a@h', token: 'x' },
        { id: 'a', uri: 'sip:b@h', token: 'y' },
      ],
    }),
    /^agents\[1\].id: duplicate/,
  );
  t.match(problem({ agents: [{ id: 'a', uri: 'sip:a@h' }] }), /^agents\[0\].token: is required/);
  t.match(
    problem({ agents: [{ id: 'a', uri: 'http://x', token: 't' }] }),
    /^agents\[0\].uri: must be a sip/,
  );
  t.match(problem({ http: { listen: 'nope' } }), /^http.listen: must be host:port/);
  t.match(problem({}, {}), /^http.adminToken: is required/);
  t.match(problem({ queue: { maxWaitMs: -1 } }), /^queue.maxWaitMs: must be a positive integer/);
  t.match(problem({ overflow: { uri: 'tel:1' } }), /^overflow.uri: must be a sip/);
  t.match(problem({ overflow: { cause: 200 } }), /^overflow.cause: must be a Q.850 cause/);
  t.match(problem({ polcy: {} }), /^polcy: unknown key/);
  t.match(problem({ policy: 3 }), /^policy: must be a mapping/);
  t.match(problem({}, { ...env, DRACHTIO_HOST: '127.0.0.1' }), /^DRACHTIO_PORT: is required/);
});

t.test('environment supplies secrets and external servers', async (t) => {
  const c = parseConfig(
    { agents: [{ id: 'alice', uri: 'sip:alice@127.0.0.1' }], http: { adminToken: 'file' } },
    {
      env: {
        HOLDFAST_ADMIN_TOKEN: 'envtok',
        HOLDFAST_AGENT_TOKEN_ALICE: 'a-tok',
        DRACHTIO_HOST: 'h',
        DRACHTIO_PORT: '9022',
        DRACHTIO_SECRET: 's',
        RTPENGINE_HOST: 'r',
        RTPENGINE_PORT: '2223',
      },
    },
  );
  t.equal(c.http.adminToken, 'envtok');
  t.equal(c.agents[0].token, 'a-tok');
  t.same(c.sip.drachtio, { host: 'h', port: 9022, secret: 's' });
  t.same(c.media.rtpengine, { host: 'r', port: 2223 });
});

t.test(
  'files: relative prompt paths resolve against the config file; errors name the file',
  async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'holdfast-config-'));
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'h.yaml');
    fs.writeFileSync(
      file,
      'prompts:\n  waitMusic: music.wav\npolicy:\n  reconnectWindowMs: 500\n  presenceTimeoutMs: 1000\n',
    );
    const c = loadConfigFile(file, { env });
    t.equal(c.prompts.waitMusic, path.join(dir, 'music.wav'));
    t.equal(c.policy.reconnectWindowMs, 500);
    fs.writeFileSync(file, 'policy: [\n');
    t.throws(() => loadConfigFile(file, { env }), /h.yaml: is not valid YAML/);
    t.throws(
      () => loadConfigFile(path.join(dir, 'missing.yaml'), { env }),
      /missing.yaml: cannot read the configuration file \(ENOENT\)/,
    );
  },
);

t.test('the example configuration is valid', async (t) => {
  const c = loadConfigFile(path.join(__dirname, '../../config/holdfast.example.yaml'), { env: {} });
  t.ok(c.agents.length >= 2);
});
