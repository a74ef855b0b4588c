// Redis restarts empty (no persistence, as docker/compose.multi.yaml runs it) under two
// instances: when it is back, each instance writes its part of the shared state again
// (agents, the registrations it runs, the digest secret, its calls, engagements and
// queue), so a new customer reaches the agent who registered before the restart, a call
// connected across it is known again (a survivor could end it), an agent can register
// again, and the calls have audio both ways (decoded).
import t from 'tap';
import { CUSTOMER_TONE, Agent, Customer, hearsTone } from './fixtures/parties';
import { waitFor } from './fixtures/gateway-harness';
import { ownerOf, startCluster } from '../state/cluster';

const ALICE_TONE = 700;

t.test('after Redis restarts empty, the instances write the shared state again', async (t) => {
  const c = await startCluster(t, {
    instances: 2,
    agents: [
      { id: 'alice', password: 'pw-a' },
      { id: 'bob', password: 'pw-b' },
      { id: 'carol', password: 'pw-c' },
    ],
  });
  // carol talks to a customer across the restart.
  const carol = await Agent.open(t, c.target, 'carol', { tone: 500, password: 'pw-c' });
  await waitFor(
    () => c.gateways.every((g) => g.agents.get('carol')!.status === 'available'),
    'every instance sees carol available',
  );
  const before = await Customer.call(t, c.target);
  await waitFor(() => carol.dialogs.length === 1, 'carol answers');
  const owner = c.gateways[ownerOf(c.gateways, before.dialog.callId)];
  const callId = [...owner.calls.values()][0].id;
  await waitFor(
    async () => (await c.observer.call(callId))?.state === 'connected',
    'the call is recorded connected',
  );

  const alice = await Agent.open(t, c.target, 'alice', { tone: ALICE_TONE, password: 'pw-a' });
  await waitFor(
    () => c.gateways.every((g) => g.agents.get('alice')!.status === 'available'),
    'every instance sees alice available',
  );
  const takenBy = (await c.observer.registration('alice'))!.instanceId;

  const marker = await c.observer.secret('test-marker');
  const downAt = Date.now();
  await c.redis.restart({ downMs: 500 });
  t.not(await c.observer.secret('test-marker'), marker, 'the new Redis started empty');
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
  await waitFor(
    async () =>
      !!(await c.observer.call(callId)) && !!(await c.observer.engagementsOf('carol')).length,
    'the call and its engagement are written again',
  );
  t.match(
    await c.observer.call(callId),
    { owner: owner.shared!.store.instanceId, state: 'connected', agentId: 'carol' },
    'the connected call is recorded again, with its owner',
  );
  t.same(
    (await c.observer.engagementsOf('carol')).map((e) => [e.callId, e.role]),
    [[callId, 'primary']],
    "and carol's engagement",
  );
  t.equal((await c.observer.agent('carol'))?.status, 'busy', 'carol is busy in the store');
  t.ok((await hearsTone(before.ep, 500)) > 0.8, 'that call talks on');
  t.equal(await before.hangUp(), 200);

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
