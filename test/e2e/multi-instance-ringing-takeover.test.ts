// An instance killed with SIGKILL while its call rings an agent: the customer's INVITE gets
// its final response (503) and the agent's INVITE a CANCEL, whichever SIP server holds
// them (the embedded one finishes a gone app's transactions itself; with drachtio-server
// the survivor does it by transaction id). The agent is then free on the survivor and
// takes the next call; the survivor's own ringing call never notices.
import t from 'tap';
import { Customer, CUSTOMER_TONE, hearsTone } from './fixtures/parties';
import { waitFor } from './fixtures/gateway-harness';
import { nothingLeft, noteTakeovers, pendingCall, takeoverScene } from './fixtures/takeover-scene';
import type { IncomingInvite } from './fixtures/test-ua';

t.test('SIGKILL while ringing: 503 to the customer, CANCEL to the agent', async (t) => {
  const scene = await takeoverScene(t, { r1: 700, r2: 900 }, { queue: { ringTimeoutMs: 20_000 } });
  const { cluster: c, survivor, store, victim, agents } = scene;
  const rung = new Map<string, IncomingInvite>();
  const cancelled = new Set<string>();
  for (const agent of agents) {
    agent.autoAnswer = false;
    agent.ua.on('invite', (inv) => {
      if (agent.autoAnswer) return;
      inv.ring();
      rung.set(agent.id, inv);
    });
    agent.ua.on('cancel', () => cancelled.add(agent.id));
  }

  // Two customers, one on each instance, each ringing an agent. The SIP server spreads
  // new INVITEs over its apps (round-robin; drachtio-server's turn can skip an app while it
  // still lists apps of earlier tests), so a second call on the same instance is cancelled
  // and placed again.
  const placed: (Awaited<ReturnType<typeof pendingCall>> & { agent: string; mine: boolean })[] = [];
  const dialledHere = (agent: string) =>
    [...survivor.calls.values()].some((k) => k.agentLegs.some((l) => l.agentId === agent));
  for (let tries = 0; placed.length < 2 && tries < 10; tries++) {
    const k = await pendingCall(t, c.sip);
    const fresh = () => [...rung.keys()].find((id) => !placed.some((p) => p.agent === id));
    await waitFor(() => fresh() !== undefined, 'an agent rings');
    const agent = fresh()!;
    const mine = dialledHere(agent);
    if (placed[0]?.mine !== mine) {
      placed.push({ ...k, agent, mine });
      continue;
    }
    t.equal(await k.ua.cancelPending(), 200, 'a second call on the same instance');
    await waitFor(() => cancelled.has(agent), 'its agent stops ringing');
    rung.delete(agent);
    cancelled.delete(agent);
    await waitFor(() => survivor.agents.get(agent)!.status === 'available', 'free again');
  }
  const customers = placed;
  await waitFor(
    async () =>
      (await store.callsOf('gw-b')).some((k) => k.state === 'ringing' && k.agentTxnIds?.length),
    "the victim's ringing call is recorded with its agent INVITE",
  );
  const survivorAgent = placed.find((p) => p.mine)!.agent;
  const victimAgent = placed.find((p) => !p.mine)!.agent;

  const killedAt = Date.now();
  victim.child.kill('SIGKILL');
  await victim.exited;

  await waitFor(
    () => customers.some((k) => k.outcome.status === 503),
    "the dead instance's customer gets 503",
    6000,
  );
  await waitFor(() => cancelled.has(victimAgent), 'its agent gets a CANCEL', 6000);
  t.comment(`customer answered and agent cancelled ${Date.now() - killedAt} ms after the kill`);
  t.notOk(cancelled.has(survivorAgent), "the survivor's ringing agent is not cancelled");
  await waitFor(
    () => survivor.agents.get(victimAgent)!.status === 'available',
    'the cancelled agent is available again',
    6000,
  );

  // The survivor's call is answered and talks; the freed agent takes the next call.
  const keep = customers.find((k) => k.outcome.status === undefined)!;
  const survivorSide = agents.find((a) => a.id === survivorAgent)!;
  const inv = rung.get(survivorAgent)!;
  await inv.answer(survivorSide.ep.sdp());
  survivorSide.ep.setRemoteFromSdp(inv.req.body.toString());
  survivorSide.ep.play({ tone: survivorSide.tone });
  const kept = (await keep.answered)!;
  keep.ep.setRemoteFromSdp(kept.remoteSdp);
  keep.ep.play({ tone: CUSTOMER_TONE });
  t.ok((await hearsTone(keep.ep, survivorSide.tone)) > 0.8, "the survivor's call talks");

  const freed = agents.find((a) => a.id === victimAgent)!;
  freed.autoAnswer = true;
  const next = freed.nextCall(10_000);
  const customer = await Customer.call(t, c.target);
  await next;
  t.ok((await hearsTone(customer.ep, freed.tone)) > 0.8, 'the freed agent takes the next call');

  t.equal(await customer.hangUp(), 200);
  t.equal(await keep.ua.bye(kept), 200);
  await nothingLeft(scene, ['gw-a', 'gw-b']);
  noteTakeovers(t, scene);
});
