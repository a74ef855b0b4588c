// The `state` section: absent means in the process (as ever); a Redis URL, an instance id
// (file or environment), and heartbeat/TTL bounds, each refused with a clear message.
import t from 'tap';
import { parseConfig } from '../../gateway/config/load-config';
import { env, problem } from '../gateway/fixtures/config-problem';

t.test('without a state section, the state stays in the process', async (t) => {
  const c = parseConfig({}, { env });
  t.equal(c.state.redis, undefined);
  t.match(c.state, { heartbeatMs: 1000, instanceTtlMs: 3000, instanceId: /^.+-\d+$/ });
});

t.test('a Redis URL from the file or HOLDFAST_REDIS_URL', async (t) => {
  const c = parseConfig(
    { state: { redis: { url: 'redis://127.0.0.1:6379/0' }, instanceId: 'gw-1' } },
    { env },
  );
  t.same(c.state.redis, { url: 'redis://127.0.0.1:6379/0', keyPrefix: 'holdfast:' });
  t.equal(c.state.instanceId, 'gw-1');
  const e = parseConfig(
    {},
    { env: { ...env, HOLDFAST_REDIS_URL: 'redis://r:6379', HOLDFAST_INSTANCE_ID: 'gw-2' } },
  );
  t.equal(e.state.redis?.url, 'redis://r:6379');
  t.equal(e.state.instanceId, 'gw-2');
});

t.test('bad values are refused, naming the key', async (t) => {
  t.match(problem({ state: { redis: { url: 'http://x' } } }), /^state.redis.url: must be a redis/);
  t.match(
    problem({ state: { redis: { url: 'redis://:secret@h:1', keyPrefix: 'a b' } } }),
    /^state.redis.keyPrefix: must not contain spaces/,
  );
  t.notMatch(problem({ state: { redis: { url: 'nope://:secret@h' } } }), /secret/);
  t.match(problem({ state: { redis: { keyPrefix: 'x:' } } }), /^state.redis.url: is required/);
  t.match(problem({ state: { instanceId: 'a/b' } }), /^state.instanceId: must be 1–64/);
  t.match(
    problem({ state: { heartbeatMs: 1000, instanceTtlMs: 1500 } }),
    /^state.instanceTtlMs: must be at least twice state.heartbeatMs/,
  );
  t.match(problem({ state: { redsi: {} } }), /^state.redsi: unknown key; did you mean redis\?/);
});
