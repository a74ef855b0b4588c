// A connected call whose instance is killed (SIGKILL) is carried on by the survivor as one
// of its own: it keeps talking, and when its agent's desktop drops afterwards, the customer
// hears the disconnected prompt, then wait music, and is rerouted to another agent, as on
// any call. The customer's hang-up reaches the survivor as silence (the SIP server answers
// a dead app's dialog 481), and then nothing is left anywhere.
import t from 'tap';
import { Customer, CUSTOMER_TONE, hearsTone, type Agent } from './fixtures/parties';
import { sleep, waitFor } from './fixtures/gateway-harness';
import { findsPrompt, heardSince, lacksTone, promptMs } from './fixtures/hearing';
import { nothingLeft, noteTakeovers, takeoverScene } from './fixtures/takeover-scene';

const TONES: Record<string, number> = { c1: 700, c2: 1100 };

t.test('SIGKILL: a connected call is carried on, and a later drop is covered', async (t) => {
  // The window outlasts the prompt, so that the customer hears it whole, then music.
  const scene = await takeoverScene(t, TONES, {
    policy: {
      reconnectWindowMs: promptMs('agent-disconnected') + 2500,
      presenceTimeoutMs: promptMs('agent-disconnected') + 20_000,
    },
  });
  const { cluster: c, survivor, store, victim } = scene;
  const agents = new Map(scene.agents.map((a) => [a.id, a]));

  // A call on the instance to be killed (the SIP server spreads INVITEs over both).
  let customer: Customer | undefined;
  let first: Agent | undefined;
  for (let tries = 0; !customer && tries < 8; tries++) {
    const before = new Map([...agents].map(([id, a]) => [id, a.dialogs.length]));
    const k = await Customer.call(t, c.target);
    await waitFor(() => [...agents].some(([id, a]) => a.dialogs.length > before.get(id)!), 'up');
    const answered = [...agents.values()].find((a) => a.dialogs.length > before.get(a.id)!)!;
    const onVictim = ![...survivor.calls.values()].some(
      (x) => x.customer.sipCallId === k.dialog.callId,
    );
    if (onVictim) [customer, first] = [k, answered];
    else {
      t.equal(await k.hangUp(), 200, 'a call on the survivor, placed again');
      await waitFor(() => survivor.agents.get(answered.id)!.status === 'available', 'free');
    }
  }
  if (!customer || !first) throw new Error('no call landed on the instance to be killed');
  const second = [...agents.values()].find((a) => a !== first)!;
  await waitFor(
    async () => (await store.callsOf('gw-b')).some((k) => k.resume),
    'the call is recorded with its model',
  );
  const model = (await store.callsOf('gw-b')).find((k) => k.resume)!.resume;
  t.comment(`the call's model in the store: ${JSON.stringify(model).length} bytes`);
  t.ok((await hearsTone(customer.ep, first.tone)) > 0.8, 'talking before the kill');

  victim.child.kill('SIGKILL');
  await victim.exited;
  await waitFor(() => survivor.calls.size === 1, 'the survivor carries the call on', 6000);
  const call = [...survivor.calls.values()][0];
  t.equal(call.state, 'connected');
  t.equal(call.agentId, first.id);
  t.ok((await hearsTone(customer.ep, first.tone)) > 0.8, 'still talking after the kill');
  t.ok((await hearsTone(first.ep, CUSTOMER_TONE)) > 0.8, 'both ways');

  // The agent's desktop drops: her media stops. The survivor covers it as on any call.
  const droppedAt = performance.now(); // the clock of received packets
  first.ep.pause();
  await waitFor(() => call.state === 'agentGone', 'the drop is seen here', 4000);
  t.equal(survivor.agents.get(first.id)!.status, 'disconnected');
  const next = second.nextCall(15_000);
  await sleep(promptMs('agent-disconnected') + 500);
  const heard = heardSince(customer.ep, droppedAt);
  const p = findsPrompt(t, heard, 'agent-disconnected', 'the customer hears the prompt');
  findsPrompt(t, p.rest, 'wait-music', 'then the wait music', { maxRefMs: 600 });
  lacksTone(t, heard, first.tone, 'and nothing of the gone agent');

  // Past the reconnect window the call is rerouted to the other agent.
  await next;
  await waitFor(() => call.state === 'connected' && call.agentId === second.id, 'rerouted');
  t.ok((await hearsTone(customer.ep, second.tone)) > 0.8, 'the customer hears the new agent');
  t.ok((await hearsTone(second.ep, CUSTOMER_TONE)) > 0.8, 'who hears the customer');
  await first.ua.waitForBye(first.current!, 5000);
  t.pass("the gone agent's dialog got its BYE");

  // The customer hangs up: the SIP server has nobody to give the BYE to (481); its silence
  // ends the call here, and the new agent gets a BYE.
  t.equal(await customer.hangUp(), 481, 'the BYE of a dead instance’s dialog gets 481');
  customer.ep.pause();
  await second.ua.waitForBye(second.current!, 10_000);
  await nothingLeft(scene);
  noteTakeovers(t, scene);
});
