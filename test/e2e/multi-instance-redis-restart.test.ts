// Redis restarts empty (no persistence, as docker/compose.multi.yaml runs it) under two
// instances: when it is back, each instance writes its part of the shared state again
// (agents, the registrations it runs, the digest secret, its calls and queue), so a new
// customer reaches the agent who registered before the restart, an agent can register
// again, and the call has audio both ways (decoded).
import t from 'tap';
import { CUSTOMER_TONE, Agent, Customer, hearsTone } from './fixtures/parties';
import { waitFor } from './fixtures/gateway-harness';
import { startCluster } from '../state/cluster';

const ALICE_TONE = 700;

t.test('after Redis restarts empty, the instances write the shared state again', async (t) => {
  const c = await startCluster(t, {
    instances: 2,
    agents: [
      { id: 'alice', password: 'pw-a' },
      { id: 'bob', password: 'pw-b' },
    ],
  });
  const alice = await Agent.open(t, c.target, 'alice', { tone: ALICE_TONE, password: 'pw-a' });
  await waitFor(
    () => c.gateways.every((g) => g.agents.get('alice')!.status === 'available'),
    'every instance sees alice available',
  );
  const takenBy = (await c.observer.registration('alice'))!.instanceId;

  const downAt = Date.now();
  await c.redis.restart({ downMs: 500 });
  t.equal(await c.observer.agent('alice'), undefined, 'the new Redis is empty');
  await waitFor(
    async () => (await c.observer.registration('alice'))?.instanceId === takenBy,
    "alice's registration is written again by the instance that runs it",
    10_000,
  );
  await waitFor(
    async () => (await c.observer.agent('alice'))?.status === 'available',
    'and her record, available',
  );
  t.comment(`shared state back ${Date.now() - downAt} ms after Redis went down`);

  // A new customer, on whichever instance: alice takes the call.
  const served = alice.nextCall(10_000);
  const customer = await Customer.call(t, c.target);
  await served;
  t.ok((await hearsTone(customer.ep, ALICE_TONE)) > 0.8, 'the customer hears alice');
  t.ok((await hearsTone(alice.ep, CUSTOMER_TONE)) > 0.8, 'alice hears the customer');
  t.equal(await customer.hangUp(), 200);

  // bob registers now: the digest secret is the one both instances hold (challenge and
  // answer go to different instances).
  const bob = await Agent.open(t, c.target, 'bob', { tone: 900, password: 'pw-b' });
  t.ok(bob, 'bob registers after the restart');
  await waitFor(
    () => c.gateways.every((g) => g.agents.get('bob')!.status === 'available'),
    'every instance sees bob available',
  );
});
