// The store contract against a real redis-server (loopback, random port, no persistence);
// each case gets its own key prefix, so the cases share one server.
import t from 'tap';
import { RedisStore } from '../../gateway/state/redis/redis-store';
import { startRedis, type TestRedis } from './redis-server';
import { storeContract } from './store-contract';

let redis: TestRedis | undefined;
t.before(async () => {
  redis = await startRedis();
});
t.teardown(() => redis?.stop());
let n = 0;

storeContract(t, async () => {
  const url = redis!.url;
  const prefix = `contract${n++}:`;
  const open = (id: string) => RedisStore.open({ url, prefix, instanceId: id });
  const [a, b, c] = await Promise.all([open('gw-a'), open('gw-b'), open('gw-c')]);
  return {
    a,
    b,
    c,
    close: async () => {
      await Promise.all([a.close(), b.close(), c.close()]);
    },
  };
});

t.test('a Redis that does not answer is a clear error', async (t) => {
  await t.rejects(
    RedisStore.open({
      url: 'redis://127.0.0.1:1',
      prefix: 'x:',
      instanceId: 'gw',
      connectTimeoutMs: 500,
    }),
    /redis at 127\.0\.0\.1:1 did not answer/,
  );
});
