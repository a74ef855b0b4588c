// An agent's registration taken by an instance that then dies (SIGKILL): the survivor adopts
// it, keeps the agent reachable until the expiry the REGISTER was granted, and then takes
// it offline, everywhere, with its binding gone from the store (before, nobody expired it:
// an agent that never came back stayed "available" for good).
import t from 'tap';
import { waitFor } from './fixtures/gateway-harness';
import { TestUa } from './fixtures/test-ua';
import { survivorAndVictim } from '../state/cluster';

/** Long enough for the kill and the takeover (TTL 1 s) to come well before it. */
const EXPIRES_S = 8;

t.test("a dead instance's registration expires on the survivor at its own time", async (t) => {
  const {
    cluster: c,
    survivor,
    store,
    victim,
  } = await survivorAndVictim(t, [{ id: 'ann', password: 'pw-ann' }]);

  // The SIP server alternates new requests: an unanswered REGISTER moves its turn.
  const ua = await TestUa.open('udp', c.sip, 'ann');
  t.teardown(() => ua.close());
  for (let tries = 0; tries < 4; tries++) {
    t.equal(await ua.register('pw-ann', EXPIRES_S), 200);
    if ((await store.registration('ann'))?.instanceId === 'gw-b') break;
    t.equal(await ua.register(undefined, EXPIRES_S), 401);
  }
  const reg = (await store.registration('ann'))!;
  t.equal(reg.instanceId, 'gw-b', 'the REGISTER was taken by the instance to be killed');
  const expiresAt = reg.contact.expiresAt!;
  await waitFor(() => survivor.agents.get('ann')!.status === 'available', 'ann is available');

  victim.child.kill('SIGKILL');
  await victim.exited;
  await waitFor(
    async () => !(await store.instances()).some((i) => i.id === 'gw-b'),
    'the survivor took over',
  );
  t.equal((await store.registration('ann'))?.instanceId, 'gw-a', 'the binding is the survivor’s');
  t.ok(Date.now() < expiresAt, 'taken over before the expiry');
  t.equal(survivor.agents.get('ann')!.status, 'available', 'still reachable until its expiry');
  t.equal(survivor.stats().registrations, 1, 'the survivor runs its expiry');

  await waitFor(
    () => survivor.agents.get('ann')!.status === 'offline',
    'ann goes offline at her expiry',
    expiresAt - Date.now() + 5000,
  );
  const lateMs = Date.now() - expiresAt;
  t.ok(lateMs > -300, `not before the expiry (${lateMs} ms after it)`);
  t.ok(lateMs < 3000, `soon after it (${lateMs} ms)`);
  t.equal(await store.registration('ann'), undefined, 'the binding left the store');
  t.equal((await store.agent('ann'))?.status, 'offline', 'offline in the shared record too');
  t.equal(survivor.stats().registrations, 0, 'no expiry left');
  t.equal(survivor.stats().deadlines, 0, 'no timer left');
});
