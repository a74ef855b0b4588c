// Two holdfast instances sharing one contact centre through Redis, over one standalone
// SIP server (which spreads new requests over both) and one rtpengine: a customer's call
// reaches an agent whichever instance took the call and whichever took the agent's
// REGISTER, with audio both ways (decoded); many calls racing for few agents never give
// an agent two calls.
import t, { type Test } from 'tap';
import { RtpEndpoint } from '../helpers/rtp-endpoint';
import { CUSTOMER_TONE, Agent, Customer, hearsTone } from './fixtures/parties';
import { sleep, waitFor } from './fixtures/gateway-harness';
import { TestUa, type Dialog } from './fixtures/test-ua';
import { ownerOf, startCluster, type Cluster } from '../state/cluster';

const ALICE_TONE = 700;
const BOB_TONE = 1100;

/** Nothing of any call is left on any instance, in rtpengine or in the shared state. */
async function settled(c: Cluster): Promise<void> {
  const store = c.observer;
  let last = '';
  await waitFor(async () => {
    const list = await c.gateways[0].ng.request('list', { limit: 1000 });
    const stats = c.gateways.map((g) => g.stats());
    const shared = {
      queue: (await store.queue()).length,
      calls: (
        await Promise.all(c.gateways.map((g) => store.callsOf(g.shared!.store.instanceId)))
      ).flat().length,
    };
    const media = ((list.calls as string[] | undefined) ?? []).length;
    last = JSON.stringify({ stats, shared, media });
    return (
      stats.every((s) => !s.calls && !s.deadlines && !s.queued && !s.watchedCalls) &&
      !shared.queue &&
      !shared.calls &&
      !media
    );
  }, 'everything released').catch((err: Error) => {
    throw new Error(`${err.message} — last: ${last}`);
  });
}

const store0 = (c: Cluster) => c.observer;

/** Which instance took the agent's REGISTER. */
async function registeredAt(c: Cluster, agentId: string): Promise<string | undefined> {
  return (await c.observer.registration(agentId))?.instanceId;
}

t.test('a call reaches an agent, whichever instance took the call or the REGISTER', async (t) => {
  const c = await startCluster(t, {
    instances: 2,
    agents: [
      { id: 'alice', password: 'pw-a' },
      { id: 'bob', password: 'pw-b' },
    ],
  });
  const ids = c.gateways.map((g) => g.shared!.store.instanceId);
  const alice = await Agent.open(t, c.target, 'alice', { tone: ALICE_TONE, password: 'pw-a' });
  const aliceAt = await registeredAt(c, 'alice');
  t.ok(aliceAt && ids.includes(aliceAt), `alice's REGISTER was taken by ${aliceAt}`);
  await waitFor(
    () => c.gateways.every((g) => g.agents.get('alice')!.status === 'available'),
    'every instance sees alice available',
  );

  // Two calls in a row: the SIP server gives one to each instance; alice takes both.
  const owners: string[] = [];
  for (let i = 0; i < 2; i++) {
    const customer = await Customer.call(t, c.target);
    await waitFor(() => ownerOf(c.gateways, customer.dialog.callId) >= 0, 'an owner');
    const owner = ownerOf(c.gateways, customer.dialog.callId);
    owners.push(ids[owner]);
    const call = [...c.gateways[owner].calls.values()][0];
    await waitFor(() => call.state === 'connected', 'connected');
    t.equal(call.agentId, 'alice');
    t.ok((await hearsTone(customer.ep, ALICE_TONE)) > 0.8, `customer of ${ids[owner]} hears alice`);
    t.ok(
      (await hearsTone(alice.ep, CUSTOMER_TONE)) > 0.8,
      `alice hears the customer of ${ids[owner]}`,
    );
    t.equal(await customer.hangUp(), 200);
    await settled(c);
  }
  t.same([...owners].sort(), [...ids].sort(), 'one call on each instance');

  // Redis round trips (both instances, heartbeats left out) for one call set-up, one
  // disconnect episode (alice's media stops, she reconnects) and one call's end.
  const trips = () => c.gateways.reduce((n, g) => n + g.shared!.workRoundTrips, 0);
  let mark = trips();
  const customer = await Customer.call(t, c.target);
  await waitFor(() => ownerOf(c.gateways, customer.dialog.callId) >= 0, 'an owner');
  const call = [...c.gateways[ownerOf(c.gateways, customer.dialog.callId)].calls.values()][0];
  await waitFor(() => call.state === 'connected', 'connected');
  await sleep(300); // the writes that follow the answer
  const setup = trips() - mark;
  mark = trips();
  alice.ep.pause();
  await waitFor(async () => !!(await store0(c).episode('alice')), 'the episode is recorded');
  await alice.reconnectMedia(t);
  await waitFor(async () => !(await store0(c).episode('alice')), 'the episode is over');
  await waitFor(() => call.state === 'connected', 'connected again');
  await sleep(300);
  const episode = trips() - mark;
  mark = trips();
  t.equal(await customer.hangUp(), 200);
  await settled(c);
  const teardown = trips() - mark;
  t.comment(`redis round trips: call set-up ${setup}, episode ${episode}, call end ${teardown}`);
  t.ok(setup > 0 && setup <= 20, `a call set-up costs a bounded number of round trips (${setup})`);
  t.ok(episode > 0 && episode <= 20, `so does an episode (${episode})`);

  // bob on the other instance: one unanswered REGISTER moves the SIP server's turn.
  const bobUa = await TestUa.open('udp', c.sip, 'bob');
  t.teardown(() => bobUa.close());
  for (let tries = 0; tries < 4; tries++) {
    t.equal(await bobUa.register('pw-b'), 200);
    if ((await registeredAt(c, 'bob')) !== aliceAt) break;
    t.equal(await bobUa.register(undefined), 401);
  }
  const bobAt = await registeredAt(c, 'bob');
  t.not(bobAt, aliceAt, `bob's REGISTER was taken by the other instance (${bobAt})`);
  const bob = await Agent.open(t, c.target, 'bob', { tone: BOB_TONE, ua: bobUa });
  t.equal(await alice.ua.register('pw-a', 0), 200, 'alice signs off');
  await waitFor(
    () => c.gateways.every((g) => g.agents.get('bob')!.status === 'available'),
    'every instance sees bob available',
  );
  await waitFor(
    () => c.gateways.every((g) => g.agents.get('alice')!.status === 'offline'),
    'every instance sees alice offline',
  );
  const bobOwners: string[] = [];
  for (let i = 0; i < 2; i++) {
    const customer = await Customer.call(t, c.target);
    await waitFor(() => ownerOf(c.gateways, customer.dialog.callId) >= 0, 'an owner');
    const owner = ownerOf(c.gateways, customer.dialog.callId);
    bobOwners.push(ids[owner]);
    const call = [...c.gateways[owner].calls.values()][0];
    await waitFor(() => call.state === 'connected', 'connected');
    t.equal(call.agentId, 'bob');
    t.ok((await hearsTone(customer.ep, BOB_TONE)) > 0.8, `customer of ${ids[owner]} hears bob`);
    t.equal(await customer.hangUp(), 200);
    await settled(c);
  }
  t.same([...bobOwners].sort(), [...ids].sort(), 'again one call on each instance');
  t.equal(bob.dialogs.length, 2);
});

/** An agent that answers one call at a time and notes any INVITE that finds it busy. */
class CountingAgent {
  busy = false;
  doubleBooked = 0;
  answered = 0;
  private constructor(
    readonly ua: TestUa,
    readonly ep: RtpEndpoint,
  ) {
    ua.on('invite', (inv) => {
      if (this.busy) {
        this.doubleBooked++;
        inv.reject(486);
        return;
      }
      this.busy = true;
      inv.ring();
      void inv.answer(ep.sdp()).then(async (d: Dialog) => {
        this.answered++;
        await sleep(300);
        await ua.bye(d);
        this.busy = false;
      });
    });
  }

  /** A static agent: its address goes into every instance's configuration. */
  static async open(t: Test, id: string): Promise<CountingAgent> {
    const ua = await TestUa.openUnaimed(id);
    t.teardown(() => ua.close());
    const ep = await RtpEndpoint.open();
    t.teardown(() => ep.close());
    return new CountingAgent(ua, ep);
  }
}

t.test('many calls racing for few agents on both instances: no agent gets two', async (t) => {
  const agentIds = ['p1', 'p2', 'p3'];
  // Static agents: available on both instances from the start, so both offer at once.
  const agents = await Promise.all(agentIds.map((id) => CountingAgent.open(t, id)));
  const c = await startCluster(t, {
    instances: 2,
    agents: agentIds.map((id, i) => ({ id, uri: agents[i].ua.contactUri })),
  });
  for (const a of agents) a.ua.aim(c.sip);
  await waitFor(
    () => c.gateways.every((g) => agentIds.every((id) => g.agents.get(id)!.status === 'available')),
    'every instance sees every agent',
  );
  const CALLS = 14;
  const customers = await Promise.all(
    Array.from({ length: CALLS }, async () => {
      const ep = await RtpEndpoint.open();
      t.teardown(() => ep.close());
      const ua = await TestUa.open('udp', c.sip, 'customer');
      t.teardown(() => ua.close());
      const dialog = await ua.invite(`sip:support@${c.sip.host}:${c.sip.port}`, ep.sdp());
      const owner = ownerOf(c.gateways, dialog.callId);
      return { ua, dialog, owner, bye: ua.waitForBye(dialog, 40_000) };
    }),
  );
  const perOwner = [0, 0];
  for (const cu of customers) perOwner[cu.owner]++;
  t.ok(perOwner[0] > 0 && perOwner[1] > 0, `both instances took calls (${perOwner.join(' + ')})`);
  await Promise.all(customers.map((cu) => cu.bye));
  t.same(
    agents.map((a) => a.doubleBooked),
    [0, 0, 0],
    'no INVITE found an agent on a call',
  );
  t.equal(
    agents.reduce((n, a) => n + a.answered, 0),
    CALLS,
    `every call was answered once (${agents.map((a) => a.answered).join(', ')})`,
  );
  await settled(c);
  for (const g of c.gateways)
    t.same(
      agentIds.map((id) => g.agents.get(id)!.status),
      ['available', 'available', 'available'],
      `${g.shared!.store.instanceId} sees every agent free`,
    );
  const trips = c.gateways.map((g) => g.shared!.roundTrips);
  t.comment(`redis round trips: ${trips.join(' + ')} for ${CALLS} calls (with start-up)`);
});
